//! touchpoint-server: the collector, the campaign API and the CS workspace.
//!
//! The library exposes [`app`], which builds the whole HTTP router from an [`AppState`];
//! `main` only parses the command line and configuration, sets up logging and calls
//! [`serve::serve`]. Tests drive the router in-process or over a loopback socket.
pub mod admin_cli;
pub mod campaign_state;
pub mod campaign_sync;
pub mod catalog;
pub mod clock;
pub mod config;
pub mod conversions;
pub mod documents;
pub mod error;
pub mod guard;
pub mod identity;
pub mod live_catalog;
pub mod preview;
pub mod rejection;
pub mod request_log;
pub mod role;
pub mod routes;
pub mod serve;
pub mod state;
pub mod store;
pub mod unique_keys;
pub mod widget_files;
pub mod workspace;

pub use config::Environment;
pub use state::AppState;
pub use widget_files::WidgetFiles;

use axum::extract::Request as AnyRequest;
use axum::http::{header, HeaderValue, Request};
use axum::response::IntoResponse as _;
use axum::routing::{get, post};
use axum::Router;
use std::path::PathBuf;
use tower::ServiceExt as _;
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
    /// The built widget (`dist/`, loaded with [`WidgetFiles::load`]), served at the root:
    /// `/touchpoint.js`, ...
    pub dist: Option<WidgetFiles>,
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
        .merge(workspace::router())
        .route("/healthz", get(routes::health::healthz))
        .route("/readyz", get(routes::health::readyz))
        // Over every route above (so it sees the matched path): the registry's access rules
        // for `/workspace` and `/v1/admin`, refusing any route there that is not registered.
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            workspace::gate::gate,
        ))
        .with_state(state)
        .layer(CompressionLayer::new());
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
    // The default per-response event of the trace layer is off: `request_log` writes the
    // one line per request, outside the span so that its fields are not repeated.
    let trace = trace.on_response(());
    router
        .layer(PropagateRequestIdLayer::x_request_id())
        .layer(trace)
        .layer(axum::middleware::from_fn(request_log::log_request))
        .layer(SetRequestIdLayer::x_request_id(MakeRequestUuid))
}

/// The widget files from memory (with their own caching, CORS and precompressed codings, so
/// outside the compression layer), then the demo files (`no-cache`, compressed on the fly).
fn static_service(statics: &StaticDirs) -> Option<Router> {
    let no_cache = SetResponseHeaderLayer::if_not_present(
        header::CACHE_CONTROL,
        HeaderValue::from_static("no-cache"),
    );
    let www = statics.www.as_ref().map(|d| {
        Router::new()
            .fallback_service(ServeDir::new(d).append_index_html_on_directories(true))
            .layer(CompressionLayer::new())
            .layer(no_cache)
    });
    let widget = statics.dist.clone();
    if widget.is_none() && www.is_none() {
        return None;
    }
    Some(Router::new().fallback(move |req: AnyRequest| {
        let (widget, www) = (widget.clone(), www.clone());
        async move {
            let found = widget
                .as_ref()
                .and_then(|w| w.respond(req.method(), req.uri().path(), req.headers()));
            match (found, www) {
                (Some(res), _) => res,
                (None, Some(www)) => match www.oneshot(req).await {
                    Ok(res) => res,
                    Err(never) => match never {},
                },
                (None, None) => axum::http::StatusCode::NOT_FOUND.into_response(),
            }
        }
    }))
}
