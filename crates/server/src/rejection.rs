//! Why one event of a batch was refused, as a value. `POST /v1/events` answers each event on
//! its own, so a refusal is data before it is text: the event's place in the batch and the
//! reason, which carries whatever it is about (the duplicated key's path, serde's error with
//! its path, the core's [`EventError`] with its field, the sizes, the clocks). From that one
//! value come the per-event `{code, field, message}` of the batch's results and, when every
//! event of a batch is refused, the batch's own answer (`From<Rejection> for AppError`), so
//! neither is rebuilt from the other's text.
use crate::error::AppError;
use crate::unique_keys::KeyPath;
use serde::ser::{Serialize, SerializeStruct, Serializer};
use std::fmt;
use touchpoint_core::event::EventError;

/// One refused event: where it is in the batch and why.
#[derive(Debug)]
pub struct Rejection {
    /// The event's index in the batch's `events`.
    pub index: usize,
    /// What is wrong with it.
    pub reason: Reason,
}

/// What is wrong with a refused event, in the order the collector checks.
#[derive(Debug)]
#[non_exhaustive]
pub enum Reason {
    /// A key appears twice (at this path inside the event): which value was meant cannot be
    /// known, so neither is taken (issue 9).
    DuplicateKey(KeyPath),
    /// The event, serialised, is over the collector's `max_event_bytes`.
    TooLarge {
        /// Its size in bytes.
        size: usize,
        /// The limit.
        limit: usize,
    },
    /// The event does not match the schema: serde's error, with the path inside the event.
    Schema(serde_path_to_error::Error<serde_json::Error>),
    /// Well-formed, but not a valid event (the core's check, naming its field).
    Invalid(EventError),
    /// The client's clock is too far ahead of or behind the server's.
    TimestampOutOfRange {
        /// The event's `ts`, Unix ms.
        ts: i64,
        /// The server's clock, Unix ms.
        now: i64,
    },
    /// A user id without the signature this environment requires.
    IdentityMissing,
    /// A signature that does not match the user id.
    IdentityWrong,
}

impl Rejection {
    /// The stable code a client can branch on.
    pub fn code(&self) -> &'static str {
        match self.reason {
            Reason::TooLarge { .. } => "too_large",
            Reason::TimestampOutOfRange { .. } => "timestamp_out_of_range",
            Reason::IdentityMissing | Reason::IdentityWrong => "identity_unverified",
            Reason::DuplicateKey(_) | Reason::Schema(_) | Reason::Invalid(_) => "invalid_event",
        }
    }

    /// The place at fault, as a JSON path from the batch: `events[3].props.score`, or
    /// `events[3]` when the event as a whole is at fault.
    pub fn field(&self) -> String {
        let index = self.index;
        let inner = match &self.reason {
            Reason::DuplicateKey(path) => Some(path.to_string()),
            Reason::TooLarge { .. } => None,
            Reason::Schema(e) => path_below_root(e),
            Reason::Invalid(e) => Some(e.field().to_owned()),
            Reason::TimestampOutOfRange { .. } => Some("ts".to_owned()),
            Reason::IdentityMissing | Reason::IdentityWrong => Some("user_hash".to_owned()),
        };
        match inner {
            Some(path) => format!("events[{index}].{path}"),
            None => format!("events[{index}]"),
        }
    }
}

/// serde's path to the place at fault, or `None` when it is the value itself (serde writes
/// that path as `.`).
pub(crate) fn path_below_root(e: &serde_path_to_error::Error<serde_json::Error>) -> Option<String> {
    (e.path().iter().next().is_some()).then(|| e.path().to_string())
}

/// The message for a person: the field, then what is wrong there.
impl fmt::Display for Rejection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let field = self.field();
        match &self.reason {
            Reason::DuplicateKey(path) => {
                write!(f, "{field}: the key {:?} appears twice", path.last_key())
            }
            Reason::TooLarge { size, limit } => {
                write!(f, "{field} is {size} bytes, larger than the limit of {limit} bytes")
            }
            Reason::Schema(e) => write!(f, "{field}: {}", e.inner()),
            // The core's message already starts with its field, relative to the event.
            Reason::Invalid(e) => write!(f, "events[{}].{e}", self.index),
            Reason::TimestampOutOfRange { ts, now } => write!(
                f,
                "{field}: {ts} is more than a day ahead of or a year behind the server clock ({now})"
            ),
            Reason::IdentityMissing => write!(
                f,
                "{field}: this environment requires user_hash = HMAC-SHA256(secret, user_id)"
            ),
            Reason::IdentityWrong => write!(f, "{field}: does not match user_id"),
        }
    }
}

/// The per-event error of a batch's results: `{"code", "field", "message"}`.
impl Serialize for Rejection {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut s = serializer.serialize_struct("Rejection", 3)?;
        s.serialize_field("code", self.code())?;
        s.serialize_field("field", &self.field())?;
        s.serialize_field("message", &self.to_string())?;
        s.end()
    }
}

/// A batch whose every event was refused is answered with its first refusal: 401 for an
/// identity, 413 for a size, and otherwise 400 `invalid_event` (a clock out of range too).
impl From<Rejection> for AppError {
    fn from(r: Rejection) -> Self {
        match r.reason {
            Reason::IdentityMissing | Reason::IdentityWrong => AppError::IdentityUnverified {
                message: r.to_string(),
            },
            Reason::TooLarge { limit, .. } => AppError::TooLarge {
                what: r.field(),
                limit,
            },
            _ => AppError::InvalidEvent(r),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// serde's error for `value` read as an event, as the collector reads it (from a value).
    fn schema_error(value: serde_json::Value) -> serde_path_to_error::Error<serde_json::Error> {
        serde_path_to_error::deserialize::<_, touchpoint_core::Event>(value)
            .expect_err("not an event")
    }

    #[test]
    fn a_rejection_serialises_to_code_field_and_message() {
        let r = Rejection {
            index: 2,
            reason: Reason::Invalid(EventError::NoIdentity),
        };
        assert_eq!(
            serde_json::to_value(&r).expect("serialises"),
            json!({
                "code": "invalid_event",
                "field": "events[2].user_id",
                "message": "events[2].user_id: an event needs a user_id or an anonymous_id",
            })
        );
    }

    #[test]
    fn the_event_itself_is_the_field_when_serde_names_no_path() {
        // issue 10: the field used to be `events[0]..` (serde's root path, `.`, appended).
        let r = Rejection {
            index: 0,
            reason: Reason::Schema(schema_error(json!({ "type": "cta" }))),
        };
        assert_eq!(r.field(), "events[0]");
        assert_eq!(r.to_string(), "events[0]: missing field `id`");
        let r = Rejection {
            index: 4,
            reason: Reason::Schema(schema_error(json!({ "props": [] }))),
        };
        assert_eq!(r.field(), "events[4].props");
    }

    #[test]
    fn a_batch_of_refusals_is_answered_by_kind() {
        let batch = |reason| {
            let e = AppError::from(Rejection { index: 0, reason });
            (e.code(), e.field(), e.to_string())
        };
        assert_eq!(
            batch(Reason::TooLarge {
                size: 900,
                limit: 600
            }),
            (
                "too_large",
                None,
                "events[0] is larger than the limit of 600 bytes".to_owned()
            )
        );
        assert_eq!(
            batch(Reason::IdentityWrong),
            (
                "identity_unverified",
                None,
                "events[0].user_hash: does not match user_id".to_owned()
            )
        );
        assert_eq!(
            batch(Reason::TimestampOutOfRange { ts: 1, now: 2 }),
            (
                "invalid_event",
                Some("events[0].ts".to_owned()),
                "events[0].ts: 1 is more than a day ahead of or a year behind the server clock (2)"
                    .to_owned()
            )
        );
    }
}
