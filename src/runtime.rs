//! The runtime owns the widget's state: it runs the pure reducer for each action with the
//! current time and fresh entropy, performs the effects the reducer asks for, and hands a
//! snapshot to the view. Actions that arrive before start-up has finished wait, in order.
use crate::effects::{http, platform, storage};
use crate::state::{Action, Effect, Tick, WidgetState};
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
    outbox: Vec<serde_json::Value>,
    sending: bool,
}

thread_local! {
    static RUNTIME: RefCell<Option<Runtime>> = const { RefCell::new(None) };
    static EARLY: RefCell<Vec<Action>> = const { RefCell::new(Vec::new()) };
}

/// Install the runtime; actions dispatched before this are replayed now.
pub fn init(config: Config) {
    let journal = storage::load_journal(&config.key);
    let config_key = config.key.clone();
    let anonymous_id = storage::get(&config.key, "anonymous_id").unwrap_or_else(|| {
        let id = format!("anon-{}", platform::new_event_id());
        if let Err(e) = storage::set(&config.key, "anonymous_id", &id) {
            warn(&format!("cannot remember this browser's anonymous id: {e}"));
        }
        id
    });
    RUNTIME.with(|r| {
        *r.borrow_mut() = Some(Runtime {
            config,
            state: WidgetState::default(),
            view: None,
            outbox: Vec::new(),
            sending: false,
        });
    });
    dispatch(Action::Restored {
        anonymous_id,
        journal,
    });
    let progress = storage::get(&config_key, "progress")
        .map(|p| crate::state::Progress::from_json(&p))
        .unwrap_or_default();
    dispatch(Action::ProgressRestored(progress));
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
    let tick = Tick {
        now: platform::now(),
        entropy: platform::random10(),
    };
    let done = RUNTIME.with(|r| {
        let mut r = r.borrow_mut();
        let rt = r.as_mut()?;
        let effects = rt.state.reduce(action.clone(), tick);
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
        Effect::Send(event) => {
            crate::listeners::event(&event);
            enqueue(wire(&event, state));
        }
        Effect::SaveProgress(progress) => {
            if let Err(e) = storage::set(&config.key, "progress", &progress.to_json()) {
                warn(&format!("could not remember tour or feed progress: {e}"));
            }
        }
        Effect::Arm { campaign_id, arm } => crate::effects::observe::arm(campaign_id, arm),
        Effect::Disarm => crate::effects::observe::disarm(),
        Effect::Notify {
            name,
            campaign_id,
            detail,
        } => {
            warn(&format!("{name}: campaign {campaign_id}: {detail}"));
            crate::listeners::emit(name, Some(&campaign_id), |o| {
                let _ = js_sys::Reflect::set(o, &"detail".into(), &detail.as_str().into());
            });
        }
        Effect::SaveJournal(journal) => {
            if let Err(e) = storage::save_journal(&config.key, &journal) {
                warn(&format!("could not remember an engagement: {e}"));
            }
        }
        Effect::FetchHistory {
            user_id,
            user_hash,
            account_id,
        } => {
            let config = config.clone();
            wasm_bindgen_futures::spawn_local(async move {
                let q = http::HistoryQuery {
                    user_id: &user_id,
                    user_hash: user_hash.as_deref(),
                    account_id: account_id.as_deref(),
                };
                match http::fetch_history(&config.api, &config.key, &q).await {
                    Ok(events) => dispatch(Action::RemoteHistory(events)),
                    Err(e) => warn(&format!("cannot load this user's history: {e}")),
                }
            });
        }
        Effect::Open(url) => {
            if let Some(w) = web_sys::window() {
                let _ = w.location().assign(&url);
            }
        }
    }
}

/// The event as the collector takes it: the identity signature rides along with events of the
/// signed user (the collector checks and strips it).
fn wire(event: &Event, state: &WidgetState) -> serde_json::Value {
    let mut v = serde_json::to_value(event).unwrap_or_default();
    if let Some(hash) = state
        .user_hash
        .as_ref()
        .filter(|_| event.user_id.is_some() && event.user_id == state.user.id)
    {
        v["user_hash"] = serde_json::Value::String(hash.clone());
    }
    v
}

fn enqueue(event: serde_json::Value) {
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
        let done = match &result {
            Ok(()) => true,
            Err(http::HttpError::Status { status, .. }) => {
                (400..500).contains(status) && ![408, 429].contains(status)
            }
            Err(_) => false,
        };
        RUNTIME.with(|r| {
            if let Some(rt) = r.borrow_mut().as_mut() {
                rt.sending = false;
                if done {
                    rt.outbox
                        .retain(|e| !events.iter().any(|s| s["id"] == e["id"]));
                }
            }
        });
        match result {
            Ok(()) => flush(0),
            Err(e) if done => {
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
