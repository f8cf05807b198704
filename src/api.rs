//! The entry points the loader calls. `start` boots the widget; `command` carries every
//! `window.touchpoint.*` call. Nothing here throws into the host page: bad arguments become a
//! console warning.
use crate::delivery::{
    self,
    consent::{Category, Consent},
};
use crate::effects::{http, mount};
use crate::runtime::{self, Config};
use crate::state::Action;
use wasm_bindgen::prelude::*;

/// Boot the widget: `options` is `{key, api, css}` from the loader.
#[wasm_bindgen]
pub fn start(options: JsValue) {
    let get = |name: &str| {
        js_sys::Reflect::get(&options, &JsValue::from_str(name))
            .ok()
            .and_then(|v| v.as_string())
    };
    let (Some(key), Some(api), Some(css)) = (get("key"), get("api"), get("css")) else {
        runtime::warn("start needs {key, api, css}; the widget stays off");
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
    if let Some(path) = web_sys::window().and_then(|w| w.location().pathname().ok()) {
        runtime::dispatch(Action::Page { path });
    }
    wasm_bindgen_futures::spawn_local(async move {
        match mount::mount(&css).await {
            Ok(root) => {
                yew::Renderer::<crate::components::App>::with_root(root).render();
            }
            Err(e) => {
                runtime::warn(&format!("cannot mount: {e}"));
                return;
            }
        }
        match http::fetch_campaigns(&api, &key).await {
            Ok((campaigns, skipped)) => {
                for s in skipped {
                    runtime::warn(&format!("campaign {} skipped: {}", s.id, s.reason));
                }
                runtime::dispatch(Action::CampaignsLoaded(campaigns));
            }
            Err(e) => runtime::warn(&format!("cannot load campaigns: {e}")),
        }
    });
}

/// Run one `window.touchpoint.<name>(...args)` call.
#[wasm_bindgen]
pub fn command(name: &str, args: js_sys::Array) {
    let arg = |i: u32| args.get(i);
    let action = match name {
        "identify" => {
            let id = arg(0);
            let user_id = id
                .as_string()
                .or_else(|| id.as_f64().map(|n| n.to_string()));
            match user_id {
                Some(user_id) if !user_id.is_empty() => Action::Identify { user_id },
                _ => {
                    return runtime::warn(
                        "identify(userId, traits, options) needs a non-empty userId",
                    )
                }
            }
        }
        "page" => {
            let path = web_sys::window()
                .and_then(|w| w.location().pathname().ok())
                .unwrap_or_default();
            Action::Page { path }
        }
        "hide" => Action::Hide,
        "track" => return track(&args),
        "consent" => return consent(&arg(0)),
        "reset" => Action::Reset,
        other => {
            return runtime::warn(&format!(
                "touchpoint.{other} is not supported by this version"
            ))
        }
    };
    runtime::dispatch(action);
}

/// `track(event, properties, {category})`: `category` is `"service"` (the default) or
/// `"marketing"`, which decides whether `consent("essential")` lets it through.
fn track(args: &js_sys::Array) {
    if args.get(0).as_string().is_none_or(|name| name.is_empty()) {
        return runtime::warn("track(event, properties) needs a non-empty event name");
    }
    let options = args.get(2);
    let category = if options.is_object() {
        let given = js_sys::Reflect::get(&options, &JsValue::from_str("category"))
            .ok()
            .filter(|v| !v.is_undefined());
        match given.map(|v| v.as_string().as_deref().and_then(Category::parse)) {
            None => Category::default(),
            Some(Some(c)) => c,
            Some(None) => {
                return runtime::warn(
                    "track: options.category must be \"service\" or \"marketing\"",
                )
            }
        }
    } else {
        Category::default()
    };
    runtime::track(category);
}

/// `consent(state)`: `"all"`, `"essential"` or `"none"`; remembered across visits.
fn consent(state: &JsValue) {
    match state.as_string().as_deref().map(Consent::parse) {
        Some(Ok(c)) => delivery::browser::consent(c),
        Some(Err(e)) => runtime::warn(&format!("consent: {e}")),
        None => runtime::warn("consent(state) needs \"all\", \"essential\" or \"none\""),
    }
}
