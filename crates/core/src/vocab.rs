//! The shared vocabulary: the small types that campaigns, conditions, contexts and the
//! lifecycle all speak about, in one leaf module that imports nothing from the crate but [`time`](crate::time).
//!
//! Keeping them here is what keeps the crate's modules free of cycles: the condition
//! evaluator reads [`Traits`], [`Page`] and [`EventStats`] without knowing about the
//! decision context, and campaigns name [`Stage`]s and [`Phase`]s without knowing how the
//! lifecycle is derived.
//!
//! Every named enumeration is declared with [`named!`](crate::named), so each variant's
//! snake_case name is written exactly once, beside the variant: validation, the compiled
//! catalog's encoder and decoder, and every message listing the allowed values read the
//! same table.
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Declare a fieldless enum whose variants each have one name, written once here: it gets
/// `NAMES` (every variant with its name, in order), `as_str`, `from_name`, `Display`, and
/// serde impls that write and read the name.
#[macro_export]
macro_rules! named {
    (
        $(#[$meta:meta])*
        pub enum $name:ident {
            $($(#[$vmeta:meta])* $variant:ident = $text:literal,)+
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name {
            $($(#[$vmeta])* $variant,)+
        }

        impl $name {
            /// Every variant with its name, in declaration order.
            pub const NAMES: &'static [(&'static str, $name)] = &[$(($text, $name::$variant),)+];

            /// The name used in campaign files and on the wire.
            pub const fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $text,)+
                }
            }

            /// The variant called `name`, if any.
            pub fn from_name(name: &str) -> Option<$name> {
                Self::NAMES.iter().find(|(n, _)| *n == name).map(|(_, v)| *v)
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl ::serde::Serialize for $name {
            fn serialize<S: ::serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl<'de> ::serde::Deserialize<'de> for $name {
            fn deserialize<D: ::serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let name = String::deserialize(d)?;
                $name::from_name(&name).ok_or_else(|| {
                    let names: Vec<&str> = Self::NAMES.iter().map(|(n, _)| *n).collect();
                    <D::Error as ::serde::de::Error>::custom(format!(
                        "unknown value `{name}`, expected one of {}",
                        names.join(", ")
                    ))
                })
            }
        }
    };
}

named! {
    /// A stage of the post-sale journey.
    pub enum Stage {
        /// Onboarding after the sale.
        Acquisition = "acquisition",
        /// Adoption, steady state, growth.
        Service = "service",
        /// Renewal, expansion, advocacy.
        Loyalty = "loyalty",
        /// After the contract's end without a new end date: no renewal motion targets it
        /// unless a campaign names this stage or phase.
        Lapsed = "lapsed",
    }
}

named! {
    /// A phase within a stage.
    pub enum Phase {
        /// Contract start → first value.
        Onboarding = "onboarding",
        /// First value → + adoption window.
        Adoption = "adoption",
        /// After adoption, outside the renewal window.
        SteadyState = "steady_state",
        /// Signal: usage nears plan limits (Service).
        Growth = "growth",
        /// Contract end − renewal window → contract end.
        Renewal = "renewal",
        /// Signal inside the renewal window.
        Expansion = "expansion",
        /// Signal: promoters and power users.
        Advocacy = "advocacy",
        /// From the contract end on, until a new end date arrives.
        Lapsed = "lapsed",
    }
}

impl Phase {
    /// The stage a phase belongs to.
    pub const fn stage(self) -> Stage {
        match self {
            Phase::Onboarding => Stage::Acquisition,
            Phase::Adoption | Phase::SteadyState | Phase::Growth => Stage::Service,
            Phase::Renewal | Phase::Expansion | Phase::Advocacy => Stage::Loyalty,
            Phase::Lapsed => Stage::Lapsed,
        }
    }

    /// Whether this is a signal-driven motion (growth, expansion, advocacy), which comes on
    /// top of a time phase rather than instead of one.
    pub const fn is_signal(self) -> bool {
        matches!(self, Phase::Growth | Phase::Expansion | Phase::Advocacy)
    }
}

impl Stage {
    /// The time phase an explicit stage implies when the derived phase is of another stage.
    pub const fn default_phase(self) -> Phase {
        match self {
            Stage::Acquisition => Phase::Onboarding,
            Stage::Service => Phase::SteadyState,
            Stage::Loyalty => Phase::Renewal,
            Stage::Lapsed => Phase::Lapsed,
        }
    }
}

named! {
    /// What a campaign is for (reporting).
    pub enum Goal {
        /// Drive feature adoption.
        Adoption = "adoption",
        /// Announce something.
        Announcement = "announcement",
        /// Collect feedback.
        Feedback = "feedback",
        /// Secure the renewal.
        Renewal = "renewal",
        /// Sell more.
        Expansion = "expansion",
        /// Turn promoters into advocates.
        Advocacy = "advocacy",
    }
}

named! {
    /// A campaign's consent category.
    pub enum Category {
        /// Part of the service; always allowed.
        Service = "service",
        /// Marketing; needs consent.
        Marketing = "marketing",
    }
}

named! {
    /// Which side of a campaign's experiment a user is on. Both arms are placed alike (slot,
    /// overlays per session, weekly limit) and count their exposures alike; only the
    /// treatment arm is rendered.
    pub enum Arm {
        /// Sees the nudge.
        Treatment = "treatment",
        /// Eligible and placed, but shown nothing, so the campaign's lift can be measured.
        Holdout = "holdout",
    }
}

named! {
    /// Which team a lead goes to.
    pub enum Team {
        /// Sales (expansion).
        Sales = "sales",
        /// Marketing (advocacy).
        Marketing = "marketing",
        /// Customer success.
        Success = "success",
    }
}

named! {
    /// Per-user or per-account cap scope.
    pub enum CapScope {
        /// This user.
        User = "user",
        /// All users of the account together.
        Account = "account",
    }
}

named! {
    /// Which edge of the viewport a banner sits on.
    #[derive(Default)]
    pub enum BannerPosition {
        /// The top (the default).
        #[default]
        Top = "top",
        /// The bottom.
        Bottom = "bottom",
    }
}

named! {
    /// What makes a campaign appear: the `on` of a trigger.
    pub enum TriggerKind {
        /// A page load whose URL matches.
        PageLoad = "page_load",
        /// A tracked event.
        Event = "event",
        /// An element becoming visible.
        ElementVisible = "element_visible",
        /// A delay after a matching page load.
        Delay = "delay",
        /// Only an explicit `show(id)`.
        Manual = "manual",
    }
}

named! {
    /// How a nudge is presented: the `kind` of a format.
    pub enum FormatKind {
        /// A strip across the page.
        Banner = "banner",
        /// A centred dialog.
        Modal = "modal",
        /// A panel sliding in from the side.
        Slideout = "slideout",
        /// A tooltip anchored to a host element.
        Tooltip = "tooltip",
        /// A pulsing hotspot on a host element.
        Hotspot = "hotspot",
        /// A multi-step tour.
        Tour = "tour",
        /// A checklist.
        Checklist = "checklist",
        /// A survey.
        Survey = "survey",
        /// A short-lived notice.
        Toast = "toast",
        /// An item in the feed.
        Feed = "feed",
    }
}

named! {
    /// The kind of survey: the `survey` of a survey format.
    pub enum SurveyType {
        /// Net Promoter Score, 0–10.
        Nps = "nps",
        /// Customer satisfaction, 1–5.
        Csat = "csat",
        /// One of the choices.
        SingleChoice = "single_choice",
        /// Free text.
        FreeText = "free_text",
    }
}

named! {
    /// What a call to action does: the `action` of a CTA.
    pub enum ActionKind {
        /// Open a URL.
        OpenUrl = "open_url",
        /// Track an event.
        Track = "track",
        /// Dismiss the nudge.
        Dismiss = "dismiss",
        /// Snooze the nudge.
        Snooze = "snooze",
        /// Book a meeting (a scheduling link).
        BookMeeting = "book_meeting",
    }
}

/// Traits as sent by the host: a JSON object.
pub type Traits = serde_json::Map<String, serde_json::Value>;

/// The page being viewed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Page {
    /// Full URL.
    pub url: String,
    /// Path part, e.g. `/invoices/new`.
    pub path: String,
    /// Document title.
    pub title: String,
}

/// What is known about one tracked event for this user.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventStat {
    /// How many times it was tracked.
    pub count: u64,
    /// When it was last tracked, in milliseconds since the epoch.
    pub last_seen: Option<crate::time::Timestamp>,
}

/// Per-event statistics, by tracked event name, sorted by name.
///
/// A sorted list rather than a `BTreeMap`: every distinct map type costs the widget's wasm
/// kilobytes. It reads and writes as a JSON object, like the map it replaces.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EventStats(Vec<(String, EventStat)>);

impl EventStats {
    /// No statistics.
    pub fn new() -> EventStats {
        EventStats::default()
    }

    fn position(&self, name: &str) -> Result<usize, usize> {
        self.0.binary_search_by(|(k, _)| k.as_str().cmp(name))
    }

    /// The statistics of `name`, if it was tracked.
    pub fn get(&self, name: &str) -> Option<&EventStat> {
        self.position(name).ok().map(|i| &self.0[i].1)
    }

    /// The statistics of `name`, created empty if missing.
    pub fn entry(&mut self, name: &str) -> &mut EventStat {
        let i = self.position(name).unwrap_or_else(|i| {
            self.0.insert(i, (name.to_owned(), EventStat::default()));
            i
        });
        &mut self.0[i].1
    }

    /// Set the statistics of `name`.
    pub fn insert(&mut self, name: String, stat: EventStat) {
        *self.entry(&name) = stat;
    }

    /// Every tracked event, by name.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &EventStat)> {
        self.0.iter().map(|(k, v)| (k.as_str(), v))
    }
}

impl Serialize for EventStats {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_map(self.0.iter().map(|(k, v)| (k, v)))
    }
}

impl<'de> Deserialize<'de> for EventStats {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let map = BTreeMap::<String, EventStat>::deserialize(d)?;
        Ok(EventStats(map.into_iter().collect()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    #[test]
    fn names_are_read_back_and_unknown_names_refused() {
        assert_eq!(Phase::SteadyState.as_str(), "steady_state");
        assert_eq!(Phase::from_name("steady_state"), Some(Phase::SteadyState));
        assert_eq!(Stage::from_name("Service"), None);
        assert_eq!(
            serde_json::to_value(ActionKind::BookMeeting).unwrap(),
            "book_meeting"
        );
        assert_eq!(
            serde_json::from_value::<Team>("success".into()).unwrap(),
            Team::Success
        );
        let err = serde_json::from_value::<CapScope>("team".into()).unwrap_err();
        assert_eq!(
            err.to_string(),
            "unknown value `team`, expected one of user, account"
        );
    }

    #[test]
    fn phases_belong_to_their_stage() {
        let by_stage: Vec<(Phase, Stage)> =
            Phase::NAMES.iter().map(|(_, p)| (*p, p.stage())).collect();
        assert_eq!(
            by_stage,
            [
                (Phase::Onboarding, Stage::Acquisition),
                (Phase::Adoption, Stage::Service),
                (Phase::SteadyState, Stage::Service),
                (Phase::Growth, Stage::Service),
                (Phase::Renewal, Stage::Loyalty),
                (Phase::Expansion, Stage::Loyalty),
                (Phase::Advocacy, Stage::Loyalty),
                (Phase::Lapsed, Stage::Lapsed),
            ]
        );
    }
}
