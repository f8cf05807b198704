//! The Touchpoint widget: shows each end user the nudge that fits their account's place in
//! the customer journey, inside the vendor's own web app, and reports every engagement.
//!
//! Layers, each depending only on the ones below it:
//! - [`json`]: JSON text through the browser's own parser and writer (serde_json natively);
//! - [`delivery`]: the persistent, cross-tab event queue and its sender (pure parts native,
//!   browser parts wasm32);
//! - [`state`]: the widget's state, actions and a pure reducer (no Yew, no web-sys), tested
//!   natively;
//! - `runtime` (wasm32): owns the state, runs the reducer and the effects it asks for;
//! - `effects` (wasm32): browser effects — mounting, HTTP, storage, clock and randomness;
//! - `components` (wasm32): Yew components that render a state snapshot;
//! - `api` (wasm32): the JS entry points the loader calls (`start`, `command`).
pub mod delivery;
pub mod i18n;
pub mod json;
pub mod markdown;
pub mod state;

#[cfg(target_arch = "wasm32")]
pub(crate) mod api;
#[cfg(target_arch = "wasm32")]
pub mod components;
#[cfg(target_arch = "wasm32")]
pub mod effects;
#[cfg(target_arch = "wasm32")]
mod listeners;
#[cfg(target_arch = "wasm32")]
mod runtime;

/// The wasm heap: talc instead of the standard library's dlmalloc, which costs about 1.8 KB
/// brotli more for the same job (the widget is single-threaded; talc grows the wasm memory
/// as dlmalloc does). Natively, the system allocator.
#[cfg(target_arch = "wasm32")]
#[global_allocator]
static ALLOCATOR: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();
