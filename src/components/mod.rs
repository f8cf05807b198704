//! Yew components, one per file. They render a [`crate::state::WidgetState`] snapshot and
//! turn user gestures into [`crate::state::Action`]s; they own no business state.
pub mod anchor;
pub mod app;
pub mod banner;
pub mod checklist;
pub mod common;
pub mod launcher;
pub mod modal;
pub mod slideout;
pub mod survey;
pub mod toast;
pub mod tooltip;
pub mod tour;

pub use app::App;
pub use banner::Banner;
pub use checklist::Checklist;
pub use common::{Gesture, NudgeProps};
pub use launcher::Launcher;
pub use modal::Modal;
pub use slideout::Slideout;
pub use survey::Survey;
pub use toast::Toast;
pub use tooltip::Tooltip;
pub use tour::Tour;
