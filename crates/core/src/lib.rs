//! Touchpoint's pure decision core.
//!
//! Everything that decides *which nudge a user sees* lives here, so that the widget (wasm32)
//! and the server (native) run the very same code. The crate performs no I/O, reads no clock
//! and draws no random numbers: the current time and every input are passed in.
//!
//! Layers, each using only those above it in this list:
//! - [`calendar`], [`time`]: instants and civil dates, hand-written (no tz data in wasm);
//!   [`text`]: a small substring search; [`link`]: which link targets a nudge may follow.
//! - [`expr`]: the targeting language (lexer, parser, type checker, three-valued eval).
//! - [`bucket`], [`uuid`]: the stable hash for holdouts/variants; UUIDv7 event ids.
//! - [`stage`], [`policy`], [`context`]: lifecycle derivation, vendor policy, the moment.
//! - [`campaign`]: raw → validated campaigns and back to the wire form.
//! - [`event`], [`history`]: engagement events and the per-campaign history built from them.
//! - [`decide`](mod@decide): the decision with a reason for every campaign not shown.
//! - [`diagnostic`], and `files` (feature `files`): compiler-style reports for campaign files.
//!
//! Cargo features: `tz` resolves named IANA zones in schedules (bundled database, server
//! only); `files` parses TOML campaign files with spans (server/CLI only). Default: none.
#![deny(missing_docs)]

pub mod bucket;
pub mod calendar;
pub mod campaign;
pub mod context;
pub mod decide;
pub mod diagnostic;
pub mod event;
pub mod expr;
#[cfg(feature = "files")]
pub mod files;
pub mod history;
pub mod link;
pub mod policy;
pub mod stage;
pub mod text;
pub mod time;
pub mod uuid;

pub use campaign::{Campaign, RawCampaign, ValidationError, ValidationErrors};
pub use context::Context;
pub use decide::{decide, Decision, Nudge, Reason};
pub use event::{Event, EventKind};
pub use history::History;
pub use policy::{Policy, RawPolicy};
pub use stage::{Lifecycle, Phase, Stage};
pub use time::Timestamp;
