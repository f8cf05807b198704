//! touchpoint-server: the collector, the campaign API and (later) the CS workspace.
//!
//! The library exposes [`app`], which builds the whole HTTP router from an [`AppState`];
//! `main` only parses the command line and configuration, sets up logging and serves. Tests
//! drive the router in-process or over a loopback socket.
pub mod catalog;
pub mod config;
pub mod error;
pub mod guard;
pub mod identity;
pub mod routes;
pub mod state;
pub mod store;

pub use config::Environment;
pub use state::AppState;

use axum::http::{header, HeaderValue, Request};
use axum::routing::{get, post};
use axum::Router;
use std::path::PathBuf;
use tower_http::compression::CompressionLayer;
use tower_http::request_id::{
    MakeRequestUuid, PropagateRequestIdLayer, RequestId, SetRequestIdLayer,
};
use tower_http::services::ServeDir;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::TraceLayer;

/// Where the static files come from.
#[derive(Debug, Clone, Default)]
pub struct StaticDirs {
    /// The built widget (`dist/`), served at the root: `/touchpoint.js`, ...
    pub dist: Option<PathBuf>,
    /// The demo host product (`www/`), served below the widget files.
    pub www: Option<PathBuf>,
}

/// The HTTP API and static files.
pub fn app(state: AppState, statics: &StaticDirs) -> Router {
    let public = Router::new()
        .route("/v1/campaigns", get(routes::campaigns::list))
        .route("/v1/events", post(routes::events::collect))
        .route("/v1/history", get(routes::history::history))
        .route_layer(axum::middleware::from_fn_with_state(
            state.clone(),
            guard::public_api,
        ));
    let api = Router::new()
        .merge(public)
        .route("/v1/admin/events", get(routes::admin::events))
        .route("/v1/admin/stats", get(routes::admin::stats))
        .route("/healthz", get(routes::health::healthz))
        .route("/readyz", get(routes::health::readyz))
        .with_state(state);
    let mut router = api;
    if let Some(files) = static_service(statics) {
        router = router
            .route(
                "/",
                get(|| async { axum::response::Redirect::temporary("/app/") }),
            )
            .fallback_service(files);
    }
    let trace = TraceLayer::new_for_http().make_span_with(|req: &Request<_>| {
        let id = req.extensions().get::<RequestId>().and_then(|r| r.header_value().to_str().ok()).unwrap_or("-");
        tracing::info_span!("request", method = %req.method(), uri = %req.uri().path(), request_id = %id)
    });
    router
        .layer(CompressionLayer::new())
        .layer(PropagateRequestIdLayer::x_request_id())
        .layer(trace)
        .layer(SetRequestIdLayer::x_request_id(MakeRequestUuid))
}

fn static_service(statics: &StaticDirs) -> Option<Router> {
    let no_cache = SetResponseHeaderLayer::if_not_present(
        header::CACHE_CONTROL,
        HeaderValue::from_static("no-cache"),
    );
    let www = statics
        .www
        .as_ref()
        .map(|d| ServeDir::new(d).append_index_html_on_directories(true));
    let dist = statics
        .dist
        .as_ref()
        .map(|d| ServeDir::new(d).precompressed_br().precompressed_gzip());
    let svc = match (dist, www) {
        (Some(d), Some(w)) => Router::new().fallback_service(d.fallback(w)),
        (Some(d), None) => Router::new().fallback_service(d),
        (None, Some(w)) => Router::new().fallback_service(w),
        (None, None) => return None,
    };
    Some(svc.layer(no_cache))
}
