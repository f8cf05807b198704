//! Batching and the collector's answers: when to send, what one request carries, and what an
//! answer means for the events in it.
//!
//! A batch goes out when `max_events` are waiting or the oldest has waited `max_wait_ms`,
//! whichever comes first (the age is read from the UUIDv7 id, so it survives reloads). One
//! request stays under 64 KB, the limit browsers put on `keepalive` requests, so the same
//! batches work on `pagehide`. The body is
//! `{"events": [...], "sent_at": <ms>, "dropped": <n>}`, `dropped` present only when the
//! queue's bound dropped events since the last confirmed batch.
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
    /// The `dropped` count it reports.
    pub dropped: u64,
}

/// Cut `events` (oldest first) into requests of at most `max_events` events and
/// `max_bytes` bytes; the first one reports `dropped`. An event too large to fit alone is
/// left out (the queue refuses such events, so this only guards against damage).
///
/// # Example
/// ```
/// use touchpoint::delivery::batch::{chunks, BatchConfig};
/// use touchpoint::delivery::{consent::Category, queue::Queued};
/// let e = |id: &str| Queued { id: id.into(), category: Category::Service, json: format!(r#"{{"id":"{id}"}}"#) };
/// let cfg = BatchConfig { max_events: 2, ..BatchConfig::default() };
/// let out = chunks(&[e("a"), e("b"), e("c")], 0, 7, &cfg);
/// assert_eq!(out.len(), 2);
/// assert_eq!(out[0].body, r#"{"events":[{"id":"a"},{"id":"b"}],"sent_at":7}"#);
/// ```
pub fn chunks(events: &[Queued], dropped: u64, sent_at: u64, config: &BatchConfig) -> Vec<Batch> {
    let mut out: Vec<Batch> = Vec::new();
    let mut ids: Vec<String> = Vec::new();
    let mut parts: Vec<&str> = Vec::new();
    let mut size = 0;
    let envelope = |report: u64| envelope_bytes(sent_at, report);
    for e in events {
        let report = if out.is_empty() { dropped } else { 0 };
        let base = envelope(report);
        if base + e.json.len() > config.max_bytes {
            continue;
        }
        let grown = size + e.json.len() + usize::from(!parts.is_empty());
        if !parts.is_empty()
            && (parts.len() >= config.max_events || base + grown > config.max_bytes)
        {
            out.push(finish(&mut ids, &mut parts, sent_at, report));
            size = 0;
        }
        size += e.json.len() + usize::from(!parts.is_empty());
        ids.push(e.id.clone());
        parts.push(&e.json);
    }
    if !parts.is_empty() {
        let report = if out.is_empty() { dropped } else { 0 };
        out.push(finish(&mut ids, &mut parts, sent_at, report));
    }
    out
}

fn envelope_bytes(sent_at: u64, dropped: u64) -> usize {
    render(&[], sent_at, dropped).len()
}

fn render(parts: &[&str], sent_at: u64, dropped: u64) -> String {
    let mut body = String::from(r#"{"events":["#);
    for (i, p) in parts.iter().enumerate() {
        if i > 0 {
            body.push(',');
        }
        body.push_str(p);
    }
    body.push_str(&format!(r#"],"sent_at":{sent_at}"#));
    if dropped > 0 {
        body.push_str(&format!(r#","dropped":{dropped}"#));
    }
    body.push('}');
    body
}

fn finish(ids: &mut Vec<String>, parts: &mut Vec<&str>, sent_at: u64, dropped: u64) -> Batch {
    let body = render(parts, sent_at, dropped);
    parts.clear();
    Batch {
        ids: std::mem::take(ids),
        body,
        dropped,
    }
}

/// What an answer means for the batch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// The collector answered for every event: remove them all. `rejected` holds the
    /// reasons given for events it refused (worth one warning).
    Done {
        /// Reasons for rejected events.
        rejected: Vec<String>,
    },
    /// Keep the events and try again later, not before `retry_after_ms` if given.
    Retry {
        /// The server's `Retry-After`, in ms.
        retry_after_ms: Option<u64>,
    },
    /// The collector will never take this request (another 4xx): drop it, warn once.
    Refused {
        /// The reason the server gave.
        reason: String,
    },
}

/// What to do after an answer to a batch that reported `dropped` events.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settlement {
    /// Remove the batch's events from the queue.
    pub forget: bool,
    /// Subtract the reported drop count from the drop counters.
    pub ack_dropped: bool,
    /// Back off before the next send, honouring this `Retry-After` (ms) if any.
    pub backoff: Option<Option<u64>>,
    /// One console warning to show.
    pub warning: Option<String>,
}

/// Decide what an [`Outcome`] means for the queue.
///
/// A refused batch that carried a `dropped` count is the one exception to "refused means
/// gone": a collector that does not know the field refuses the whole body, so the count (a
/// diagnostic) is given up and the events are kept, to go again without it.
pub fn settle(outcome: Outcome, dropped: u64) -> Settlement {
    match outcome {
        Outcome::Done { rejected } => Settlement {
            forget: true,
            ack_dropped: true,
            backoff: None,
            warning: rejected
                .first()
                .map(|r| format!("the collector rejected an event: {r}")),
        },
        Outcome::Retry { retry_after_ms } => Settlement {
            forget: false,
            ack_dropped: false,
            backoff: Some(retry_after_ms),
            warning: None,
        },
        Outcome::Refused { reason } => Settlement {
            forget: dropped == 0,
            ack_dropped: true,
            backoff: None,
            warning: Some(if dropped > 0 {
                format!("the collector refused a batch with a drop count: {reason}")
            } else {
                format!("the collector refused events: {reason}")
            }),
        },
    }
}

/// Classify an answer: `status` is `None` when no answer came (network error, blocked).
pub fn classify(status: Option<u16>, body: &str, retry_after_ms: Option<u64>) -> Outcome {
    match status {
        None | Some(408 | 429 | 500..=599) => Outcome::Retry { retry_after_ms },
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

/// The reasons of the `rejected` results of a 2xx answer.
fn rejections(body: &str) -> Vec<String> {
    let Some(v) = crate::json::parse(body) else {
        return Vec::new();
    };
    v.get("results")
        .and_then(|r| r.as_array())
        .map(|results| {
            results
                .iter()
                .filter(|r| r.get("status").and_then(|s| s.as_str()) == Some("rejected"))
                .map(|r| {
                    r.get("error")
                        .and_then(|e| e.get("message"))
                        .and_then(|m| m.as_str())
                        .unwrap_or("rejected")
                        .to_owned()
                })
                .collect()
        })
        .unwrap_or_default()
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
        let out = chunks(&many, 4, T0, &cfg);
        assert_eq!(
            out.iter().map(|b| b.ids.len()).collect::<Vec<_>>(),
            vec![50, 50, 20]
        );
        assert_eq!(out[0].dropped, 4);
        assert!(out[0].body.ends_with(r#""dropped":4}"#));
        assert!(!out[1].body.contains("dropped"));

        let big: Vec<Queued> = (0..10).map(|n| queued(n, 20_000)).collect();
        let out = chunks(&big, 0, T0, &cfg);
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
        let envelope = envelope_bytes(T0, 0);
        let fits = BatchConfig {
            max_bytes: envelope + 2 * one.json.len() + 1,
            ..BatchConfig::default()
        };
        assert_eq!(chunks(&[one.clone(), queued(1, 0)], 0, T0, &fits).len(), 1);
        let tight = BatchConfig {
            max_bytes: fits.max_bytes - 1,
            ..fits
        };
        assert_eq!(chunks(&[one, queued(1, 0)], 0, T0, &tight).len(), 2);
    }

    #[test]
    fn settles_each_outcome() {
        let done = settle(
            Outcome::Done {
                rejected: vec!["bad type".into()],
            },
            2,
        );
        assert!(done.forget && done.ack_dropped && done.backoff.is_none());
        assert_eq!(
            done.warning.as_deref(),
            Some("the collector rejected an event: bad type")
        );
        let retry = settle(
            Outcome::Retry {
                retry_after_ms: Some(3_000),
            },
            2,
        );
        assert!(!retry.forget && !retry.ack_dropped && retry.warning.is_none());
        assert_eq!(retry.backoff, Some(Some(3_000)));
        let refused = settle(
            Outcome::Refused {
                reason: "unknown publishable key".into(),
            },
            0,
        );
        assert!(refused.forget && refused.backoff.is_none());
        assert_eq!(
            refused.warning.as_deref(),
            Some("the collector refused events: unknown publishable key")
        );
    }

    #[test]
    fn a_refused_drop_count_costs_the_count_not_the_events() {
        let s = settle(
            Outcome::Refused {
                reason: "unknown field `dropped`".into(),
            },
            3,
        );
        assert!(!s.forget, "the events go again, without the count");
        assert!(s.ack_dropped);
    }

    #[test]
    fn classifies_answers() {
        let ok = r#"{"results":[{"id":"a","status":"accepted"},{"id":"b","status":"rejected","error":{"code":"invalid_event","message":"events[1].type: unknown variant"}}],"accepted":1,"duplicates":0,"rejected":1}"#;
        assert_eq!(
            classify(Some(200), ok, None),
            Outcome::Done {
                rejected: vec!["events[1].type: unknown variant".into()]
            }
        );
        assert_eq!(
            classify(Some(200), "not json", None),
            Outcome::Done { rejected: vec![] }
        );
        for status in [None, Some(408), Some(429), Some(500), Some(503)] {
            assert_eq!(
                classify(status, "", Some(2_000)),
                Outcome::Retry {
                    retry_after_ms: Some(2_000)
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
