//! Yew components, one per file. They render a [`crate::state::WidgetState`] snapshot and
//! turn user gestures into [`crate::state::Action`]s; they own no business state.
pub mod app;
pub mod banner;

pub use app::App;
pub use banner::Banner;
