//! The `tp_session` cookie and the sessions it names: building the cookie with its flags,
//! reading it back, and deciding whether a stored session is still good under the idle and
//! absolute timeouts at the injected clock's "now".
use crate::config::WorkspaceConfig;
use crate::store::Session;
use axum::http::{header, HeaderMap, HeaderValue};

/// The cookie's name.
pub const COOKIE: &str = "tp_session";

/// The value of the `tp_session` cookie in a request, if any.
pub fn cookie_token(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == COOKIE)
        .map(|(_, value)| value.to_owned())
        .filter(|v| !v.is_empty())
}

/// Whether the cookie must be `Secure` for this request: the configuration says the
/// workspace is served over HTTPS, or a trusted proxy says this request came over it.
pub fn secure(config: &WorkspaceConfig, trust_forwarded: bool, headers: &HeaderMap) -> bool {
    config.secure_cookies
        || trust_forwarded
            && headers
                .get("x-forwarded-proto")
                .and_then(|v| v.to_str().ok())
                .is_some_and(|p| p.trim().eq_ignore_ascii_case("https"))
}

/// `Set-Cookie` for a new session.
pub fn set_cookie(token: &str, config: &WorkspaceConfig, secure: bool) -> HeaderValue {
    let max_age = config.absolute_timeout.as_secs();
    let flags = if secure { "; Secure" } else { "" };
    HeaderValue::from_str(&format!(
        "{COOKIE}={token}; HttpOnly; SameSite=Lax; Path=/workspace; Max-Age={max_age}{flags}"
    ))
    .unwrap_or_else(|_| clear_cookie(secure))
}

/// `Set-Cookie` that removes the cookie.
pub fn clear_cookie(secure: bool) -> HeaderValue {
    let flags = if secure { "; Secure" } else { "" };
    HeaderValue::from_str(&format!(
        "{COOKIE}=; HttpOnly; SameSite=Lax; Path=/workspace; Max-Age=0{flags}"
    ))
    .unwrap_or(HeaderValue::from_static(
        "tp_session=; Path=/workspace; Max-Age=0",
    ))
}

/// Why a stored session no longer counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expiry {
    /// Unused for longer than the idle timeout.
    Idle,
    /// Older than the absolute timeout.
    Absolute,
}

/// Whether `session` is still good at `now` (unix millis).
///
/// # Errors
/// Which timeout it passed.
pub fn check(session: &Session, config: &WorkspaceConfig, now: i64) -> Result<(), Expiry> {
    let millis = |d: std::time::Duration| i64::try_from(d.as_millis()).unwrap_or(i64::MAX);
    if now.saturating_sub(session.created_at) >= millis(config.absolute_timeout) {
        Err(Expiry::Absolute)
    } else if now.saturating_sub(session.last_seen_at) >= millis(config.idle_timeout) {
        Err(Expiry::Idle)
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn session(created_at: i64, last_seen_at: i64) -> Session {
        Session {
            key_sha256: "k".into(),
            user_id: 1,
            csrf_token: "c".into(),
            created_at,
            last_seen_at,
        }
    }

    #[test]
    fn timeouts() {
        let c = WorkspaceConfig::default();
        let min = 60_000;
        assert_eq!(check(&session(0, 0), &c, 29 * min), Ok(()));
        assert_eq!(check(&session(0, 0), &c, 30 * min), Err(Expiry::Idle));
        let busy = session(0, 12 * 60 * min - 1);
        assert_eq!(check(&busy, &c, 12 * 60 * min), Err(Expiry::Absolute));
    }

    #[test]
    fn cookies() {
        let mut h = HeaderMap::new();
        h.insert(
            header::COOKIE,
            HeaderValue::from_static("a=1; tp_session=abc; b=2"),
        );
        assert_eq!(cookie_token(&h).as_deref(), Some("abc"));
        let c = WorkspaceConfig::default();
        let v = set_cookie("abc", &c, false);
        assert_eq!(
            v.to_str().unwrap(),
            "tp_session=abc; HttpOnly; SameSite=Lax; Path=/workspace; Max-Age=43200"
        );
        assert!(set_cookie("abc", &c, true)
            .to_str()
            .unwrap()
            .ends_with("; Secure"));
        h.insert("x-forwarded-proto", HeaderValue::from_static("https"));
        assert!(secure(&c, true, &h) && !secure(&c, false, &h));
    }
}
