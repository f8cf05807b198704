//! What [`decide`](crate::decide()) knows about the moment: who is looking (user, account),
//! where (page, locale), what they have done (event stats), this session's facts, and which
//! trigger occurrence asked for a decision.
//!
//! These are plain data with public fields so that the widget (from its JS facade) and the
//! server (from stored profiles) can fill them without ceremony.
use crate::bucket::Unit;
use crate::time::{Moment, Timestamp};
pub use crate::vocab::{EventStat, EventStats, Page, Traits};
use crate::vocab::{Phase, Stage};
use serde::{Deserialize, Serialize};

/// The person looking at the product.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct User {
    /// The host's user id, once identified.
    pub id: Option<String>,
    /// The widget's anonymous id, used for bucketing until the user is identified.
    pub anonymous_id: Option<String>,
    /// `user.*` in conditions.
    pub traits: Traits,
}

impl User {
    /// The id used for holdout and variant bucketing: the user id, else the anonymous id
    /// (an empty id counts as none). `None` when there is neither: such a user is never
    /// bucketed, rather than sharing the bucket of `""` with every other user without an id.
    /// An arm or variant recorded at the user's first exposure wins over this bucket (see
    /// [`History`](crate::History)), so an `identify` does not flip it.
    ///
    /// # Example
    /// ```
    /// use touchpoint_core::context::User;
    /// let mut u = User { id: Some(String::new()), anonymous_id: Some("anon-7".into()), ..User::default() };
    /// assert_eq!(u.bucketing_id().map(|b| b.as_str()), Some("anon-7"));
    /// u.anonymous_id = None;
    /// assert_eq!(u.bucketing_id(), None);
    /// ```
    pub fn bucketing_id(&self) -> Option<Unit<'_>> {
        (self.id.as_deref().and_then(Unit::new))
            .or_else(|| self.anonymous_id.as_deref().and_then(Unit::new))
    }
}

/// The dates that drive the time-based lifecycle phases: calendar dates (`2026-01-01`,
/// the same day in every zone) or instants (whose day is read in the vendor's zone).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct AccountDates {
    /// When the current contract term began (after a renewal, the new term's start).
    pub contract_start: Option<Moment>,
    /// When the account first reached value (optional; onboarding ends then). Kept across
    /// renewals: a first value before the term's start counts as reached.
    pub first_value: Option<Moment>,
    /// The end of the current contract (the renewal date): the first day it no longer
    /// covers.
    pub contract_end: Option<Moment>,
}

impl AccountDates {
    /// Read `contract_start`, `first_value` and `contract_end` (or `renewal_date`) from
    /// account traits holding `YYYY-MM-DD` or RFC 3339 text. Unreadable values are `None`.
    ///
    /// # Example
    /// ```
    /// use touchpoint_core::context::AccountDates;
    /// let traits = serde_json::json!({"contract_start": "2026-01-01", "renewal_date": "2027-01-01"});
    /// let d = AccountDates::from_traits(traits.as_object().unwrap());
    /// assert_eq!(d.contract_end, Moment::parse("2027-01-01"));
    /// assert_eq!(d.first_value, None);
    /// # use touchpoint_core::time::Moment;
    /// ```
    pub fn from_traits(traits: &Traits) -> AccountDates {
        let get = |k: &str| {
            traits
                .get(k)
                .and_then(|v| v.as_str())
                .and_then(Moment::parse)
        };
        AccountDates {
            contract_start: get("contract_start"),
            first_value: get("first_value"),
            contract_end: get("contract_end").or_else(|| get("renewal_date")),
        }
    }
}

/// The customer account the user belongs to.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Account {
    /// The host's account id.
    pub id: Option<String>,
    /// `account.*` in conditions.
    pub traits: Traits,
    /// Contract dates for the lifecycle.
    pub dates: AccountDates,
    /// A stage set explicitly by the vendor's CS platform; wins over derivation.
    pub stage: Option<Stage>,
    /// A phase set explicitly by the vendor: a time phase wins over derivation (and implies
    /// its stage); a signal motion (growth, expansion, advocacy) is added to the signals.
    /// One that does not belong to an explicit `stage` is ignored and reported (see
    /// [`derive`](crate::stage::derive())).
    pub phase: Option<Phase>,
}

impl Account {
    /// The account `id` as the host describes it in `identify`: its traits, its dates
    /// ([`AccountDates::from_traits`]) and an explicit `stage` and `phase` from the traits
    /// of those names (a name that is not a stage or phase is not one, and is ignored).
    ///
    /// # Example
    /// ```
    /// use touchpoint_core::context::Account;
    /// use touchpoint_core::{Phase, Stage};
    /// let traits = serde_json::json!({"stage": "service", "phase": "growth", "plan": "pro"});
    /// let a = Account::from_traits("acme".into(), traits.as_object().unwrap().clone());
    /// assert_eq!((a.stage, a.phase), (Some(Stage::Service), Some(Phase::Growth)));
    /// ```
    pub fn from_traits(id: String, traits: Traits) -> Account {
        let name = |k: &str| traits.get(k).and_then(|v| v.as_str()).unwrap_or_default();
        Account {
            id: Some(id),
            dates: AccountDates::from_traits(&traits),
            stage: Stage::from_name(name("stage")),
            phase: Phase::from_name(name("phase")),
            traits,
        }
    }
}

/// Facts about the current browser session.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Session {
    /// Overlay nudges (modal, slideout, survey, tour) already shown this session.
    pub modals_shown: u32,
    /// Campaign ids already shown this session (not shown again in the same session).
    pub shown: Vec<String>,
}

/// Consent state for marketing-category campaigns.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Consent {
    /// Whether marketing campaigns may be shown. Service campaigns need no consent.
    pub marketing: bool,
}

impl Default for Consent {
    fn default() -> Self {
        Consent { marketing: true }
    }
}

/// What asked for this decision.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Occurrence {
    /// A page (or SPA route) was loaded.
    #[default]
    PageLoad,
    /// The host tracked an event.
    Track {
        /// Event name.
        name: String,
    },
    /// The host called `show(id)`.
    Show {
        /// The campaign asked for.
        campaign_id: String,
    },
}

/// Everything [`decide`](crate::decide()) knows about the moment.
///
/// Serialisable (for server previews and simulations) except `policy`, which is set in
/// code: the catalog's (the widget reads it with the campaigns; the server has it from its
/// configuration), `Policy::default()` after deserialising. It is shared (`Rc`), so that
/// a decision does not copy the vendor's policy: change it with `Rc::make_mut` or replace
/// it (`ctx.policy = policy.into()`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Context {
    /// Who.
    pub user: User,
    /// Their account.
    pub account: Account,
    /// Where.
    pub page: Page,
    /// The user's locale, e.g. `fr-FR`.
    pub locale: String,
    /// Tracked-event statistics for the user.
    pub events: EventStats,
    /// This session's facts.
    pub session: Session,
    /// What asked for a decision.
    pub trigger: Occurrence,
    /// Consent state.
    pub consent: Consent,
    /// The decision policy: lifecycle windows, signals, time zone and global caps.
    #[serde(skip)]
    pub policy: std::rc::Rc<crate::policy::Policy>,
}

impl Context {
    /// The view of this context that conditions evaluate against.
    pub fn eval_context(&self, now: Timestamp) -> crate::expr::EvalContext<'_> {
        crate::expr::EvalContext {
            user: &self.user.traits,
            account: &self.account.traits,
            page: &self.page,
            locale: &self.locale,
            events: &self.events,
            now,
            zone: &self.policy.zone,
        }
    }
}
