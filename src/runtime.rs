//! The runtime owns the widget's state: it runs the pure reducer for each action with the
//! current time and fresh entropy, performs the effects the reducer asks for, and hands a
//! snapshot to the view. Actions that arrive before start-up has finished, or while another
//! action's effects run, wait, in order. The effects below it never call up: the runtime
//! hands them callbacks that dispatch (an arm's fire, a route change). Events go to
//! [`crate::delivery`], which persists, batches and sends them.
use crate::delivery;
use crate::effects::{http, observe, platform, route, storage};
use crate::state::{Action, Effect, Tick, WidgetState};
use std::cell::{Cell, RefCell};
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
}

thread_local! {
    static RUNTIME: RefCell<Option<Runtime>> = const { RefCell::new(None) };
    /// Actions waiting their turn: those dispatched before [`init`], and those dispatched
    /// while another action's effects run (a host listener calling `hide()` from `shown`).
    static PENDING: RefCell<Vec<Action>> = const { RefCell::new(Vec::new()) };
    /// An action's effects are running: a dispatch now waits in [`PENDING`].
    static BUSY: Cell<bool> = const { Cell::new(false) };
    /// The journal changed and is not saved yet.
    static JOURNAL_CHANGED: Cell<bool> = const { Cell::new(false) };
    /// When the journal was last written (ms since the epoch).
    static JOURNAL_SAVED_AT: Cell<i64> = const { Cell::new(0) };
}

/// How often, at most, the journal is written while the page is in use. It is one value of
/// up to 500 events (~170 KB of JSON, several ms to write): written after every event it was
/// most of what a `track()` cost with a full journal (issue 12). Now the first change after
/// a quiet spell is written when the task that made it is over, later ones at most every
/// few seconds, and all of them at once when the page is hidden or goes away. A crash loses
/// at most those few seconds of the journal, never an event: every event is in the queue,
/// and the collector's history brings it back.
const JOURNAL_EVERY_MS: i64 = 5_000;

/// Save the state's journal if it changed, unless it was written less than
/// [`JOURNAL_EVERY_MS`] ago and the page is not `hiding`. Delivery calls this after it writes
/// its buffer, on each of its ticks, and when the page is hidden.
fn save_journal(hiding: bool) {
    let now = platform::now().as_millis();
    let due = hiding || now >= JOURNAL_SAVED_AT.with(Cell::get) + JOURNAL_EVERY_MS;
    if !due || !JOURNAL_CHANGED.with(|c| c.replace(false)) {
        return;
    }
    JOURNAL_SAVED_AT.with(|t| t.set(now));
    let current = RUNTIME.with(|r| {
        let r = r.borrow();
        let rt = r.as_ref()?;
        Some((rt.config.key.clone(), rt.state.journal.clone()))
    });
    if let Some((key, journal)) = current {
        if let Err(e) = storage::save_journal(&key, &journal) {
            platform::warn(&format!("could not remember an engagement: {e}"));
        }
    }
}

/// Install the runtime; actions dispatched before this are replayed now.
pub fn init(config: Config) {
    let journal = storage::load_journal(&config.key);
    let config_key = config.key.clone();
    let anonymous_id = storage::get(&config.key, "anonymous_id").unwrap_or_else(|| {
        let id = format!("anon-{}", platform::new_event_id());
        if let Err(e) = storage::set(&config.key, "anonymous_id", &id) {
            platform::warn(&format!("cannot remember this browser's anonymous id: {e}"));
        }
        id
    });
    delivery::browser::start(&config.api, &config.key, &anonymous_id, save_journal);
    let session_id =
        storage::tab_session(&config.key, || format!("s-{}", platform::new_event_id()));
    let early = PENDING.with(|p| std::mem::take(&mut *p.borrow_mut()));
    RUNTIME.with(|r| {
        *r.borrow_mut() = Some(Runtime {
            config,
            state: WidgetState::default(),
            view: None,
        });
    });
    dispatch(Action::Restored {
        anonymous_id,
        session_id,
        journal,
    });
    let progress = storage::get(&config_key, "progress")
        .map(|p| crate::state::Progress::from_json(&p))
        .unwrap_or_default();
    dispatch(Action::ProgressRestored(progress));
    // The consent remembered from an earlier visit (delivery's stored choice).
    if let Some(consent) = storage::get(&config_key, "consent")
        .and_then(|c| crate::delivery::consent::Consent::parse(&c).ok())
    {
        dispatch(Action::Consent(consent));
    }
    for action in early {
        dispatch(action);
    }
}

/// Let the view receive state snapshots (and render the current one).
pub fn subscribe(view: Callback<Rc<WidgetState>>) {
    RUNTIME.with(|r| {
        if let Some(rt) = r.borrow_mut().as_mut() {
            rt.view = Some(view);
        }
    });
    render();
}

/// Hand the view a snapshot of the state as it is now.
fn render() {
    let view = RUNTIME.with(|r| {
        let r = r.borrow();
        let rt = r.as_ref()?;
        // Without the journal, which the view never reads: a snapshot sharing it would make
        // the reducer copy all of it (up to 500 events) on the next event it keeps.
        let mut snapshot = rt.state.clone();
        snapshot.journal = Rc::default();
        Some((rt.view.clone()?, Rc::new(snapshot)))
    });
    if let Some((view, snapshot)) = view {
        view.emit(snapshot);
    }
}

/// Apply an action: reduce, perform effects, render. An action dispatched while effects run
/// (re-entrantly, from a host listener) is reduced after them, in order, and the view gets
/// the state after the last one: the screen always matches the state (issue 10).
pub fn dispatch(action: Action) {
    PENDING.with(|p| p.borrow_mut().push(action));
    let ready = RUNTIME.with(|r| r.borrow().is_some());
    if !ready || BUSY.with(|b| b.replace(true)) {
        return;
    }
    loop {
        let batch = PENDING.with(|p| std::mem::take(&mut *p.borrow_mut()));
        if batch.is_empty() {
            break;
        }
        for action in batch {
            let tick = Tick {
                now: platform::now(),
                entropy: platform::random10(),
            };
            let done = RUNTIME.with(|r| {
                let mut r = r.borrow_mut();
                let rt = r.as_mut()?;
                Some((rt.state.reduce(action, tick), rt.config.clone()))
            });
            let Some((effects, config)) = done else {
                continue;
            };
            for effect in effects {
                perform(effect, &config);
            }
        }
    }
    BUSY.with(|b| b.set(false));
    render();
}

fn perform(effect: Effect, config: &Config) {
    match effect {
        Effect::Send {
            event,
            category,
            user_hash,
        } => {
            crate::listeners::event(&event);
            delivery::browser::record(wire(&event, user_hash), category);
        }
        Effect::SaveProgress(progress) => {
            if let Err(e) = storage::set(&config.key, "progress", &progress.to_json()) {
                platform::warn(&format!("could not remember tour or feed progress: {e}"));
            }
        }
        Effect::Arm { campaign_id, cue } => observe::arm(cue, move || {
            dispatch(Action::Fire {
                campaign_id: campaign_id.clone(),
            });
        }),
        Effect::Disarm => observe::disarm(),
        Effect::Notify {
            name,
            campaign_id,
            detail,
        } => {
            platform::warn(&format!("{name}: campaign {campaign_id}: {detail}"));
            crate::listeners::emit(name, Some(&campaign_id), |o| {
                let _ = js_sys::Reflect::set(o, &"detail".into(), &detail.as_str().into());
            });
        }
        // Saved by `save_journal`, which delivery calls when this task is over.
        Effect::SaveJournal(_) => {
            JOURNAL_CHANGED.with(|c| c.set(true));
            delivery::browser::flush_soon();
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
                    Ok(events) => dispatch(Action::RemoteHistory(Some(events))),
                    Err(e) => {
                        platform::warn(&format!("cannot load this user's history: {e}"));
                        dispatch(Action::RemoteHistory(None));
                    }
                }
            });
        }
        Effect::Open(url) => {
            // Checked again here (issue 9): the catalog may come from an older collector or
            // straight from the API, and filled-in tokens make a new URL.
            if !touchpoint_core::link::is_safe(&url) {
                platform::warn(&format!("refused to open \"{url}\": only https:, http:, mailto:, tel: and relative links are followed"));
            } else if let Some(w) = web_sys::window() {
                let _ = w.location().assign(&url);
            }
        }
    }
}

/// The event as the collector takes it, with the identity signature the reducer attached.
/// This is the one place the core's `Event` becomes JSON; delivery treats the result as an
/// opaque object with a string `id`.
fn wire(event: &Event, user_hash: Option<String>) -> serde_json::Value {
    let mut v = event.to_json_value();
    // Through the map, not `v["user_hash"] =`: `IndexMut` brings serde_json's panic path.
    if let (Some(hash), serde_json::Value::Object(map)) = (user_hash, &mut v) {
        map.insert("user_hash".into(), hash.into());
    }
    v
}

/// Start following the page: its route changes re-decide as page loads.
pub fn watch_route() {
    route::watch(|| dispatch(Action::Page(route::current_page())));
}
