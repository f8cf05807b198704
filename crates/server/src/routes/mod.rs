//! HTTP routes, one module per concern. Each handler is thin: it parses, calls the store or the
//! catalog, and maps errors through [`crate::error::AppError`].
pub mod admin;
pub mod campaigns;
pub mod events;
pub mod health;
pub mod history;
