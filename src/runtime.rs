//! The runtime owns the widget's state: it runs the pure reducer for each action, performs the
//! effects the reducer asks for, and hands a snapshot to the view. Actions that arrive before
//! start-up has finished wait in order. Events go to [`crate::delivery`], which persists and
//! sends them.
use crate::delivery::{self, consent::Category};
use crate::effects::{platform, storage};
use crate::state::{Action, Effect, Emit, WidgetState};
use std::cell::RefCell;
use std::rc::Rc;
use touchpoint_core::{Event, EventKind};
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
}

thread_local! {
    static RUNTIME: RefCell<Option<Runtime>> = const { RefCell::new(None) };
    static EARLY: RefCell<Vec<Action>> = const { RefCell::new(Vec::new()) };
}

/// Install the runtime; actions dispatched before this are replayed now.
pub fn init(config: Config) {
    let dismissed = storage::load_dismissed(&config.key);
    delivery::browser::start(&config.api, &config.key);
    RUNTIME.with(|r| {
        *r.borrow_mut() = Some(Runtime {
            config,
            state: WidgetState::default(),
            view: None,
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
        // Campaign events are `service` until the core's campaigns carry a category.
        Effect::Emit(Emit { kind, campaign_id }) => enqueue(
            &Event {
                id: platform::new_event_id(),
                kind,
                ts: platform::now(),
                user_id: state.user_id.clone(),
                campaign_id: Some(campaign_id),
            },
            Category::Service,
        ),
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

/// Give an event its final JSON form and hand it to delivery. This is the one place the
/// core's `Event` type is serialised; delivery treats the result as an opaque object with an
/// `id`.
fn enqueue(event: &Event, category: Category) {
    match serde_json::to_value(event) {
        Ok(value) => delivery::browser::record(&value, category),
        Err(e) => warn(&format!("could not record an event: {e}")),
    }
}

/// `touchpoint.track(...)`: record a `track` event for the current user. Minimal until the
/// core's event schema carries the event name and properties.
pub fn track(category: Category) {
    let user_id = RUNTIME.with(|r| r.borrow().as_ref().and_then(|rt| rt.state.user_id.clone()));
    enqueue(
        &Event {
            id: platform::new_event_id(),
            kind: EventKind::Track,
            ts: platform::now(),
            user_id,
            campaign_id: None,
        },
        category,
    );
}

/// One console warning, prefixed so vendors can find it.
pub fn warn(message: &str) {
    gloo::console::warn!(format!("[touchpoint] {message}"));
}
