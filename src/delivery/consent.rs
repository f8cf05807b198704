//! Consent: what the end user allowed, and which events that lets the widget record.
//!
//! The host reports the user's choice with `touchpoint.consent(state)`. Every event is queued
//! with a [`Category`]: `service` events are the ones the product cannot work without,
//! `marketing` events need consent `all`. A campaign event takes its campaign's category (the
//! core's `Campaign::category`); a `track` call chooses with an optional third argument
//! `{category: "marketing"}`; everything else (and a `track` without it) is `service`.
//!
//! This module is pure: parsing, the persisted spelling, and the filter. The browser layer
//! persists the state and applies it to the queue.
use std::fmt;

/// The user's consent, as given to `touchpoint.consent(state)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Consent {
    /// Record everything (the state before any `consent` call).
    #[default]
    All,
    /// Record only [`Category::Service`] events.
    Essential,
    /// Record nothing, and forget what is queued.
    None,
}

/// Why a consent state could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown consent state \"{0}\": expected \"all\", \"essential\" or \"none\"")]
pub struct UnknownConsent(pub String);

impl Consent {
    /// Read the spelling used by the JS API and in storage.
    ///
    /// # Errors
    /// [`UnknownConsent`] for anything but `all`, `essential` or `none`.
    ///
    /// # Example
    /// ```
    /// use touchpoint::delivery::consent::Consent;
    /// assert_eq!(Consent::parse("essential"), Ok(Consent::Essential));
    /// assert!(Consent::parse("maybe").is_err());
    /// ```
    pub fn parse(s: &str) -> Result<Self, UnknownConsent> {
        match s {
            "all" => Ok(Self::All),
            "essential" => Ok(Self::Essential),
            "none" => Ok(Self::None),
            other => Err(UnknownConsent(other.to_owned())),
        }
    }

    /// The spelling used by the JS API and in storage.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::All => "all",
            Self::Essential => "essential",
            Self::None => "none",
        }
    }

    /// May an event of `category` be recorded (and sent) under this consent?
    pub const fn allows(self, category: Category) -> bool {
        match self {
            Self::All => true,
            Self::Essential => matches!(category, Category::Service),
            Self::None => false,
        }
    }
}

impl fmt::Display for Consent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What an event is for, which decides whether consent lets it be recorded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Category {
    /// Needed to run the product; recorded under `all` and `essential`.
    #[default]
    Service,
    /// Everything else; recorded only under `all`.
    Marketing,
}

impl Category {
    /// Read `service` or `marketing`.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "service" => Some(Self::Service),
            "marketing" => Some(Self::Marketing),
            _ => None,
        }
    }

    /// The one-letter tag the queue stores in front of each event.
    pub(crate) const fn tag(self) -> char {
        match self {
            Self::Service => 's',
            Self::Marketing => 'm',
        }
    }

    /// The category of a stored tag.
    pub(crate) const fn from_tag(c: char) -> Option<Self> {
        match c {
            's' => Some(Self::Service),
            'm' => Some(Self::Marketing),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_spells_every_state() {
        for c in [Consent::All, Consent::Essential, Consent::None] {
            assert_eq!(Consent::parse(c.as_str()), Ok(c));
        }
        assert_eq!(
            Consent::parse("ALL"),
            Err(UnknownConsent("ALL".into())),
            "the spelling is exact"
        );
    }

    #[test]
    fn essential_keeps_only_service_and_none_keeps_nothing() {
        use Category::{Marketing, Service};
        assert!(Consent::All.allows(Service) && Consent::All.allows(Marketing));
        assert!(Consent::Essential.allows(Service));
        assert!(!Consent::Essential.allows(Marketing));
        assert!(!Consent::None.allows(Service) && !Consent::None.allows(Marketing));
    }

    #[test]
    fn category_defaults_to_service_and_round_trips_its_tag() {
        assert_eq!(Category::default(), Category::Service);
        for c in [Category::Service, Category::Marketing] {
            assert_eq!(Category::from_tag(c.tag()), Some(c));
        }
        assert_eq!(Category::parse("marketing"), Some(Category::Marketing));
        assert_eq!(Category::parse("ads"), None);
    }
}
