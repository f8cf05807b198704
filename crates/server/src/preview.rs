//! Previews of unsaved campaign sources in the real widget, without changing the widget.
//!
//! The editor posts the source it holds; once it validates, it is compiled into a catalog of
//! that one campaign — its trigger forced to a page load anywhere, no schedule, no holdout,
//! so it shows on the preview page for any persona it targets — and kept in memory under a
//! random token for [`LIFETIME_MS`]. The preview page loads the same `/touchpoint.js` the
//! collector serves with the publishable key `pk_preview_<token>`: the widget only ever
//! appends `?key=` to its requests, so the token rides in the key. Such a key names the
//! built-in preview environment ([`environment`]), whose `/v1/campaigns` answers with the
//! token's catalog, whose `/v1/events` accepts every event and discards it (never stored,
//! never counted) and whose `/v1/history` is always empty. Each preview having its own key,
//! the widget's local state (views, dismissals) starts afresh for every preview, too.
use crate::catalog::Catalog;
use crate::config::{Environment, Identity, Origins};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use touchpoint_core::campaign::{Schedule, Trigger};
use touchpoint_core::expr::glob::Glob;
use touchpoint_core::{Campaign, Policy};

/// The prefix of every preview key; no configured environment may use it.
pub const KEY_PREFIX: &str = "pk_preview_";

/// How long a preview lives after it was posted.
pub const LIFETIME_MS: i64 = 30 * 60 * 1000;

/// The most previews kept at once (the oldest go first).
pub const MAX_PREVIEWS: usize = 512;

/// A preview's random token (32 lower-case hex digits).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Token(String);

impl Token {
    fn new() -> Self {
        let bytes: [u8; 16] = rand::random();
        Self(bytes.iter().map(|b| format!("{b:02x}")).collect())
    }

    /// Read a token; `None` unless it is 32 lower-case hex digits.
    pub fn parse(s: &str) -> Option<Self> {
        (s.len() == 32
            && s.bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)))
        .then(|| Self(s.to_owned()))
    }

    /// The token's text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The publishable key the preview page gives the widget.
    pub fn key(&self) -> String {
        format!("{KEY_PREFIX}{}", self.0)
    }

    /// The token of a preview key.
    pub fn of_key(key: &str) -> Option<Self> {
        key.strip_prefix(KEY_PREFIX).and_then(Self::parse)
    }
}

/// Whether a publishable key is a preview key (however malformed its token).
pub fn is_preview_key(key: &str) -> bool {
    key.starts_with(KEY_PREFIX)
}

/// The built-in environment of a preview key: the workspace's own pages call it, so any
/// origin, no identity check (nothing it receives is kept).
pub fn environment(key: &str) -> Environment {
    Environment {
        name: "preview".to_owned(),
        key: key.to_owned(),
        origins: Origins::Any,
        identity: Identity::Off,
    }
}

/// Who the preview shows the nudge to, as the editor's persona JSON gives it.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Persona {
    /// `identify`'s user id.
    #[serde(default = "default_user")]
    pub user_id: String,
    /// `identify`'s traits.
    #[serde(default)]
    pub traits: serde_json::Map<String, serde_json::Value>,
    /// `identify`'s `account` option (`id`, plan, dates, ...).
    #[serde(default)]
    pub account: serde_json::Map<String, serde_json::Value>,
}

fn default_user() -> String {
    "preview-user".to_owned()
}

impl Default for Persona {
    /// An admin of a growing account, well into its contract.
    fn default() -> Self {
        let json = serde_json::json!({
            "user_id": "preview-user",
            "traits": { "first_name": "Ada", "role": "admin", "locale": "en" },
            "account": {
                "id": "preview-account", "plan": "growth", "seats": 20, "seats_used": 14,
                "contract_start": "2025-12-15", "contract_end": "2026-12-15"
            }
        });
        serde_json::from_value(json).expect("the default persona reads")
    }
}

/// A stored preview.
#[derive(Debug, Clone)]
pub struct Preview {
    /// The campaign shown.
    pub campaign_id: String,
    /// The catalog of that one campaign.
    pub catalog: Arc<Catalog>,
    /// Who it is shown to.
    pub persona: Persona,
    expires_at: i64,
}

/// The campaign as the preview shows it: shown on any page, at any time, to everybody it
/// targets (no holdout).
///
/// # Errors
/// When the changed campaign fails its own checks (it does not: the changes only widen it).
pub fn for_preview(campaign: Campaign) -> Result<Campaign, touchpoint_core::campaign::FieldError> {
    let mut parts = campaign.into_parts();
    parts.trigger = Trigger::PageLoad {
        url: Glob::new("**"),
    };
    parts.schedule = Schedule::default();
    parts.holdout_bp = 0;
    Campaign::new(parts)
}

/// Every live preview, in memory (a preview is only ever read by the process that stored it:
/// the editor page posts it and frames it from the same server).
#[derive(Debug, Default)]
pub struct Previews {
    entries: Mutex<HashMap<Token, Preview>>,
}

impl Previews {
    /// Keep a preview of `campaign` for `persona` at `now` (unix millis), under `policy`;
    /// the new token.
    ///
    /// # Errors
    /// As [`for_preview`].
    pub fn insert(
        &self,
        campaign: Campaign,
        persona: Persona,
        policy: Policy,
        now: i64,
    ) -> Result<Token, touchpoint_core::campaign::FieldError> {
        let campaign_id = campaign.id.clone();
        let campaign = for_preview(campaign)?;
        let catalog = Arc::new(Catalog::new(vec![campaign]).with_policy(policy));
        let token = Token::new();
        let mut entries = self
            .entries
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        entries.retain(|_, p| p.expires_at > now);
        while entries.len() >= MAX_PREVIEWS {
            let oldest = entries
                .iter()
                .min_by_key(|(_, p)| p.expires_at)
                .map(|(t, _)| t.clone());
            match oldest {
                Some(t) => entries.remove(&t),
                None => break,
            };
        }
        entries.insert(
            token.clone(),
            Preview {
                campaign_id,
                catalog,
                persona,
                expires_at: now + LIFETIME_MS,
            },
        );
        Ok(token)
    }

    /// The preview under `token`, unless it expired by `now`.
    pub fn get(&self, token: &Token, now: i64) -> Option<Preview> {
        let entries = self
            .entries
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        entries.get(token).filter(|p| p.expires_at > now).cloned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::documents::check_source;

    fn campaign() -> Campaign {
        let source = "id = \"tip\"\nname = \"Tip\"\ngoal = \"adoption\"\nholdout = 50\n\
            [trigger]\non = \"element_visible\"\nselector = \"#x\"\n\
            [format]\nkind = \"banner\"\n[content.en]\ntitle = \"Hello\"\n\
            [schedule]\nstart = \"2020-01-01T00:00\"\nend = \"2020-02-01T00:00\"\ntimezone = \"UTC\"\n";
        check_source("tip", source).expect("valid")
    }

    #[test]
    fn a_preview_shows_anywhere_any_time_without_holdout() {
        let c = for_preview(campaign()).expect("still valid");
        assert!(matches!(&c.trigger, Trigger::PageLoad { .. }));
        assert_eq!(c.schedule, Schedule::default());
        assert_eq!(c.holdout_bp, 0);
    }

    #[test]
    fn previews_expire_and_tokens_round_trip_through_keys() {
        let previews = Previews::default();
        let policy = touchpoint_authoring::policy::defaults();
        let t = previews
            .insert(campaign(), Persona::default(), policy, 1_000)
            .expect("insert");
        assert_eq!(Token::of_key(&t.key()), Some(t.clone()));
        assert!(is_preview_key(&t.key()));
        let p = previews.get(&t, 1_000 + LIFETIME_MS - 1).expect("alive");
        assert_eq!(p.campaign_id, "tip");
        assert!(p.catalog.json.contains("\"tip\""));
        assert!(previews.get(&t, 1_000 + LIFETIME_MS).is_none(), "expired");
        assert_eq!(Token::parse("ABC"), None);
        assert_eq!(Token::of_key("pk_demo"), None);
    }

    #[test]
    fn the_oldest_previews_make_room() {
        let previews = Previews::default();
        let policy = touchpoint_authoring::policy::defaults();
        let first = previews
            .insert(campaign(), Persona::default(), policy.clone(), 0)
            .expect("insert");
        for i in 1..=MAX_PREVIEWS {
            let now = i64::try_from(i).expect("small");
            previews
                .insert(campaign(), Persona::default(), policy.clone(), now)
                .expect("insert");
        }
        assert!(previews.get(&first, 10).is_none());
        assert_eq!(previews.entries.lock().expect("lock").len(), MAX_PREVIEWS);
    }
}
