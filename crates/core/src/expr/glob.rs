//! Glob patterns for URLs and strings, hand-written (no regex crate: it would cost the
//! widget's wasm budget more than the whole decision core).
//!
//! `*` matches any run of characters except `/`, `**` matches any run including `/`, `?`
//! matches one character except `/`, `\` escapes the next character; everything else is
//! literal. Matching is a linear-space dynamic program: no backtracking blow-up, no panics.
use serde::{Serialize, Serializer};

#[derive(Debug, Clone, PartialEq, Eq)]
enum Piece {
    Char(char),
    One,
    Star,
    DoubleStar,
}

/// Common shapes matched without the general algorithm (URL patterns are nearly always
/// `/literal/**`, conditions often `prefix*`).
#[derive(Debug, Clone, PartialEq, Eq)]
enum Fast {
    /// No wildcard: equality.
    Literal(String),
    /// `prefix**`: starts with.
    Prefix(String),
    /// `prefix*`: starts with, and no `/` after the prefix.
    PrefixNoSlash(String),
    /// Anything else.
    General,
}

/// A compiled glob; keeps its source text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Glob {
    source: String,
    pieces: Vec<Piece>,
    fast: Fast,
}

impl Serialize for Glob {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.source)
    }
}

impl Glob {
    /// Compile a pattern. Every string is a valid pattern.
    ///
    /// # Example
    /// ```
    /// use touchpoint_core::expr::Glob;
    /// let g = Glob::new("/app/*/settings");
    /// assert!(g.is_match("/app/billing/settings"));
    /// assert!(!g.is_match("/app/a/b/settings"));
    /// assert!(Glob::new("/app/**").is_match("/app/a/b/c"));
    /// ```
    pub fn new(pattern: &str) -> Glob {
        let mut pieces = Vec::new();
        let mut chars = pattern.chars().peekable();
        while let Some(c) = chars.next() {
            match c {
                '*' if chars.peek() == Some(&'*') => {
                    chars.next();
                    while chars.peek() == Some(&'*') {
                        chars.next();
                    }
                    pieces.push(Piece::DoubleStar);
                }
                '*' => pieces.push(Piece::Star),
                '?' => pieces.push(Piece::One),
                '\\' => pieces.push(Piece::Char(chars.next().unwrap_or('\\'))),
                c => pieces.push(Piece::Char(c)),
            }
        }
        let literal = |ps: &[Piece]| -> Option<String> {
            ps.iter()
                .map(|p| match p {
                    Piece::Char(c) => Some(*c),
                    _ => None,
                })
                .collect()
        };
        let fast = match pieces.split_last() {
            None => Fast::Literal(String::new()),
            Some((Piece::DoubleStar, rest)) => literal(rest).map_or(Fast::General, Fast::Prefix),
            Some((Piece::Star, rest)) => literal(rest).map_or(Fast::General, Fast::PrefixNoSlash),
            Some(_) => literal(&pieces).map_or(Fast::General, Fast::Literal),
        };
        Glob {
            source: pattern.to_owned(),
            pieces,
            fast,
        }
    }

    /// The pattern as written.
    pub fn as_str(&self) -> &str {
        &self.source
    }

    /// Whether the whole of `text` matches.
    pub fn is_match(&self, text: &str) -> bool {
        match &self.fast {
            Fast::Literal(l) => return text == l,
            Fast::Prefix(p) => return text.starts_with(p.as_str()),
            Fast::PrefixNoSlash(p) => {
                return text
                    .strip_prefix(p.as_str())
                    .is_some_and(|rest| !rest.contains('/'))
            }
            Fast::General => {}
        }
        let text: Vec<char> = text.chars().collect();
        // row[j]: pieces[..i] match text[..j].
        let mut row = vec![false; text.len() + 1];
        row[0] = true;
        let mut next = vec![false; text.len() + 1];
        for piece in &self.pieces {
            next.fill(false);
            match piece {
                Piece::Star | Piece::DoubleStar => {
                    let crosses = *piece == Piece::DoubleStar;
                    next[0] = row[0];
                    for j in 1..=text.len() {
                        next[j] = row[j] || (next[j - 1] && (crosses || text[j - 1] != '/'));
                    }
                }
                Piece::One => {
                    for j in 1..=text.len() {
                        next[j] = row[j - 1] && text[j - 1] != '/';
                    }
                }
                Piece::Char(c) => {
                    for j in 1..=text.len() {
                        next[j] = row[j - 1] && text[j - 1] == *c;
                    }
                }
            }
            std::mem::swap(&mut row, &mut next);
            if !row.iter().any(|&b| b) {
                return false;
            }
        }
        row[text.len()]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    #[test]
    fn stars_and_slashes() {
        assert!(Glob::new("*").is_match("abc"));
        assert!(!Glob::new("*").is_match("a/b"));
        assert!(Glob::new("**").is_match("a/b"));
        assert!(Glob::new("/invoices/*").is_match("/invoices/42"));
        assert!(!Glob::new("/invoices/*").is_match("/invoices/42/edit"));
        assert!(Glob::new("/invoices/**/edit").is_match("/invoices/42/x/edit"));
        assert!(Glob::new("*@ledgerly.com").is_match("ana@ledgerly.com"));
        assert!(Glob::new("h?llo").is_match("hello"));
        assert!(!Glob::new("h?llo").is_match("hllo"));
        assert!(Glob::new("a\\*b").is_match("a*b"));
        assert!(!Glob::new("a\\*b").is_match("axb"));
        assert!(Glob::new("").is_match(""));
        assert!(!Glob::new("").is_match("x"));
    }

    #[test]
    fn fast_paths_agree_with_the_general_matcher() {
        for (p, t) in [
            ("/app/**", "/app/x/y"),
            ("/app/**", "/ap"),
            ("fr*", "fr-FR"),
            ("fr*", "fr/x"),
            ("abc", "abc"),
            ("abc", "abd"),
            ("**", ""),
        ] {
            let fast = Glob::new(p);
            let general = Glob {
                fast: Fast::General,
                ..fast.clone()
            };
            assert_eq!(fast.is_match(t), general.is_match(t), "{p} {t}");
        }
    }

    #[test]
    fn pathological_patterns_are_fast() {
        let g = Glob::new(&"*a".repeat(50));
        assert!(!g.is_match(&"a".repeat(49)));
    }
}
