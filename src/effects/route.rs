//! Detecting client-side route changes so page-targeted nudges follow a single-page app
//! without the host calling `page()`: `history.pushState`/`replaceState` are wrapped (the
//! originals always run, with the host's arguments, and their result or exception is the
//! host's to see), and `popstate`/`hashchange` are listened to. A change of URL re-decides
//! as a page load, once per distinct URL: the caller's callback runs, and it reads the new
//! page with [`current_page`].
use std::cell::RefCell;
use std::rc::Rc;
use touchpoint_core::context::Page;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};

thread_local! {
    static LAST: RefCell<String> = const { RefCell::new(String::new()) };
}

fn href() -> String {
    web_sys::window()
        .and_then(|w| w.location().href().ok())
        .unwrap_or_default()
}

/// The page the browser is on.
pub fn current_page() -> Page {
    let Some(w) = web_sys::window() else {
        return Page::default();
    };
    let loc = w.location();
    Page {
        url: loc.href().unwrap_or_default(),
        path: loc.pathname().unwrap_or_default(),
        title: w.document().map(|d| d.title()).unwrap_or_default(),
    }
}

type OnChange = Rc<dyn Fn()>;

/// Call `on_change` if the URL changed since the last look. Deferred a tick, so the host's
/// own handlers (a new title, new content) run first.
fn changed(on_change: &OnChange) {
    let on_change = on_change.clone();
    gloo::timers::callback::Timeout::new(0, move || {
        let now = href();
        let moved = LAST.with(|l| {
            let mut l = l.borrow_mut();
            (*l != now).then(|| *l = now)
        });
        if moved.is_some() {
            on_change();
        }
    })
    .forget();
}

/// Start watching; `on_change` runs once per new URL. Safe to call once; any step that fails
/// leaves the host untouched.
pub fn watch(on_change: impl Fn() + 'static) {
    let Some(window) = web_sys::window() else {
        return;
    };
    let on_change: OnChange = Rc::new(on_change);
    LAST.with(|l| *l.borrow_mut() = href());
    if let Ok(history) = window.history() {
        let history: JsValue = history.into();
        for name in ["pushState", "replaceState"] {
            let Ok(original) = js_sys::Reflect::get(&history, &JsValue::from_str(name))
                .and_then(|f| f.dyn_into::<js_sys::Function>())
            else {
                continue;
            };
            let this = history.clone();
            let on_change = on_change.clone();
            let wrapper =
                Closure::<dyn Fn(JsValue, JsValue, JsValue) -> Result<JsValue, JsValue>>::new(
                    move |state: JsValue, title: JsValue, url: JsValue| {
                        // `undefined` for an omitted optional argument means "not passed".
                        let result = original.call3(&this, &state, &title, &url);
                        changed(&on_change);
                        result
                    },
                );
            if js_sys::Reflect::set(&history, &JsValue::from_str(name), wrapper.as_ref()).is_ok() {
                wrapper.forget();
            }
        }
    }
    for event in ["popstate", "hashchange"] {
        let on_change = on_change.clone();
        gloo::events::EventListener::new(&window, event, move |_| changed(&on_change)).forget();
    }
}
