//! Batching and the collector's answers: when to send, what one request carries, and what an
//! answer means for the events in it.
//!
//! A batch goes out when `max_events` are waiting or the oldest has waited `max_wait_ms`,
//! whichever comes first (the age is read from the UUIDv7 id, so it survives reloads). One
//! request stays under 64 KB, the limit browsers put on `keepalive` requests, so the same
//! batches work on `pagehide`. The body is `{"events": [...], "sent_at": <ms>}`. (Events the
//! queue's bound dropped are reported by an event of their own, see [`super::queue`], not by
//! a batch-level count: a count on a batch was reported again whenever an answer was lost.)
//!
//! An answer is one of: done (any 2xx: the collector answered for every event, whether
//! `accepted`, `duplicate` or `rejected`), retry (no answer, 5xx, 408, 429) or refused (any
//! other 4xx: sending the same bytes again cannot help).
use super::queue::{id_millis, Queued};

/// Batching settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BatchConfig {
    /// Most events in one request.
    pub max_events: usize,
    /// Longest wait of the oldest event before a partial batch goes out, in ms.
    pub max_wait_ms: u64,
    /// Largest request body, in bytes (stays under the 64 KiB keepalive limit).
    pub max_bytes: usize,
}

impl Default for BatchConfig {
    fn default() -> Self {
        Self {
            max_events: 50,
            max_wait_ms: 1_000,
            max_bytes: 64 * 1024 - 1,
        }
    }
}

/// When the next batch should go.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Plan {
    /// Nothing to send.
    Idle,
    /// Send at this time (ms since the epoch; now or earlier means now).
    At(u64),
}

/// When to send `pending` (oldest first, not counting events already in flight), given the
/// earliest time a retry may go (`not_before`).
pub fn plan(pending: &[Queued], now: u64, not_before: u64, config: &BatchConfig) -> Plan {
    let Some(oldest) = pending.first() else {
        return Plan::Idle;
    };
    let due = if pending.len() >= config.max_events {
        now
    } else {
        id_millis(&oldest.id)
            .unwrap_or(now)
            .saturating_add(config.max_wait_ms)
    };
    Plan::At(due.max(not_before))
}

/// One request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Batch {
    /// The ids of the events it carries.
    pub ids: Vec<String>,
    /// The JSON body.
    pub body: String,
}

/// Cut `events` (oldest first) into requests of at most `max_events` events and
/// `max_bytes` bytes. An event too large to fit alone is left out (the queue refuses such
/// events, so this only guards against damage).
///
/// # Example
/// ```
/// use touchpoint::delivery::batch::{chunks, BatchConfig};
/// use touchpoint::delivery::{consent::Category, queue::Queued};
/// let e = |id: &str| Queued { id: id.into(), category: Category::Service, json: format!(r#"{{"id":"{id}"}}"#) };
/// let cfg = BatchConfig { max_events: 2, ..BatchConfig::default() };
/// let out = chunks(&[e("a"), e("b"), e("c")], 7, &cfg);
/// assert_eq!(out.len(), 2);
/// assert_eq!(out[0].body, r#"{"events":[{"id":"a"},{"id":"b"}],"sent_at":7}"#);
/// ```
pub fn chunks(events: &[Queued], sent_at: u64, config: &BatchConfig) -> Vec<Batch> {
    let mut out: Vec<Batch> = Vec::new();
    let mut ids: Vec<String> = Vec::new();
    let mut parts: Vec<&str> = Vec::new();
    let mut size = 0;
    let base = envelope_bytes(sent_at);
    for e in events {
        if base + e.json.len() > config.max_bytes {
            continue;
        }
        let grown = size + e.json.len() + usize::from(!parts.is_empty());
        if !parts.is_empty()
            && (parts.len() >= config.max_events || base + grown > config.max_bytes)
        {
            out.push(finish(&mut ids, &mut parts, sent_at));
            size = 0;
        }
        size += e.json.len() + usize::from(!parts.is_empty());
        ids.push(e.id.clone());
        parts.push(&e.json);
    }
    if !parts.is_empty() {
        out.push(finish(&mut ids, &mut parts, sent_at));
    }
    out
}

fn envelope_bytes(sent_at: u64) -> usize {
    render(&[], sent_at).len()
}

fn render(parts: &[&str], sent_at: u64) -> String {
    let mut body = String::from(r#"{"events":["#);
    for (i, p) in parts.iter().enumerate() {
        if i > 0 {
            body.push(',');
        }
        body.push_str(p);
    }
    body.push_str(&format!(r#"],"sent_at":{sent_at}}}"#));
    body
}

fn finish(ids: &mut Vec<String>, parts: &mut Vec<&str>, sent_at: u64) -> Batch {
    let body = render(parts, sent_at);
    parts.clear();
    Batch {
        ids: std::mem::take(ids),
        body,
    }
}

/// What an answer means for the batch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// The collector answered for every event: remove them all. `rejected` holds the
    /// reason given for the first event it refused, if it refused one (worth a warning).
    Done {
        /// The first rejected event's reason.
        rejected: Option<String>,
    },
    /// Keep the events and try again later, not before `retry_after_ms` if given.
    Retry {
        /// The server's `Retry-After`, in ms.
        retry_after_ms: Option<u64>,
        /// An answer came (5xx, 408, 429: nothing was stored); `false` when none did.
        answered: bool,
    },
    /// The collector will never take this request (another 4xx): drop it, warn once.
    Refused {
        /// The reason the server gave.
        reason: String,
    },
}

/// What to do after an answer to a batch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settlement {
    /// Remove the batch's events from the queue.
    pub forget: bool,
    /// No answer came: the collector may have stored the batch (the answer was lost) or not.
    pub unanswered: bool,
    /// Back off before the next send, honouring this `Retry-After` (ms) if any.
    pub backoff: Option<Option<u64>>,
    /// One console warning to show.
    pub warning: Option<String>,
}

/// Decide what an [`Outcome`] means for the queue.
pub fn settle(outcome: Outcome) -> Settlement {
    match outcome {
        Outcome::Done { rejected } => Settlement {
            forget: true,
            unanswered: false,
            backoff: None,
            warning: rejected.map(|r| format!("the collector rejected an event: {r}")),
        },
        Outcome::Retry {
            retry_after_ms,
            answered,
        } => Settlement {
            forget: false,
            unanswered: !answered,
            backoff: Some(retry_after_ms),
            warning: None,
        },
        Outcome::Refused { reason } => Settlement {
            forget: true,
            unanswered: false,
            backoff: None,
            warning: Some(format!("the collector refused events: {reason}")),
        },
    }
}

/// Classify an answer: `status` is `None` when no answer came (network error, blocked).
pub fn classify(status: Option<u16>, body: &str, retry_after_ms: Option<u64>) -> Outcome {
    match status {
        None | Some(408 | 429 | 500..=599) => Outcome::Retry {
            retry_after_ms,
            answered: status.is_some(),
        },
        Some(200..=299) => Outcome::Done {
            rejected: rejections(body),
        },
        Some(status) => Outcome::Refused {
            reason: error_message(body).unwrap_or_else(|| format!("HTTP {status}")),
        },
    }
}

/// The `error.message` of the collector's JSON error body.
fn error_message(body: &str) -> Option<String> {
    let v = crate::json::parse(body)?;
    v.get("error")?.get("message")?.as_str().map(str::to_owned)
}

/// The reason of the first `rejected` result of a 2xx answer.
fn rejections(body: &str) -> Option<String> {
    let v = crate::json::parse(body)?;
    let r = v
        .get("results")?
        .as_array()?
        .iter()
        .find(|r| r.get("status").and_then(|s| s.as_str()) == Some("rejected"))?;
    let message = r.get("error").and_then(|e| e.get("message"));
    Some(
        message
            .and_then(|m| m.as_str())
            .unwrap_or("rejected")
            .to_owned(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::delivery::consent::Category;

    const T0: u64 = 1_795_392_000_000;

    fn queued(n: u64, pad: usize) -> Queued {
        let id = touchpoint_core::event::uuid_v7((T0 + n) as i64, [0; 10]);
        Queued {
            json: format!(r#"{{"id":"{id}","p":"{}"}}"#, "x".repeat(pad)),
            id,
            category: Category::Service,
        }
    }

    #[test]
    fn sends_when_full_or_when_the_oldest_is_old_enough() {
        let cfg = BatchConfig::default();
        assert_eq!(plan(&[], T0, 0, &cfg), Plan::Idle);
        let few: Vec<Queued> = (0..3).map(|n| queued(n, 0)).collect();
        assert_eq!(plan(&few, T0 + 10, 0, &cfg), Plan::At(T0 + 1_000));
        let full: Vec<Queued> = (0..50).map(|n| queued(n, 0)).collect();
        assert_eq!(plan(&full, T0 + 60, 0, &cfg), Plan::At(T0 + 60));
        assert_eq!(
            plan(&full, T0 + 60, T0 + 9_000, &cfg),
            Plan::At(T0 + 9_000),
            "a backoff holds even a full batch"
        );
    }

    #[test]
    fn chunks_respect_the_count_and_the_64k_limit() {
        let cfg = BatchConfig::default();
        let many: Vec<Queued> = (0..120).map(|n| queued(n, 10)).collect();
        let out = chunks(&many, T0, &cfg);
        assert_eq!(
            out.iter().map(|b| b.ids.len()).collect::<Vec<_>>(),
            vec![50, 50, 20]
        );
        assert!(out[0].body.ends_with(&format!(r#"],"sent_at":{T0}}}"#)));

        let big: Vec<Queued> = (0..10).map(|n| queued(n, 20_000)).collect();
        let out = chunks(&big, T0, &cfg);
        assert_eq!(
            out.iter().map(|b| b.ids.len()).collect::<Vec<_>>(),
            vec![3, 3, 3, 1]
        );
        for b in &out {
            assert!(b.body.len() < 64 * 1024, "{} bytes", b.body.len());
            let v: serde_json::Value = serde_json::from_str(&b.body).expect("valid JSON");
            assert_eq!(v["events"].as_array().map(Vec::len), Some(b.ids.len()));
        }
    }

    #[test]
    fn a_body_exactly_at_the_limit_is_allowed_and_one_byte_more_splits() {
        let one = queued(0, 0);
        let envelope = envelope_bytes(T0);
        let fits = BatchConfig {
            max_bytes: envelope + 2 * one.json.len() + 1,
            ..BatchConfig::default()
        };
        assert_eq!(chunks(&[one.clone(), queued(1, 0)], T0, &fits).len(), 1);
        let tight = BatchConfig {
            max_bytes: fits.max_bytes - 1,
            ..fits
        };
        assert_eq!(chunks(&[one, queued(1, 0)], T0, &tight).len(), 2);
    }

    #[test]
    fn settles_each_outcome() {
        let done = settle(Outcome::Done {
            rejected: Some("bad type".into()),
        });
        assert!(done.forget && !done.unanswered && done.backoff.is_none());
        assert_eq!(
            done.warning.as_deref(),
            Some("the collector rejected an event: bad type")
        );
        let retry = settle(Outcome::Retry {
            retry_after_ms: Some(3_000),
            answered: true,
        });
        assert!(!retry.forget && !retry.unanswered && retry.warning.is_none());
        assert_eq!(retry.backoff, Some(Some(3_000)));
        let lost = settle(classify(None, "", None));
        assert!(lost.unanswered, "no answer: the batch may have been stored");
        let refused = settle(Outcome::Refused {
            reason: "unknown publishable key".into(),
        });
        assert!(refused.forget && refused.backoff.is_none());
        assert_eq!(
            refused.warning.as_deref(),
            Some("the collector refused events: unknown publishable key")
        );
    }

    #[test]
    fn classifies_answers() {
        let ok = r#"{"results":[{"id":"a","status":"accepted"},{"id":"b","status":"rejected","error":{"code":"invalid_event","message":"events[1].type: unknown variant"}}],"accepted":1,"duplicates":0,"rejected":1}"#;
        assert_eq!(
            classify(Some(200), ok, None),
            Outcome::Done {
                rejected: Some("events[1].type: unknown variant".into())
            }
        );
        assert_eq!(
            classify(Some(200), "not json", None),
            Outcome::Done { rejected: None }
        );
        for status in [None, Some(408), Some(429), Some(500), Some(503)] {
            assert_eq!(
                classify(status, "", Some(2_000)),
                Outcome::Retry {
                    retry_after_ms: Some(2_000),
                    answered: status.is_some(),
                }
            );
        }
        let bad =
            r#"{"error":{"code":"unknown_key","message":"unknown publishable key \"pk_x\""}}"#;
        assert_eq!(
            classify(Some(401), bad, None),
            Outcome::Refused {
                reason: r#"unknown publishable key "pk_x""#.into()
            }
        );
        assert_eq!(
            classify(Some(404), "<html>", None),
            Outcome::Refused {
                reason: "HTTP 404".into()
            }
        );
    }
}
