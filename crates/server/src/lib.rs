//! touchpoint-server: the collector, the campaign API and (later) the CS workspace.
//!
//! The library exposes [`app`], which builds the whole HTTP router from an [`AppState`];
//! `main` only parses the command line, sets up logging and serves. Tests drive the router
//! in-process or over a loopback socket.
pub mod catalog;
pub mod error;
pub mod routes;
pub mod state;
pub mod store;

pub use state::{AppState, Environment};

use axum::http::{header, HeaderValue, Method};
use axum::routing::{get, post};
use axum::Router;
use std::path::PathBuf;
use tower_http::compression::CompressionLayer;
use tower_http::cors::{AllowOrigin, CorsLayer};
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::services::ServeDir;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::TraceLayer;

/// Largest batch body the collector reads.
pub const MAX_BATCH_BYTES: usize = 512 * 1024;

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
    let cors = CorsLayer::new()
        .allow_origin(AllowOrigin::mirror_request())
        .allow_methods([Method::GET, Method::POST])
        .allow_headers([header::CONTENT_TYPE, header::IF_NONE_MATCH])
        .expose_headers([header::ETAG, header::RETRY_AFTER]);
    let api = Router::new()
        .route("/v1/campaigns", get(routes::campaigns::list))
        .route("/v1/events", post(routes::events::collect))
        .layer(cors)
        .route("/v1/admin/events", get(routes::admin::events))
        .route("/healthz", get(routes::health::healthz))
        .route("/readyz", get(routes::health::readyz))
        .layer(RequestBodyLimitLayer::new(MAX_BATCH_BYTES))
        .layer(CompressionLayer::new())
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
    router.layer(TraceLayer::new_for_http())
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
