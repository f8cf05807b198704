//! HTTP to the collector with `fetch`: the campaign catalog, and event batches sent with
//! `keepalive` so a batch in flight survives the page being closed.
use js_sys::Promise;
use touchpoint_core::campaign::compiled;
use touchpoint_core::{Campaign, Event, Policy};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{Request, RequestInit, Response};

/// Why a request failed.
#[derive(Debug, thiserror::Error)]
pub enum HttpError {
    /// The network failed or the request was blocked.
    #[error("network error calling {url}: {message}")]
    Network {
        /// The URL.
        url: String,
        /// What the browser said.
        message: String,
    },
    /// The server answered with an error status.
    #[error("{url} answered {status}: {body}")]
    Status {
        /// The URL.
        url: String,
        /// HTTP status.
        status: u16,
        /// Body text (the server's JSON error).
        body: String,
    },
    /// The answer could not be read as the expected JSON.
    #[error("unexpected answer from {url}: {message}")]
    Decode {
        /// The URL.
        url: String,
        /// What was wrong.
        message: String,
    },
}

use crate::effects::platform::js_message;

async fn fetch(url: &str, init: &RequestInit) -> Result<Response, HttpError> {
    let net = |e: JsValue| HttpError::Network {
        url: url.to_owned(),
        message: js_message(&e),
    };
    let req = Request::new_with_str_and_init(url, init).map_err(net)?;
    let window = web_sys::window().ok_or_else(|| HttpError::Network {
        url: url.into(),
        message: "no window".into(),
    })?;
    let promise: Promise = window.fetch_with_request(&req);
    let res: Response = JsFuture::from(promise).await.map_err(net)?.unchecked_into();
    if res.ok() {
        Ok(res)
    } else {
        let body = body_text(&res).await;
        Err(HttpError::Status {
            url: url.to_owned(),
            status: res.status(),
            body,
        })
    }
}

/// The body as text, or empty when it cannot be read (used for error answers, where the text
/// is only informative).
pub(crate) async fn body_text(res: &Response) -> String {
    match res.text() {
        Ok(p) => JsFuture::from(p)
            .await
            .ok()
            .and_then(|v| v.as_string())
            .unwrap_or_default(),
        Err(_) => String::new(),
    }
}

async fn text(url: &str, res: Response) -> Result<String, HttpError> {
    let decode = |e: JsValue| HttpError::Decode {
        url: url.to_owned(),
        message: js_message(&e),
    };
    JsFuture::from(res.text().map_err(decode)?)
        .await
        .map_err(decode)?
        .as_string()
        .ok_or_else(|| HttpError::Decode {
            url: url.to_owned(),
            message: "body is not text".into(),
        })
}

/// Fetch the compiled campaign catalog's text. The browser's HTTP cache revalidates it with
/// the server's `ETag` (the server answers `no-cache`), so an unchanged catalog costs a
/// bodiless 304.
///
/// # Errors
/// When the request fails.
pub async fn fetch_catalog(api: &str, key: &str) -> Result<String, HttpError> {
    let url = format!("{api}v1/campaigns?key={key}");
    let init = RequestInit::new();
    init.set_method("GET");
    let res = fetch(&url, &init).await?;
    text(&url, res).await
}

impl HttpError {
    /// Whether a copy cached earlier may stand in: the network or the server failed, as
    /// opposed to the server refusing (a revoked key must stop the widget).
    pub fn is_outage(&self) -> bool {
        match self {
            HttpError::Network { .. } => true,
            HttpError::Status { status, .. } => *status >= 500 || *status == 429,
            HttpError::Decode { .. } => false,
        }
    }
}

/// The campaigns of a catalog that decode, those that do not, and the vendor's policy.
pub type Catalog = (Vec<Campaign>, Vec<compiled::Rejected>, Policy);

/// Read a compiled catalog's text. Unreadable campaigns are skipped and reported (a
/// server/widget version mismatch), so one bad campaign never hides the others; a catalog
/// without a policy (an older collector's) decides under the default one.
///
/// # Errors
/// When the text is not a catalog of this widget's version, or its policy is unreadable.
pub fn read_catalog(body: &str) -> Result<Catalog, String> {
    let catalog = crate::json::parse(body).ok_or("not JSON")?;
    let read = |(campaigns, skipped)| Ok((campaigns, skipped, compiled::decode_policy(&catalog)?));
    compiled::decode_catalog(&catalog)
        .and_then(read)
        .map_err(|e| e.to_string())
}

/// Whose history to fetch.
#[derive(Debug)]
pub struct HistoryQuery<'a> {
    /// The identified user.
    pub user_id: &'a str,
    /// Their identity signature.
    pub user_hash: Option<&'a str>,
    /// Their account.
    pub account_id: Option<&'a str>,
}

/// Fetch this user's and account's campaign events from the collector.
///
/// # Errors
/// When the request fails or the body is not a list of events.
pub async fn fetch_history(
    api: &str,
    key: &str,
    q: &HistoryQuery<'_>,
) -> Result<Vec<Event>, HttpError> {
    let enc = |s: &str| String::from(js_sys::encode_uri_component(s));
    let mut url = format!(
        "{api}v1/history?key={}&user_id={}",
        enc(key),
        enc(q.user_id)
    );
    if let Some(h) = q.user_hash {
        url.push_str(&format!("&user_hash={}", enc(h)));
    }
    if let Some(a) = q.account_id {
        url.push_str(&format!("&account_id={}", enc(a)));
    }
    let init = RequestInit::new();
    init.set_method("GET");
    let res = fetch(&url, &init).await?;
    let body = text(&url, res).await?;
    let value = crate::json::parse(&body).ok_or_else(|| HttpError::Decode {
        url: url.clone(),
        message: "not JSON".into(),
    })?;
    // Events this version cannot read (a newer server) are skipped, not fatal.
    let events = value["events"].as_array().cloned().unwrap_or_default();
    Ok(events.iter().filter_map(Event::from_json_value).collect())
}
