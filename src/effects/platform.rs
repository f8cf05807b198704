//! The clock and randomness, read only here so the rest of the widget stays deterministic;
//! what a thrown JS value says; and the one console warning every layer uses.
use touchpoint_core::Timestamp;

/// Now, from `Date.now()`.
pub fn now() -> Timestamp {
    // Date.now() is an integral number of milliseconds well inside i64.
    #[allow(clippy::cast_possible_truncation)]
    Timestamp::from_millis(js_sys::Date::now() as i64)
}

/// Now, in milliseconds since the epoch (the delivery modules' unit).
pub fn now_ms() -> u64 {
    now().as_millis().max(0).unsigned_abs()
}

/// A uniform random number in `[0, 1)`, for jitter.
pub fn random_unit() -> f64 {
    js_sys::Math::random()
}

/// One console warning, prefixed so vendors can find it.
pub fn warn(message: &str) {
    gloo::console::warn!(format!("[touchpoint] {message}"));
}

/// Ten random bytes from `crypto.getRandomValues`, falling back to `Math.random` where the
/// Web Crypto API is unavailable (ids stay unique enough for deduplication).
pub fn random10() -> [u8; 10] {
    let mut bytes = [0u8; 10];
    let filled = web_sys::window()
        .and_then(|w| w.crypto().ok())
        .is_some_and(|c| c.get_random_values_with_u8_array(&mut bytes).is_ok());
    if !filled {
        for b in &mut bytes {
            #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
            {
                *b = (js_sys::Math::random() * 256.0) as u8;
            }
        }
    }
    bytes
}

/// A fresh UUIDv7 event id.
pub fn new_event_id() -> String {
    touchpoint_core::event::uuid_v7(now().as_millis(), random10())
}

/// What a thrown JS value says: an `Error`'s message, a string itself, else its JSON. (Not
/// `{:?}`: JS values' `Debug` brings a kilobyte of describing code into the glue.)
pub fn js_message(v: &wasm_bindgen::JsValue) -> String {
    use wasm_bindgen::JsCast;
    if let Some(e) = v.dyn_ref::<js_sys::Error>() {
        return String::from(e.message());
    }
    v.as_string()
        .or_else(|| js_sys::JSON::stringify(v).ok().and_then(|s| s.as_string()))
        .unwrap_or_else(|| "an unprintable value".into())
}
