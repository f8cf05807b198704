//! The entry points the loader calls. `start` boots the widget; `command` carries every
//! `window.touchpoint.*` call. The loader replays the calls the host queued before the widget
//! arrived and only then records the page view (`command("page")`), so that the first page
//! view carries the identity the host queued (issue 11). Nothing here throws into the host
//! page: bad arguments become a console warning.
use crate::delivery::{
    self,
    consent::{Category, Consent},
};
use crate::effects::platform::warn;
use crate::effects::route::current_page;
use crate::effects::{http, mount, observe, storage};
use crate::runtime::{self, Config};
use crate::state::Action;
use std::rc::Rc;
use touchpoint_core::context::Traits;
use wasm_bindgen::prelude::*;

/// Boot the widget: `options` is `{key, api, css, anchorWait}` from the loader (`anchorWait`,
/// optional: the script tag's `data-anchor-wait`, in ms).
#[wasm_bindgen]
pub fn start(options: JsValue) {
    let get = |name: &str| {
        js_sys::Reflect::get(&options, &JsValue::from_str(name))
            .ok()
            .and_then(|v| v.as_string())
    };
    if let Some(ms) = get("anchorWait").and_then(|ms| ms.parse().ok()) {
        observe::set_anchor_wait(ms);
    }
    let (Some(key), Some(api), Some(css)) = (get("key"), get("api"), get("css")) else {
        warn("start needs {key, api, css}; the widget stays off");
        return;
    };
    let api = if api.ends_with('/') {
        api
    } else {
        format!("{api}/")
    };
    runtime::init(Config {
        key: key.clone(),
        api: api.clone(),
    });
    let lang = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.document_element())
        .and_then(|e| e.get_attribute("lang"))
        .unwrap_or_default();
    runtime::dispatch(Action::PageLang(lang));
    // The first page view is the loader's `page` command, after the host's queued calls.
    runtime::watch_route();
    wasm_bindgen_futures::spawn_local(async move {
        match mount::mount(&css).await {
            Ok(root) => {
                yew::Renderer::<crate::components::App>::with_root(root).render();
            }
            Err(e) => {
                warn(&format!("cannot mount: {e}"));
                return;
            }
        }
        load_campaigns(&api, &key).await;
    });
}

/// Fetch the catalog and decide over it; remember it, so that a later visit during an outage
/// (offline, the collector down) still starts with the campaigns of the last good answer.
async fn load_campaigns(api: &str, key: &str) {
    // Read once: the stand-in during an outage, and what a fresh answer is compared with
    // before it is written (an unchanged catalog is not rewritten).
    let cached = storage::get(key, CATALOG);
    let body = match (http::fetch_catalog(api, key).await, &cached) {
        (Ok(body), _) => body,
        (Err(e), Some(cached)) if e.is_outage() => {
            warn(&format!(
                "cannot load campaigns ({e}); using the ones cached on an earlier visit"
            ));
            cached.clone()
        }
        (Err(e), _) => return warn(&format!("cannot load campaigns: {e}")),
    };
    match http::read_catalog(&body) {
        Ok((campaigns, skipped, policy)) => {
            for s in skipped {
                warn(&format!("campaign {} skipped: {}", s.id, s.error));
            }
            if cached.as_deref() != Some(body.as_str()) {
                if let Err(e) = storage::set(key, CATALOG, &body) {
                    warn(&format!(
                        "cannot cache the campaigns for offline start: {e}"
                    ));
                }
            }
            runtime::dispatch(Action::PolicyLoaded(Rc::new(policy)));
            runtime::dispatch(Action::CampaignsLoaded(campaigns));
        }
        Err(e) => warn(&format!("cannot read the campaign catalog: {e}")),
    }
}

/// The storage name of the last good catalog.
const CATALOG: &str = "catalog";

/// A JS object as traits (anything else: empty).
fn traits(v: &JsValue) -> Traits {
    if v.is_object() {
        // As JSON data (functions and `undefined` become null).
        match crate::json::from_js(v) {
            serde_json::Value::Object(map) => map,
            _ => Traits::new(),
        }
    } else {
        Traits::new()
    }
}

fn text(v: &JsValue) -> Option<String> {
    v.as_string()
        // Whole numbers only (a numeric user id); formatted without float machinery.
        .or_else(|| {
            v.as_f64()
                .filter(|n| n.fract() == 0.0 && n.abs() < 9e15)
                .map(|n| (n as i64).to_string())
        })
        .filter(|s| !s.is_empty())
}

/// Run one `window.touchpoint.<name>(...args)` call.
#[wasm_bindgen]
pub fn command(name: &str, args: js_sys::Array) {
    let arg = |i: u32| args.get(i);
    let action = match name {
        "identify" => {
            let Some(user_id) = text(&arg(0)) else {
                return warn("identify(userId, traits, options) needs a non-empty userId");
            };
            let options = traits(&arg(2));
            let account = options
                .get("account")
                .and_then(|a| a.as_object())
                .and_then(|a| {
                    let id = a.get("id").and_then(|v| {
                        v.as_str()
                            .map(str::to_owned)
                            .or_else(|| v.as_i64().map(|n| n.to_string()))
                    })?;
                    let mut traits = a.clone();
                    traits.remove("id");
                    Some((id, traits))
                });
            let user_hash = options
                .get("userHash")
                .and_then(|h| h.as_str())
                .map(str::to_owned);
            Action::Identify {
                user_id,
                user_hash,
                traits: traits(&arg(1)),
                account,
            }
        }
        "page" => Action::Page(current_page()),
        "track" => {
            let Some(name) = text(&arg(0)) else {
                return warn("track(name, props) needs a name");
            };
            let category = match track_category(&arg(2)) {
                Ok(c) => c,
                Err(message) => return warn(message),
            };
            Action::Track {
                name,
                props: traits(&arg(1)),
                category,
            }
        }
        "show" => {
            let Some(id) = text(&arg(0)) else {
                return warn("show(campaignId) needs a campaign id");
            };
            Action::Show(id)
        }
        "hide" => Action::Hide,
        "consent" => return consent(&arg(0)),
        "on" | "off" => {
            let (Some(event), Ok(f)) = (text(&arg(0)), arg(1).dyn_into::<js_sys::Function>())
            else {
                return warn(&format!(
                    "{name}(eventName, fn) needs a name and a function"
                ));
            };
            if name == "on" {
                crate::listeners::on(event, f);
            } else {
                crate::listeners::off(&event, &f);
            }
            return;
        }
        "reset" => Action::Reset,
        other => {
            return warn(&format!(
                "touchpoint.{other} is not supported by this version"
            ))
        }
    };
    runtime::dispatch(action);
}

/// The optional third argument of `track(name, props, {category})`: `"service"` (the
/// default) or `"marketing"`, which decides whether `consent("essential")` lets it through.
fn track_category(options: &JsValue) -> Result<Category, &'static str> {
    if !options.is_object() {
        return Ok(Category::Service);
    }
    let given = js_sys::Reflect::get(options, &JsValue::from_str("category"))
        .ok()
        .filter(|v| !v.is_undefined());
    match given {
        None => Ok(Category::Service),
        Some(v) => v
            .as_string()
            .as_deref()
            .and_then(Category::parse)
            .ok_or("track: options.category must be \"service\" or \"marketing\""),
    }
}

/// `consent(state)`: `"all"`, `"essential"` or `"none"`; remembered across visits. Delivery
/// applies it first (to what is queued, and to what comes next), then the widget re-decides
/// under it.
fn consent(state: &JsValue) {
    match state.as_string().as_deref().map(Consent::parse) {
        Some(Ok(c)) => {
            delivery::browser::consent(c);
            runtime::dispatch(Action::Consent(c));
        }
        Some(Err(e)) => warn(&format!("consent: {e}")),
        None => warn("consent(state) needs \"all\", \"essential\" or \"none\""),
    }
}
