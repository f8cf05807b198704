//! Mounting the widget into the host page: a `<touchpoint-widget>` element, the last child
//! of `<html>` (outside `<body>`, so no style on the body or a wrapper reaches it, and a
//! framework that replaces the body leaves it alone), with an open Shadow DOM root holding the
//! widget's stylesheet (a `<link>` to the hosted file, which a strict `style-src 'self'` CSP
//! allows) and the element Yew renders into. Page CSS cannot reach inside, and the widget's
//! CSS cannot leak out.
//!
//! Banners are not overlays (issue 9: an overlay hid the host's navigation): they render in
//! the page's flow, in a `<touchpoint-banner>` element with its own shadow root and the same
//! stylesheet, placed inside the host's slot `<div data-touchpoint-slot="banner">` when there
//! is one, else as the first child of `<body>` ([`banner_root`]).
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

thread_local! {
    /// The banner's shadow host and the element inside it that banners render into.
    static BANNER: RefCell<Option<(Element, Element)>> = const { RefCell::new(None) };
}

fn dom(doing: &'static str) -> impl FnOnce(JsValue) -> MountError {
    move |e| MountError::Dom {
        doing,
        message: crate::effects::platform::js_message(&e),
    }
}

/// The custom element name of the shadow host. A custom element, not a `div`, so that host
/// rules such as `div { display: none !important }` do not match it.
pub const HOST_TAG: &str = "touchpoint-widget";

/// The custom element name of the banner's shadow host.
pub const BANNER_TAG: &str = "touchpoint-banner";

/// The selector of the host page's banner slot.
pub const SLOT: &str = "[data-touchpoint-slot=banner]";

/// Attach an open shadow root to `host` with the stylesheet at `css_url` linked and a
/// `.tp-root` to render into; returns the root element and the `<link>`.
fn shadow_in(
    document: &Document,
    host: &Element,
    css_url: &str,
) -> Result<(Element, Element), MountError> {
    let shadow = host
        .attach_shadow(&ShadowRootInit::new(ShadowRootMode::Open))
        .map_err(dom("attaching the shadow root"))?;
    let link = document
        .create_element("link")
        .map_err(dom("creating the stylesheet link"))?;
    link.set_attribute("rel", "stylesheet")
        .map_err(dom("setting rel"))?;
    link.set_attribute("href", css_url)
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
    let document = web_sys::window()
        .and_then(|w| w.document())
        .ok_or(MountError::NoDocument)?;
    let html = document.document_element().ok_or(MountError::NoDocument)?;
    let host = document
        .create_element(HOST_TAG)
        .map_err(dom("creating the host element"))?;
    let (root, link) = shadow_in(&document, &host, css_url)?;
    let banner = document
        .create_element(BANNER_TAG)
        .map_err(dom("creating the banner's host element"))?;
    let (banner_root, _) = shadow_in(&document, &banner, css_url)?;
    BANNER.with(|b| *b.borrow_mut() = Some((banner, banner_root)));
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

/// Where a banner renders in the page's flow: the banner's shadow root, its host placed in
/// the host page's slot (looked up afresh each time, so a slot a single-page app renders late
/// is used, whatever the banner's position), else, for a `top` banner, as the first child of
/// `<body>`. `None` for a bottom banner without a slot (it stays an overlay at the bottom
/// edge), before [`mount`], or when the DOM refuses.
pub fn banner_root(top: bool) -> Option<Element> {
    let document = web_sys::window()?.document()?;
    let (host, root) = BANNER.with(|b| b.borrow().clone())?;
    let parent = host.parent_element();
    match document.query_selector(SLOT).ok().flatten() {
        Some(slot) => {
            if parent.as_ref() != Some(&slot) {
                slot.append_child(&host).ok()?;
            }
        }
        None if top => {
            let body = document.body()?;
            if parent.as_ref() != Some(&body) {
                body.insert_before(&host, body.first_child().as_ref())
                    .ok()?;
            }
        }
        None => return None,
    }
    Some(root)
}

/// Take the banner's host out of the page once no banner shows, so an empty element does not
/// linger in the host's layout.
pub fn remove_banner_host() {
    BANNER.with(|b| {
        if let Some((host, _)) = &*b.borrow() {
            host.remove();
        }
    });
}
