//! Browser effects, gathered in one place: mounting into a Shadow DOM root (and the banner's
//! place in the page), the top layer, HTTP to the collector, local storage, the clock and
//! randomness, the modal's optional scroll lock. Each failure is a typed error; none panics
//! into the host page.
pub mod http;
pub mod layer;
pub mod mount;
pub mod observe;
pub mod platform;
pub mod route;
pub mod scroll;
pub mod storage;
pub mod transport;
