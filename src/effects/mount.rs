//! Mounting the widget into the host page: a `<touchpoint-widget>` element at the end of the
//! body with an open Shadow DOM root, holding the widget's stylesheet (a `<link>` to the hosted
//! file, which a strict `style-src 'self'` CSP allows) and the element Yew renders into. Page
//! CSS cannot reach inside, and the widget's CSS cannot leak out.
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{Element, ShadowRootInit, ShadowRootMode};

/// Why mounting failed.
#[derive(Debug, thiserror::Error)]
pub enum MountError {
    /// No `window`/`document`/`body` (not a browser page).
    #[error("no document body to mount into")]
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

/// The custom element name of the shadow host. A custom element, not a `div`, so that host
/// rules such as `div { display: none !important }` do not match it.
pub const HOST_TAG: &str = "touchpoint-widget";

/// Create the shadow host and root, link the stylesheet, and return the element to render
/// into once the stylesheet has loaded (or failed: the widget then renders unstyled rather
/// than not at all).
///
/// # Errors
/// When there is no document body or a DOM call fails.
pub async fn mount(css_url: &str) -> Result<Element, MountError> {
    let document = web_sys::window()
        .and_then(|w| w.document())
        .ok_or(MountError::NoDocument)?;
    let body = document.body().ok_or(MountError::NoDocument)?;
    let host = document
        .create_element(HOST_TAG)
        .map_err(dom("creating the host element"))?;
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
    let loaded = js_sys::Promise::new(&mut |resolve, _reject| {
        let done = Closure::once_into_js(move || {
            let _ = resolve.call0(&JsValue::NULL);
        });
        let l: &web_sys::EventTarget = link.unchecked_ref();
        let _ = l.add_event_listener_with_callback("load", done.unchecked_ref());
        let _ = l.add_event_listener_with_callback("error", done.unchecked_ref());
    });
    body.append_child(&host)
        .map_err(dom("appending the host element"))?;
    let _ = wasm_bindgen_futures::JsFuture::from(loaded).await;
    Ok(root)
}
