//! Issue 11, item 13: the vendor policy of the configuration file reaches the widget in the
//! catalog, and reads back as the same policy the server's previews decide under.
mod common;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use common::*;
use touchpoint_core::campaign::compiled::decode_policy;
use touchpoint_server::catalog::Catalog;
use touchpoint_server::config::Config;

#[tokio::test]
async fn the_configured_policy_is_served_in_the_catalog() {
    let config = Config::parse(
        "touchpoint.toml",
        r#"
        [policy]
        time_zone = "America/New_York"
        max_overlays_per_session = 2
        [policy.lifecycle]
        renewal_window_days = 120
        [policy.signals]
        growth = "account.seat_utilisation >= 0.95"
        "#,
        &|_| None,
    )
    .expect("valid");
    let (state, _dir) = sqlite_state(vec![touchpoint_server::Environment::open("pk_test")]).await;
    state.set_catalog(Catalog::new(Vec::new()).with_policy(config.policy.clone()));
    assert_eq!(state.catalog().policy, config.policy);
    let router = touchpoint_server::app(state, &touchpoint_server::StaticDirs::default());
    let req = Request::get("/v1/campaigns?key=pk_test")
        .body(Body::empty())
        .expect("req");
    let (status, body) = send(&router, req).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["policy"]["time_zone"]["name"], "America/New_York");
    assert_eq!(body["policy"]["max_overlays_per_session"], 2);
    assert_eq!(decode_policy(&body), Ok(config.policy));
}

#[tokio::test]
async fn a_catalog_without_configuration_carries_the_default_policy() {
    let (router, _dir) = sqlite_app().await;
    let req = Request::get("/v1/campaigns?key=pk_test")
        .body(Body::empty())
        .expect("req");
    let (_, body) = send(&router, req).await;
    assert_eq!(
        decode_policy(&body),
        Ok(touchpoint_authoring::policy::defaults())
    );
    assert_eq!(
        body["policy"]["signals"]["advocacy"]["source"],
        "user.nps >= 9"
    );
}
