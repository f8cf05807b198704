//! Touchpoint's pure decision core.
//!
//! Everything that decides *which nudge a user sees* lives here, so that the widget (wasm32)
//! and the server (native) run the very same code. The crate performs no I/O, reads no clock
//! and draws no random numbers: the current time and every input are passed in.
//!
//! It holds what the widget needs and nothing more: campaign files, validation, the
//! targeting language's parser and type checker, time-zone resolution and diagnostics are in
//! the `touchpoint-authoring` crate, which only the server and the CLI depend on. So the
//! dependency graph, not the linker, keeps them out of the widget's wasm.
//!
//! Layers, each using only those above it in this list:
//! - [`calendar`], [`time`]: instants and civil dates, hand-written (no tz data in wasm);
//!   [`zone`]: the vendor's time zone as a table of offsets, for calendar days;
//!   [`text`]: a small substring search; [`link`]: which link targets a nudge may follow.
//! - [`vocab`]: the shared names and small types (stages, phases, goals, traits, pages,
//!   event statistics), each enum's names written once.
//! - [`expr`]: the targeting language's syntax tree, its compiled form, and three-valued
//!   evaluation.
//! - [`bucket`], [`uuid`]: the stable hash for holdouts/variants; UUIDv7 event ids.
//! - [`policy`], [`context`], [`stage`]: the decision policy, the moment, lifecycle
//!   derivation.
//! - [`campaign`]: the validated campaign, its invariants, and the compiled catalog.
//! - [`event`], [`history`]: engagement events and the per-campaign history built from them.
//! - [`decide`](mod@decide): the decision with a reason for every campaign not shown.
#![deny(missing_docs)]

pub mod attribution;
pub mod bucket;
pub mod calendar;
pub mod campaign;
pub mod context;
pub mod decide;
pub mod event;
pub mod expr;
pub mod history;
pub mod link;
pub mod policy;
pub mod stage;
pub mod text;
pub mod time;
pub mod uuid;
pub mod vocab;
pub mod zone;

pub use campaign::{Campaign, CampaignParts};
pub use context::Context;
pub use decide::{decide, Decision, Nudge, Reason};
pub use event::{Event, EventKind};
pub use history::History;
pub use policy::Policy;
pub use stage::{Lifecycle, Phase, Stage};
pub use time::Timestamp;
pub use vocab::Arm;
