//! The runtime owns the widget's state: it runs the pure reducer for each action with the
//! current time and fresh entropy, performs the effects the reducer asks for, and hands a
//! snapshot to the view. Actions that arrive before start-up has finished wait, in order.
//! Events go to [`crate::delivery`], which persists, batches and sends them.
use crate::delivery::{self, consent::Category};
use crate::effects::{http, platform, storage};
use crate::state::{Action, Effect, Tick, WidgetState};
use std::cell::RefCell;
use std::rc::Rc;
use touchpoint_core::campaign::Category as CampaignCategory;
use touchpoint_core::{Campaign, Event, EventKind};
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
    static EARLY: RefCell<Vec<(Action, Option<Category>)>> = const { RefCell::new(Vec::new()) };
}

/// Install the runtime; actions dispatched before this are replayed now.
pub fn init(config: Config) {
    let journal = storage::load_journal(&config.key);
    delivery::browser::start(&config.api, &config.key);
    let config_key = config.key.clone();
    let anonymous_id = storage::get(&config.key, "anonymous_id").unwrap_or_else(|| {
        let id = format!("anon-{}", platform::new_event_id());
        if let Err(e) = storage::set(&config.key, "anonymous_id", &id) {
            warn(&format!("cannot remember this browser's anonymous id: {e}"));
        }
        id
    });
    let session_id =
        storage::tab_session(&config.key, || format!("s-{}", platform::new_event_id()));
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
    for (action, category) in EARLY.with(|e| std::mem::take(&mut *e.borrow_mut())) {
        dispatch_as(action, category);
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
    dispatch_as(action, None);
}

/// [`dispatch`], with the consent category the host gave for the `track` events the action
/// sends (`touchpoint.track(name, props, {category})`; `None`: the default).
pub fn dispatch_as(action: Action, track_category: Option<Category>) {
    let tick = Tick {
        now: platform::now(),
        entropy: platform::random10(),
    };
    // Taken, not cloned: an action can carry the whole catalog.
    let mut pending = Some(action);
    let done = RUNTIME.with(|r| {
        let mut r = r.borrow_mut();
        let rt = r.as_mut()?;
        let effects = rt.state.reduce(pending.take()?, tick);
        Some((
            effects,
            Rc::new(rt.state.clone()),
            rt.view.clone(),
            rt.config.clone(),
        ))
    });
    let Some((effects, snapshot, view, config)) = done else {
        if let Some(action) = pending {
            EARLY.with(|e| e.borrow_mut().push((action, track_category)));
        }
        return;
    };
    for effect in effects {
        perform(effect, &snapshot, &config, track_category);
    }
    if let Some(view) = view {
        view.emit(snapshot);
    }
}

fn perform(effect: Effect, state: &WidgetState, config: &Config, track_category: Option<Category>) {
    match effect {
        Effect::Send(event) => {
            crate::listeners::event(&event);
            let category = category_of(&event, &state.campaigns, track_category);
            delivery::browser::record(&wire(&event, state), category);
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
            // Checked again here (issue 9): the catalog may come from an older collector or
            // straight from the API, and filled-in tokens make a new URL.
            if !touchpoint_core::link::is_safe(&url) {
                warn(&format!("refused to open \"{url}\": only https:, http:, mailto:, tel: and relative links are followed"));
            } else if let Some(w) = web_sys::window() {
                let _ = w.location().assign(&url);
            }
        }
    }
}

/// The event as the collector takes it: the identity signature rides along with events of the
/// signed user (the collector checks and strips it). This is the one place the core's `Event`
/// becomes JSON; delivery treats the result as an opaque object with a string `id`.
fn wire(event: &Event, state: &WidgetState) -> serde_json::Value {
    let mut v = event.to_json_value();
    if let Some(hash) = state
        .user_hash
        .as_ref()
        .filter(|_| event.user_id.is_some() && event.user_id == state.user.id)
    {
        v["user_hash"] = serde_json::Value::String(hash.clone());
    }
    v
}

/// The consent category of an event: its campaign's for campaign events, the host's choice
/// for `track` events, `service` otherwise.
fn category_of(event: &Event, campaigns: &[Campaign], track: Option<Category>) -> Category {
    if event.kind == EventKind::Track {
        if let Some(c) = track {
            return c;
        }
    }
    let campaign = event
        .campaign_id
        .as_deref()
        .and_then(|id| campaigns.iter().find(|c| c.id == id));
    match campaign.map(|c| c.category) {
        Some(CampaignCategory::Marketing) => Category::Marketing,
        Some(CampaignCategory::Service) | None => Category::Service,
    }
}

/// One console warning, prefixed so vendors can find it.
pub fn warn(message: &str) {
    gloo::console::warn!(format!("[touchpoint] {message}"));
}
