//! The runtime owns the widget's state: it runs the pure reducer for each action, performs the
//! effects the reducer asks for, and hands a snapshot to the view. Actions that arrive before
//! start-up has finished wait in order.
use crate::effects::{http, platform, storage};
use crate::state::{Action, Effect, Emit, WidgetState};
use std::cell::RefCell;
use std::rc::Rc;
use touchpoint_core::Event;
use yew::Callback;

/// Where the widget talks to, from the loader.
#[derive(Debug, Clone)]
pub struct Config {
    /// Publishable key.
    pub key: String,
    /// Collector base URL, ending in `/`.
    pub api: String,
}

struct Runtime {
    config: Config,
    state: WidgetState,
    view: Option<Callback<Rc<WidgetState>>>,
    outbox: Vec<Event>,
    sending: bool,
}

thread_local! {
    static RUNTIME: RefCell<Option<Runtime>> = const { RefCell::new(None) };
    static EARLY: RefCell<Vec<Action>> = const { RefCell::new(Vec::new()) };
}

/// Install the runtime; actions dispatched before this are replayed now.
pub fn init(config: Config) {
    let dismissed = storage::load_dismissed(&config.key);
    RUNTIME.with(|r| {
        *r.borrow_mut() = Some(Runtime {
            config,
            state: WidgetState::default(),
            view: None,
            outbox: Vec::new(),
            sending: false,
        });
    });
    dispatch(Action::Restored { dismissed });
    for action in EARLY.with(|e| std::mem::take(&mut *e.borrow_mut())) {
        dispatch(action);
    }
}

/// Let the view receive state snapshots (and render the current one).
pub fn subscribe(view: Callback<Rc<WidgetState>>) {
    let snapshot = RUNTIME.with(|r| {
        let mut r = r.borrow_mut();
        let rt = r.as_mut()?;
        rt.view = Some(view.clone());
        Some(Rc::new(rt.state.clone()))
    });
    if let Some(s) = snapshot {
        view.emit(s);
    }
}

/// Apply an action: reduce, perform effects, render.
pub fn dispatch(action: Action) {
    let now = platform::now();
    let done = RUNTIME.with(|r| {
        let mut r = r.borrow_mut();
        let rt = r.as_mut()?;
        let effects = rt.state.reduce(action.clone(), now);
        Some((
            effects,
            Rc::new(rt.state.clone()),
            rt.view.clone(),
            rt.config.clone(),
        ))
    });
    let Some((effects, snapshot, view, config)) = done else {
        EARLY.with(|e| e.borrow_mut().push(action));
        return;
    };
    for effect in effects {
        perform(effect, &snapshot, &config);
    }
    if let Some(view) = view {
        view.emit(snapshot);
    }
}

fn perform(effect: Effect, state: &WidgetState, config: &Config) {
    match effect {
        Effect::Emit(Emit { kind, campaign_id }) => enqueue(Event {
            id: platform::new_event_id(),
            kind,
            ts: platform::now(),
            user_id: state.user_id.clone(),
            campaign_id: Some(campaign_id),
        }),
        Effect::SaveDismissed(ids) => {
            if let Err(e) = storage::save_dismissed(&config.key, &ids) {
                warn(&format!("could not remember a dismissal: {e}"));
            }
        }
        Effect::Open(url) => {
            if let Some(w) = web_sys::window() {
                let _ = w.location().assign(&url);
            }
        }
    }
}

fn enqueue(event: Event) {
    RUNTIME.with(|r| {
        if let Some(rt) = r.borrow_mut().as_mut() {
            rt.outbox.push(event);
        }
    });
    flush(0);
}

/// Send what is waiting; on failure keep it and retry with exponential backoff.
fn flush(attempt: u32) {
    let batch = RUNTIME.with(|r| {
        let mut r = r.borrow_mut();
        let rt = r.as_mut()?;
        if rt.sending || rt.outbox.is_empty() {
            return None;
        }
        rt.sending = true;
        Some((rt.outbox.clone(), rt.config.clone()))
    });
    let Some((events, config)) = batch else {
        return;
    };
    wasm_bindgen_futures::spawn_local(async move {
        let body = serde_json::json!({ "events": events }).to_string();
        let result = http::post_events(&config.api, &config.key, &body).await;
        let sent: Vec<String> = events.iter().map(|e| e.id.clone()).collect();
        RUNTIME.with(|r| {
            if let Some(rt) = r.borrow_mut().as_mut() {
                rt.sending = false;
                match &result {
                    Ok(())
                    | Err(http::HttpError::Status {
                        status: 400..=407 | 409..=428 | 430..=499,
                        ..
                    }) => {
                        rt.outbox.retain(|e| !sent.contains(&e.id));
                    }
                    Err(_) => {}
                }
            }
        });
        match result {
            Ok(()) => flush(0),
            Err(
                e @ http::HttpError::Status {
                    status: 400..=407 | 409..=428 | 430..=499,
                    ..
                },
            ) => {
                warn(&format!("the collector refused events: {e}"));
                flush(0);
            }
            Err(_) => {
                let delay = 1000u32.saturating_mul(1 << attempt.min(6));
                gloo::timers::callback::Timeout::new(delay, move || flush(attempt + 1)).forget();
            }
        }
    });
}

/// One console warning, prefixed so vendors can find it.
pub fn warn(message: &str) {
    gloo::console::warn!(format!("[touchpoint] {message}"));
}
