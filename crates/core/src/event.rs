//! Engagement events: the schema shared by the widget (which makes them) and the collector
//! (which stores them), and from which [`History`](crate::History) is rebuilt, so both sides
//! agree on what a user has seen.
//!
//! JSON shape (every key always present; absent values are `null`, `props` is `{}`):
//!
//! ```json
//! {"id":"0190b6e5-7c3a-7def-8a12-3456789abcde","type":"impression","ts":1767225600000,
//!  "received_at":null,"anonymous_id":"anon-1","user_id":"u1","account_id":"acme",
//!  "session_id":"s1","campaign_id":"nps-quarterly","variant":"control","holdout":false,
//!  "name":null,"props":{}}
//! ```
//!
//! `ts` is the client's clock in Unix milliseconds and `received_at` is set by the
//! collector. `name` carries the event name of `track` and the path of `page`.
use crate::time::Timestamp;
use crate::uuid::Uuid;
use serde::{Deserialize, Serialize};

/// What happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum EventKind {
    /// A nudge was rendered (or, with `holdout: true`, would have been: eligible in holdout).
    Impression,
    /// The nudge body was clicked.
    Click,
    /// A call to action was used (`props.cta` names it).
    Cta,
    /// The user dismissed a nudge.
    Dismiss,
    /// The user snoozed a nudge (`props.until`, Unix ms, optional).
    Snooze,
    /// A survey answer (`props.score` or `props.answer`).
    SurveyResponse,
    /// The campaign's conversion goal was reached.
    Conversion,
    /// The host identified the user.
    Identify,
    /// The host loaded a page (`name` is the path).
    Page,
    /// The host tracked an event (`name` is the event name).
    Track,
}

impl EventKind {
    /// Every kind, in declaration order.
    pub const ALL: [EventKind; 10] = [
        EventKind::Impression,
        EventKind::Click,
        EventKind::Cta,
        EventKind::Dismiss,
        EventKind::Snooze,
        EventKind::SurveyResponse,
        EventKind::Conversion,
        EventKind::Identify,
        EventKind::Page,
        EventKind::Track,
    ];

    /// The wire name (`survey_response`), as serde writes it.
    pub const fn as_str(self) -> &'static str {
        match self {
            EventKind::Impression => "impression",
            EventKind::Click => "click",
            EventKind::Cta => "cta",
            EventKind::Dismiss => "dismiss",
            EventKind::Snooze => "snooze",
            EventKind::SurveyResponse => "survey_response",
            EventKind::Conversion => "conversion",
            EventKind::Identify => "identify",
            EventKind::Page => "page",
            EventKind::Track => "track",
        }
    }

    /// The kind a wire name names.
    pub fn parse(name: &str) -> Option<EventKind> {
        EventKind::ALL.into_iter().find(|k| k.as_str() == name)
    }

    /// Whether this kind is about one campaign (and so requires `campaign_id`).
    pub const fn is_campaign_event(self) -> bool {
        matches!(
            self,
            EventKind::Impression
                | EventKind::Click
                | EventKind::Cta
                | EventKind::Dismiss
                | EventKind::Snooze
                | EventKind::SurveyResponse
                | EventKind::Conversion
        )
    }
}

/// One engagement event.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Event {
    /// Client-generated unique id (UUIDv7); the collector deduplicates on it.
    pub id: Uuid,
    /// What happened.
    #[serde(rename = "type")]
    pub kind: EventKind,
    /// When the client saw it happen.
    pub ts: Timestamp,
    /// When the collector received it (set server-side).
    #[serde(default)]
    pub received_at: Option<Timestamp>,
    /// The widget's anonymous id.
    #[serde(default)]
    pub anonymous_id: Option<String>,
    /// The identified user.
    #[serde(default)]
    pub user_id: Option<String>,
    /// The user's account.
    #[serde(default)]
    pub account_id: Option<String>,
    /// The browser session.
    #[serde(default)]
    pub session_id: Option<String>,
    /// Which campaign (campaign events only).
    #[serde(default)]
    pub campaign_id: Option<String>,
    /// Which variant was shown.
    #[serde(default)]
    pub variant: Option<String>,
    /// The user is in the campaign's holdout (impressions: eligible but not shown).
    #[serde(default)]
    pub holdout: bool,
    /// `track` event name or `page` path.
    #[serde(default)]
    pub name: Option<String>,
    /// Free-form properties (a JSON object).
    #[serde(default)]
    pub props: serde_json::Map<String, serde_json::Value>,
}

/// Why an event is not acceptable to the collector.
///
/// Each error names the field at fault as data ([`EventError::field`]); its message is that
/// field, a colon and the reason (`campaign_id: required for Dismiss events`), so a caller that
/// holds the event's place (`events[3]`) can put the message under it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum EventError {
    /// The id is not a UUIDv7.
    #[error("{field}: {0}", field = self.field())]
    Id(crate::uuid::UuidError),
    /// A campaign event without `campaign_id`.
    #[error("{field}: required for {0:?} events", field = self.field())]
    MissingCampaign(EventKind),
    /// A `track` or `page` event without `name`.
    #[error("{field}: required for {0:?} events", field = self.field())]
    MissingName(EventKind),
    /// Neither `user_id` nor `anonymous_id`.
    #[error("{field}: an event needs a user_id or an anonymous_id", field = self.field())]
    NoIdentity,
}

impl EventError {
    /// The field at fault, as the event's JSON names it (`campaign_id`).
    pub const fn field(&self) -> &'static str {
        match self {
            EventError::Id(_) => "id",
            EventError::MissingCampaign(_) => "campaign_id",
            EventError::MissingName(_) => "name",
            EventError::NoIdentity => "user_id",
        }
    }
}

impl Event {
    /// The event as JSON, the same shape serde writes, built by hand: the widget needs no
    /// derived serialiser (a size budget matter; a test pins the two together).
    pub fn to_json_value(&self) -> serde_json::Value {
        use serde_json::Value as V;
        let text = |s: &Option<String>| s.clone().map_or(V::Null, V::String);
        let mut m = serde_json::Map::new();
        m.insert("id".into(), V::String(self.id.to_string()));
        m.insert("type".into(), V::String(self.kind.as_str().into()));
        m.insert("ts".into(), V::from(self.ts.0));
        m.insert(
            "received_at".into(),
            self.received_at.map_or(V::Null, |t| V::from(t.0)),
        );
        m.insert("anonymous_id".into(), text(&self.anonymous_id));
        m.insert("user_id".into(), text(&self.user_id));
        m.insert("account_id".into(), text(&self.account_id));
        m.insert("session_id".into(), text(&self.session_id));
        m.insert("campaign_id".into(), text(&self.campaign_id));
        m.insert("variant".into(), text(&self.variant));
        m.insert("holdout".into(), V::Bool(self.holdout));
        m.insert("name".into(), text(&self.name));
        m.insert("props".into(), V::Object(self.props.clone()));
        V::Object(m)
    }

    /// Read an event from JSON by hand (the widget's counterpart of the derived
    /// `Deserialize`): `None` when a required field is missing or mistyped. Unknown fields
    /// are ignored here, because this reads the widget's own storage and the server's
    /// answers, not untrusted input (the collector validates with the strict derive).
    pub fn from_json_value(v: &serde_json::Value) -> Option<Event> {
        let text = |k: &str| {
            v.get(k)
                .and_then(serde_json::Value::as_str)
                .map(str::to_owned)
        };
        let mut e = Event::new(
            Uuid::parse(v.get("id")?.as_str()?).ok()?,
            EventKind::parse(v.get("type")?.as_str()?)?,
            Timestamp(v.get("ts")?.as_i64()?),
        );
        e.received_at = v
            .get("received_at")
            .and_then(serde_json::Value::as_i64)
            .map(Timestamp);
        e.anonymous_id = text("anonymous_id");
        e.user_id = text("user_id");
        e.account_id = text("account_id");
        e.session_id = text("session_id");
        e.campaign_id = text("campaign_id");
        e.variant = text("variant");
        e.holdout = v
            .get("holdout")
            .and_then(serde_json::Value::as_bool)
            .unwrap_or(false);
        e.name = text("name");
        e.props = v
            .get("props")
            .and_then(serde_json::Value::as_object)
            .cloned()
            .unwrap_or_default();
        Some(e)
    }

    /// A new event with only the required fields set.
    ///
    /// # Example
    /// ```
    /// use touchpoint_core::{Event, EventKind, Timestamp, uuid::Uuid};
    /// let mut e = Event::new(Uuid::v7(1_767_225_600_000, [7; 10]), EventKind::Track, Timestamp(1_767_225_600_000));
    /// e.user_id = Some("u1".into());
    /// e.name = Some("invoice_sent".into());
    /// assert!(e.validate().is_ok());
    /// ```
    pub fn new(id: Uuid, kind: EventKind, ts: Timestamp) -> Event {
        Event {
            id,
            kind,
            ts,
            received_at: None,
            anonymous_id: None,
            user_id: None,
            account_id: None,
            session_id: None,
            campaign_id: None,
            variant: None,
            holdout: false,
            name: None,
            props: serde_json::Map::new(),
        }
    }

    /// Check what serde cannot: a v7 id, and the fields each kind requires.
    ///
    /// # Errors
    /// The first problem found.
    pub fn validate(&self) -> Result<(), EventError> {
        if !self.id.is_v7() {
            return Err(EventError::Id(crate::uuid::UuidError::NotV7(
                self.id.version(),
            )));
        }
        if self.user_id.is_none() && self.anonymous_id.is_none() {
            return Err(EventError::NoIdentity);
        }
        if self.kind.is_campaign_event() && self.campaign_id.is_none() {
            return Err(EventError::MissingCampaign(self.kind));
        }
        if matches!(self.kind, EventKind::Track | EventKind::Page) && self.name.is_none() {
            return Err(EventError::MissingName(self.kind));
        }
        Ok(())
    }
}

/// The `name` of the `track` event a widget records when its queue's bound dropped events
/// that were never sent; `props.count` says how many (issue 12). It travels through the
/// queue like any event, so the collector stores each report once, and counts it once.
pub const DROPPED_EVENT: &str = "touchpoint:dropped";

/// A fresh UUIDv7 event id as text, from the caller's clock (Unix ms; negative clamps to 0)
/// and 10 random bytes. A convenience over [`Uuid::v7`] for the widget.
///
/// # Example
/// ```
/// let id = touchpoint_core::event::uuid_v7(1_767_225_600_000, [0; 10]);
/// assert_eq!(id, "019b76da-a800-7000-8000-000000000000");
/// ```
pub fn uuid_v7(unix_ms: i64, rand: [u8; 10]) -> String {
    Uuid::v7(unix_ms.max(0).unsigned_abs(), rand).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    #[test]
    fn json_shape_is_pinned() {
        let mut e = Event::new(
            Uuid::v7(1_767_225_600_000, [1; 10]),
            EventKind::SurveyResponse,
            Timestamp(1_767_225_600_000),
        );
        e.anonymous_id = Some("anon-1".into());
        e.user_id = Some("u1".into());
        e.account_id = Some("acme".into());
        e.session_id = Some("s1".into());
        e.campaign_id = Some("nps-quarterly".into());
        e.variant = Some("control".into());
        e.props.insert("score".into(), json!(9));
        let v = serde_json::to_value(&e).unwrap();
        assert_eq!(
            v,
            json!({"id": "019b76da-a800-7101-8101-010101010101", "type": "survey_response",
                   "ts": 1_767_225_600_000_i64, "received_at": null, "anonymous_id": "anon-1",
                   "user_id": "u1", "account_id": "acme", "session_id": "s1",
                   "campaign_id": "nps-quarterly", "variant": "control", "holdout": false,
                   "name": null, "props": {"score": 9}})
        );
        let back: Event = serde_json::from_value(v).unwrap();
        assert_eq!(back, e);
        assert!(e.validate().is_ok());
    }

    #[test]
    fn skeleton_shape_still_parses() {
        let e: Event = serde_json::from_str(
            r#"{"id":"019b76da-a800-7101-8101-010101010101","type":"impression","ts":5,"user_id":"u","campaign_id":"c"}"#,
        )
        .unwrap();
        assert_eq!(e.kind, EventKind::Impression);
        assert!(!e.holdout);
        assert!(serde_json::from_str::<Event>(r#"{"id":"x","type":"impression","ts":5}"#).is_err());
        assert!(serde_json::from_str::<Event>(
            r#"{"id":"019b76da-a800-7101-8101-010101010101","type":"impression","ts":5,"extra":1}"#
        )
        .is_err());
    }

    #[test]
    fn validation() {
        let mut e = Event::new(Uuid::v7(5, [0; 10]), EventKind::Dismiss, Timestamp(5));
        assert_eq!(e.validate(), Err(EventError::NoIdentity));
        e.anonymous_id = Some("a".into());
        assert_eq!(
            e.validate(),
            Err(EventError::MissingCampaign(EventKind::Dismiss))
        );
        e.kind = EventKind::Track;
        assert_eq!(e.validate(), Err(EventError::MissingName(EventKind::Track)));
        e.id = Uuid::parse("550e8400-e29b-41d4-a716-446655440000").unwrap();
        assert!(matches!(e.validate(), Err(EventError::Id(_))));
    }

    #[test]
    fn an_error_names_its_field_as_data_and_its_message_starts_with_it() {
        // issue 10: the collector reads the field from `field()`, never from the message.
        let cases = [
            (
                EventError::Id(crate::uuid::UuidError::NotV7(4)),
                "id",
                "id: expected a version 7 UUID, found version 4",
            ),
            (
                EventError::MissingCampaign(EventKind::Dismiss),
                "campaign_id",
                "campaign_id: required for Dismiss events",
            ),
            (
                EventError::MissingName(EventKind::Track),
                "name",
                "name: required for Track events",
            ),
            (
                EventError::NoIdentity,
                "user_id",
                "user_id: an event needs a user_id or an anonymous_id",
            ),
        ];
        let json = Event::new(Uuid::v7(5, [0; 10]), EventKind::Cta, Timestamp(5)).to_json_value();
        for (error, field, message) in cases {
            assert_eq!(error.field(), field);
            assert_eq!(error.to_string(), message);
            assert!(json.get(field).is_some(), "{field} is a key of the event");
        }
    }

    #[test]
    fn hand_written_json_matches_serde() {
        let mut e = Event::new(
            Uuid::v7(1_767_225_600_000, [1; 10]),
            EventKind::SurveyResponse,
            Timestamp(1_767_225_600_000),
        );
        e.user_id = Some("u1".into());
        e.account_id = Some("acme".into());
        e.campaign_id = Some("nps".into());
        e.variant = Some("control".into());
        e.received_at = Some(Timestamp(5));
        e.props.insert("score".into(), serde_json::json!(9));
        assert_eq!(e.to_json_value(), serde_json::to_value(&e).unwrap());
        assert_eq!(Event::from_json_value(&e.to_json_value()), Some(e.clone()));
        for kind in EventKind::ALL {
            assert_eq!(serde_json::to_value(kind).unwrap(), kind.as_str());
            assert_eq!(EventKind::parse(kind.as_str()), Some(kind));
        }
        assert_eq!(
            Event::from_json_value(&serde_json::json!({"id": "nope", "type": "cta", "ts": 1})),
            None
        );
    }
}
