//! Touchpoint's pure decision core.
//!
//! Everything that decides *which nudge a user sees* lives here, so that the widget (wasm32)
//! and the server (native) run the very same code. The crate performs no I/O, reads no clock
//! and draws no random numbers: the current time and every input are passed in.
#![deny(missing_docs)]

pub mod campaign;
pub mod decide;
pub mod event;
pub mod time;

pub use campaign::{Campaign, RawCampaign};
pub use decide::{decide, Context, Decision, History};
pub use event::{Event, EventKind};
pub use time::Timestamp;
