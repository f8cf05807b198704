//! The server's one notion of "now": a function returning unix milliseconds, held by the
//! state and lent to whatever counts time (sessions, sign-in limits, histories), so that
//! tests inject a clock and move it rather than wait.
use std::sync::Arc;

/// A source of the current time in unix millis.
pub type Clock = Arc<dyn Fn() -> i64 + Send + Sync>;
