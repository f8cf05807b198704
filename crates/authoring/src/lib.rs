//! Touchpoint campaigns as code: everything between a campaign file and a validated
//! [`Campaign`], which only the collector and the CLI need.
//!
//! The widget depends on `touchpoint-core` alone and reads campaigns in their compiled form,
//! so nothing here (nor `toml`, nor `jiff`'s time-zone database) can reach its wasm.
//!
//! - [`raw`]: the authoring form, exactly what TOML files hold (serde).
//! - [`expr`]: the targeting language's lexer, parser and type checker, producing the
//!   core's [`Condition`](touchpoint_core::expr::Condition).
//! - [`zone`]: schedule times in a named IANA zone or fixed offset, to UTC; the vendor's
//!   zone as the offset table the core counts calendar days with.
//! - [`policy`]: the vendor policy's raw `[policy]` form, its defaults (written once, in
//!   the targeting language) and validation into the core's `Policy`.
//! - [`validate`]: raw → [`Campaign`], collecting every error with its field path
//!   ([`error`]); the campaign is then built by the core's checked `Campaign::new`.
//! - [`diagnostic`], [`files`]: compiler-style reports for campaign files (file, line,
//!   column, field, caret).
//!
//! [`Campaign`]: touchpoint_core::Campaign
#![deny(missing_docs)]

pub mod diagnostic;
pub mod error;
pub mod expr;
pub mod files;
pub mod policy;
pub mod raw;
pub mod validate;
pub mod zone;

pub use error::{ValidationError, ValidationErrorKind, ValidationErrors};
pub use expr::parse_condition;
pub use raw::RawCampaign;
