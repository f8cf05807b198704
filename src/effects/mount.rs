//! Mounting the widget into the host page: a `<touchpoint-widget>` element, the last child
//! of `<html>` (outside `<body>`, so no style on the body or a wrapper reaches it, and a
//! framework that replaces the body leaves it alone), with an open Shadow DOM root holding the
//! widget's stylesheet (a `<link>` to the hosted file, which a strict `style-src 'self'` CSP
//! allows) and the element Yew renders into. Page CSS cannot reach inside, and the widget's
//! CSS cannot leak out.
//!
//! Banners are not overlays (issue 9: an overlay hid the host's navigation): they render in
//! the page's flow, in the host's slot `<div data-touchpoint-slot="banner">` when there is
//! one, else in a `<touchpoint-banner>` inserted as the first child of `<body>`; each gets its
//! own shadow root with the same stylesheet ([`banner_root`]).
use std::cell::RefCell;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{Document, Element, ShadowRootInit, ShadowRootMode};

/// Why mounting failed.
#[derive(Debug, thiserror::Error)]
pub enum MountError {
    /// No `window`/`document`/`body` (not a browser page).
    #[error("no document to mount into")]
    NoDocument,
    /// A DOM call failed.
    #[error("DOM call failed while {doing}: {message}")]
    Dom {
        /// The step.
        doing: &'static str,
        /// What the browser said.
        message: String,
    },
}

fn dom(doing: &'static str) -> impl FnOnce(JsValue) -> MountError {
    move |e| MountError::Dom {
        doing,
        message: crate::effects::platform::js_message(&e),
    }
}

thread_local! {
    /// The stylesheet's URL, for the banner's shadow roots created later.
    static CSS_URL: RefCell<String> = const { RefCell::new(String::new()) };
}

/// The custom element name of the shadow host. A custom element, not a `div`, so that host
/// rules such as `div { display: none !important }` do not match it.
pub const HOST_TAG: &str = "touchpoint-widget";

/// The custom element name of the banner's shadow host when the page has no slot.
pub const BANNER_TAG: &str = "touchpoint-banner";

/// The selector of the host page's banner slot.
pub const SLOT: &str = "[data-touchpoint-slot=banner]";

/// Attach an open shadow root to `host` with the stylesheet linked and a `.tp-root` to
/// render into; returns the root element and the `<link>`.
fn shadow_in(document: &Document, host: &Element) -> Result<(Element, Element), MountError> {
    let shadow = host
        .attach_shadow(&ShadowRootInit::new(ShadowRootMode::Open))
        .map_err(dom("attaching the shadow root"))?;
    let link = document
        .create_element("link")
        .map_err(dom("creating the stylesheet link"))?;
    link.set_attribute("rel", "stylesheet")
        .map_err(dom("setting rel"))?;
    CSS_URL.with(|u| link.set_attribute("href", &u.borrow()))
        .map_err(dom("setting href"))?;
    let root = document
        .create_element("div")
        .map_err(dom("creating the root"))?;
    root.set_class_name("tp-root");
    shadow
        .append_child(&link)
        .map_err(dom("appending the stylesheet"))?;
    shadow
        .append_child(&root)
        .map_err(dom("appending the root"))?;
    Ok((root, link))
}

/// Create the shadow host and root, link the stylesheet, and return the element to render
/// into once the stylesheet has loaded (or failed: the widget then renders unstyled rather
/// than not at all).
///
/// # Errors
/// When there is no document or a DOM call fails.
pub async fn mount(css_url: &str) -> Result<Element, MountError> {
    CSS_URL.with(|u| *u.borrow_mut() = css_url.to_owned());
    let document = web_sys::window()
        .and_then(|w| w.document())
        .ok_or(MountError::NoDocument)?;
    let html = document.document_element().ok_or(MountError::NoDocument)?;
    let host = document
        .create_element(HOST_TAG)
        .map_err(dom("creating the host element"))?;
    let (root, link) = shadow_in(&document, &host)?;
    crate::effects::layer::keep_raised(&root);
    let loaded = js_sys::Promise::new(&mut |resolve, _reject| {
        let done = Closure::once_into_js(move || {
            let _ = resolve.call0(&JsValue::NULL);
        });
        let l: &web_sys::EventTarget = link.unchecked_ref();
        let _ = l.add_event_listener_with_callback("load", done.unchecked_ref());
        let _ = l.add_event_listener_with_callback("error", done.unchecked_ref());
    });
    html.append_child(&host)
        .map_err(dom("appending the host element"))?;
    let _ = wasm_bindgen_futures::JsFuture::from(loaded).await;
    Ok(root)
}

/// Where a banner renders in the page's flow: the `.tp-root` inside the host's slot (found
/// afresh each time, so a slot a single-page app renders late is used, whatever the
/// banner's position), else, for a `top` banner, inside a `<touchpoint-banner>` made the
/// first child of `<body>`. `None` for a bottom banner without a slot (it stays an overlay
/// at the bottom edge) or when the DOM refuses.
pub fn banner_root(top: bool) -> Option<Element> {
    let document = web_sys::window()?.document()?;
    let host = match document.query_selector(SLOT).ok().flatten() {
        Some(slot) => slot,
        None if top => match document.query_selector(BANNER_TAG).ok().flatten() {
            Some(host) => host,
            None => {
                let body = document.body()?;
                let host = document.create_element(BANNER_TAG).ok()?;
                body.insert_before(&host, body.first_child().as_ref()).ok()?;
                host
            }
        },
        None => return None,
    };
    match host.shadow_root() {
        Some(shadow) => shadow.query_selector(".tp-root").ok().flatten(),
        None => shadow_in(&document, &host).ok().map(|(root, _)| root),
    }
}

/// Take the `<touchpoint-banner>` out of the page once no banner shows, so an empty element
/// does not linger at the top of the body (the host's slot stays: it is theirs).
pub fn remove_banner_host() {
    if let Some(host) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.query_selector(BANNER_TAG).ok().flatten())
    {
        host.remove();
    }
}
