//! Which link targets a nudge may follow: `https:`, `http:`, `mailto:`, `tel:` and relative
//! URLs, nothing else. A `javascript:` CTA or Markdown link would run script in the host page
//! (issue 9), and `data:`/`vbscript:`/`blob:` targets are no better.
//!
//! The scheme is read the way the browser's URL parser reads it, not the way it looks: the
//! parser first strips leading and trailing C0 controls and spaces and removes every tab, CR
//! and LF anywhere, so `" JaVa\tScRiPt:x"` *is* a `javascript:` URL. Anything that does not
//! start with a scheme (`/app`, `#frag`, `?q`, `page?x=1:2`, `//cdn.example`) is relative and
//! resolves against the page. A leaf module, so campaign validation (the server), the
//! widget's navigation and its Markdown filter share one implementation.

/// The schemes a link may use (lowercase).
pub const SCHEMES: [&str; 4] = ["https", "http", "mailto", "tel"];

/// Why a link target is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum UnsafeLink {
    /// The URL names a scheme other than [`SCHEMES`] (lowercased, without the colon).
    #[error("`{0}:` links are not allowed: expected an https:, http:, mailto: or tel: URL, or a relative one")]
    Scheme(String),
    /// A control character is left after the browser's own clean-up: not a link anyone
    /// means to write.
    #[error("expected a URL without control characters")]
    Control,
}

/// `url` as the browser's URL parser sees it before reading the scheme: leading and trailing
/// C0 controls and spaces stripped, every tab, CR and LF removed.
///
/// # Example
/// ```
/// assert_eq!(touchpoint_core::link::normalize(" \u{1}java\tscr\nipt:x \r"), "javascript:x");
/// ```
pub fn normalize(url: &str) -> String {
    url.trim_matches(|c: char| c <= ' ')
        .chars()
        .filter(|c| !matches!(c, '\t' | '\n' | '\r'))
        .collect()
}

/// The scheme of a normalised URL, as written; `None` when it is relative. A scheme is an
/// ASCII letter followed by letters, digits, `+`, `-` or `.`, then `:`; anything else before
/// the first colon (`/`, `?`, `#`, a space) makes the URL relative.
fn scheme(url: &str) -> Option<&str> {
    let head = &url[..url.find(':')?];
    let mut chars = head.chars();
    let first = chars.next()?;
    (first.is_ascii_alphabetic()
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.')))
    .then_some(head)
}

/// Check that `url` may be followed.
///
/// # Errors
/// [`UnsafeLink::Scheme`] for a scheme other than [`SCHEMES`]; [`UnsafeLink::Control`] for
/// a control character the browser would keep.
///
/// # Example
/// ```
/// use touchpoint_core::link::{check, UnsafeLink};
/// assert_eq!(check("https://ledgerly.example/help"), Ok(()));
/// assert_eq!(check("/app/reports?x=1#top"), Ok(()));
/// assert_eq!(check(" JavaScript:alert(1)"), Err(UnsafeLink::Scheme("javascript".into())));
/// ```
pub fn check(url: &str) -> Result<(), UnsafeLink> {
    let url = normalize(url);
    if url.chars().any(char::is_control) {
        return Err(UnsafeLink::Control);
    }
    match scheme(&url) {
        Some(s) if !SCHEMES.iter().any(|k| s.eq_ignore_ascii_case(k)) => {
            Err(UnsafeLink::Scheme(s.to_ascii_lowercase()))
        }
        _ => Ok(()),
    }
}

/// Whether `url` may be followed ([`check`] without the reason).
pub fn is_safe(url: &str) -> bool {
    check(url).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn script_and_data_urls_are_refused_however_they_are_written() {
        for bad in [
            "javascript:window.x=1",
            "JaVaScRiPt:window.x=1",
            "JAVASCRIPT:x",
            "  javascript:x",
            "\u{0}\u{1f} javascript:x",
            "javascript:x \u{0}",
            "java\tscript:x",
            "java\nscript:x",
            "java\rscript:x",
            "\tj\na\rv\ta\ns\rc\tr\ni\rp\tt\n:x",
            "javascript\t:x",
            "data:text/html,<script>x</script>",
            "vbscript:msgbox(1)",
            "blob:https://a.example/uuid",
            "file:///etc/passwd",
            "c:\\windows",
        ] {
            assert!(
                matches!(check(bad), Err(UnsafeLink::Scheme(_))),
                "{bad:?}: {:?}",
                check(bad)
            );
        }
        assert_eq!(
            check(" \u{c}JaVa\tScRiPt:x"),
            Err(UnsafeLink::Scheme("javascript".into()))
        );
    }

    #[test]
    fn a_control_character_the_browser_keeps_is_refused() {
        assert_eq!(check("java\u{0}script:x"), Err(UnsafeLink::Control));
        assert_eq!(check("/app/\u{7f}"), Err(UnsafeLink::Control));
        assert_eq!(check("/app/\u{85}x"), Err(UnsafeLink::Control));
    }

    #[test]
    fn web_mail_phone_and_relative_urls_pass() {
        for good in [
            "https://a.example/x?y=1#z",
            "HTTPS://A.EXAMPLE",
            "http://a",
            " https://a.example ",
            "mailto:cs@a.example",
            "MailTo:cs@a.example",
            "tel:+4930123456",
            "/app/x",
            "/app/x:y",
            "app/reports",
            "#frag",
            "#/meeting",
            "?q=1",
            "page?x=1:2",
            "//cdn.example/x",
            "a b:c",
            "",
        ] {
            assert_eq!(check(good), Ok(()), "{good:?}");
            assert!(is_safe(good), "{good:?}");
        }
    }

    #[test]
    fn normalize_strips_the_ends_and_removes_tabs_and_newlines_inside() {
        assert_eq!(normalize("\u{0} /a\tb\nc\rd \u{1f}"), "/abcd");
        assert_eq!(normalize("/a b"), "/a b");
        assert_eq!(
            normalize("\u{a0}x"),
            "\u{a0}x",
            "only ASCII controls and space"
        );
    }

    #[test]
    fn the_refusal_says_what_is_allowed() {
        assert_eq!(
            check("javascript:x").unwrap_err().to_string(),
            "`javascript:` links are not allowed: expected an https:, http:, mailto: or tel: URL, or a relative one"
        );
    }
}
