//! The widget files as a vendor's page on another origin loads them (issue 9), over a real
//! loopback socket: CORS and CORP on every file, exact content types, the precompressed
//! coding chosen from `Accept-Encoding`, strong ETags answered with 304, a year of caching
//! for content-hashed names and five minutes for the stable ones, HEAD, and the demo files
//! still `no-cache` behind them.
mod common;

use reqwest::header::HeaderMap;
use touchpoint_server::config::Environment;
use touchpoint_server::{app, StaticDirs, WidgetFiles};

const GLUE: &str = "touchpoint_widget.0123456789ab.js";
const WASM: &str = "touchpoint_widget_bg.0123456789ab.wasm";
const CSS: &str = "touchpoint.0123456789ab.css";
const VENDOR: &str = "https://app.vendor.example";
const MANIFEST: &str = r#"{"loader": "touchpoint.js", "glue": "touchpoint_widget.0123456789ab.js", "wasm": "touchpoint_widget_bg.0123456789ab.wasm", "css": "touchpoint.0123456789ab.css", "stub": "stub.js"}"#;

/// A `dist/` of stand-in files, each with `.br` and `.gz` twins whose bytes say which they
/// are, and a `www/` with one demo page.
fn folders() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    let dist = dir.path().join("dist");
    let www = dir.path().join("www/app");
    std::fs::create_dir_all(&dist).expect("dist");
    std::fs::create_dir_all(&www).expect("www");
    for name in ["touchpoint.js", "stub.js", GLUE, WASM, CSS] {
        std::fs::write(dist.join(name), format!("{name} identity")).expect("write");
        std::fs::write(dist.join(format!("{name}.br")), format!("{name} br")).expect("write");
        std::fs::write(dist.join(format!("{name}.gz")), format!("{name} gz")).expect("write");
    }
    // No twins, as the build writes it; large enough for on-the-fly compression to want it.
    std::fs::write(dist.join("manifest.json"), MANIFEST).expect("write");
    std::fs::write(
        www.join("index.html"),
        "<!doctype html><title>Ledgerly</title>",
    )
    .expect("write");
    dir
}

async fn server() -> (String, tempfile::TempDir, tempfile::TempDir) {
    let files = folders();
    let (state, db) = common::sqlite_state(vec![Environment::open("pk_test")]).await;
    let statics = StaticDirs {
        dist: Some(WidgetFiles::load(&files.path().join("dist")).expect("load dist")),
        www: Some(files.path().join("www")),
    };
    let url = common::serve_loopback(app(state, &statics)).await;
    (url, files, db)
}

async fn get(url: &str, path: &str, headers: &[(&str, &str)]) -> (u16, HeaderMap, String) {
    let mut req = reqwest::Client::new()
        .get(format!("{url}{path}"))
        .header("origin", VENDOR);
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    let res = req.send().await.expect("request");
    let status = res.status().as_u16();
    let headers = res.headers().clone();
    (status, headers, res.text().await.expect("body"))
}

fn h<'a>(headers: &'a HeaderMap, name: &str) -> &'a str {
    headers
        .get(name)
        .map_or("(none)", |v| v.to_str().expect("text"))
}

#[tokio::test]
async fn every_widget_file_is_served_cross_origin_with_its_type_and_cache_policy() {
    let (url, _files, _db) = server().await;
    let cases = [
        (
            "touchpoint.js",
            "text/javascript; charset=utf-8",
            "public, max-age=300",
        ),
        (
            "stub.js",
            "text/javascript; charset=utf-8",
            "public, max-age=300",
        ),
        ("manifest.json", "application/json", "public, max-age=300"),
        (
            GLUE,
            "text/javascript; charset=utf-8",
            "public, max-age=31536000, immutable",
        ),
        (
            WASM,
            "application/wasm",
            "public, max-age=31536000, immutable",
        ),
        (
            CSS,
            "text/css; charset=utf-8",
            "public, max-age=31536000, immutable",
        ),
    ];
    for (name, content_type, cache) in cases {
        let (status, headers, _) = get(&url, &format!("/{name}"), &[]).await;
        assert_eq!(status, 200, "{name}");
        assert_eq!(h(&headers, "access-control-allow-origin"), "*", "{name}");
        assert_eq!(
            h(&headers, "cross-origin-resource-policy"),
            "cross-origin",
            "{name}"
        );
        assert_eq!(h(&headers, "content-type"), content_type, "{name}");
        assert_eq!(h(&headers, "cache-control"), cache, "{name}");
        assert_eq!(h(&headers, "vary"), "Accept-Encoding", "{name}");
        let etag = h(&headers, "etag");
        assert!(
            etag.len() > 10 && etag.starts_with('"') && etag.ends_with('"'),
            "{name}: a strong ETag, got {etag}"
        );
    }
}

#[tokio::test]
async fn the_precompressed_twin_is_chosen_from_accept_encoding() {
    let (url, _files, _db) = server().await;
    let path = format!("/{WASM}");
    for (accept, coding, body) in [
        ("gzip, deflate, br", "br", "br"),
        ("br;q=0.4, gzip;q=0.8", "gzip", "gz"),
        ("br;q=0, gzip;q=0", "(none)", "identity"),
        ("identity", "(none)", "identity"),
        // The compression layer of the API must not recompress what this chose.
        ("identity;q=1, gzip;q=0.5", "(none)", "identity"),
        ("*", "br", "br"),
    ] {
        let (status, headers, text) = get(&url, &path, &[("accept-encoding", accept)]).await;
        assert_eq!(status, 200, "{accept}");
        assert_eq!(h(&headers, "content-encoding"), coding, "{accept}");
        assert_eq!(text, format!("{WASM} {body}"), "{accept}");
        assert_eq!(
            h(&headers, "content-length"),
            text.len().to_string(),
            "{accept}"
        );
    }
    // A file without twins is sent as it is: its ETag and length stay true.
    let (status, headers, text) =
        get(&url, "/manifest.json", &[("accept-encoding", "gzip, br")]).await;
    assert_eq!(status, 200);
    assert_eq!(h(&headers, "content-encoding"), "(none)");
    assert_eq!(text, MANIFEST);
    let (status, _, _) = get(
        &url,
        &path,
        &[("accept-encoding", "identity;q=0, compress")],
    )
    .await;
    assert_eq!(status, 406, "nothing acceptable is available");
}

#[tokio::test]
async fn a_current_etag_is_answered_304_per_coding() {
    let (url, _files, _db) = server().await;
    let path = format!("/{GLUE}");
    let (_, headers, _) = get(&url, &path, &[("accept-encoding", "br")]).await;
    let br_tag = h(&headers, "etag").to_owned();
    let (_, headers, _) = get(&url, &path, &[("accept-encoding", "gzip")]).await;
    let gz_tag = h(&headers, "etag").to_owned();
    assert_ne!(br_tag, gz_tag, "different bytes, different strong tags");

    let (status, headers, text) = get(
        &url,
        &path,
        &[("accept-encoding", "br"), ("if-none-match", &br_tag)],
    )
    .await;
    assert_eq!(status, 304);
    assert_eq!(text, "");
    assert_eq!(h(&headers, "etag"), br_tag);
    assert_eq!(h(&headers, "access-control-allow-origin"), "*");
    assert_eq!(
        h(&headers, "cache-control"),
        "public, max-age=31536000, immutable"
    );

    let (status, _, _) = get(
        &url,
        "/touchpoint.js",
        &[("accept-encoding", "br"), ("if-none-match", &br_tag)],
    )
    .await;
    assert_eq!(status, 200, "another file's tag does not match");
    let (status, _, _) = get(
        &url,
        &path,
        &[("accept-encoding", "gzip"), ("if-none-match", &br_tag)],
    )
    .await;
    assert_eq!(
        status, 200,
        "the brotli tag does not validate the gzip bytes"
    );
}

#[tokio::test]
async fn head_answers_the_headers_without_the_body() {
    let (url, _files, _db) = server().await;
    let res = reqwest::Client::new()
        .head(format!("{url}/touchpoint.js"))
        .header("accept-encoding", "gzip")
        .send()
        .await
        .expect("request");
    assert_eq!(res.status().as_u16(), 200);
    let headers = res.headers().clone();
    assert_eq!(h(&headers, "content-encoding"), "gzip");
    assert_eq!(
        h(&headers, "content-length"),
        "touchpoint.js gz".len().to_string()
    );
    assert_eq!(h(&headers, "access-control-allow-origin"), "*");
    assert_eq!(res.bytes().await.expect("body").len(), 0);
}

#[tokio::test]
async fn demo_files_stay_no_cache_and_unknown_names_fall_through() {
    let (url, _files, _db) = server().await;
    let (status, headers, text) = get(&url, "/app/index.html", &[]).await;
    assert_eq!(status, 200);
    assert!(text.contains("Ledgerly"));
    assert_eq!(h(&headers, "cache-control"), "no-cache");
    assert_eq!(
        h(&headers, "access-control-allow-origin"),
        "(none)",
        "the demo host product is not a widget file"
    );
    // An old release's name (or any other) is not a widget file: the demo files answer 404.
    let (status, headers, _) = get(&url, "/touchpoint_widget.js", &[]).await;
    assert_eq!(status, 404);
    assert_eq!(h(&headers, "access-control-allow-origin"), "(none)");
    let (status, _, _) = get(&url, &format!("/{WASM}.br"), &[]).await;
    assert_eq!(status, 404, "a twin is not served under its own name");
}
