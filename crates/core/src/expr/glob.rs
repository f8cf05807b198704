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

/// A compiled glob; keeps its source text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Glob {
    source: String,
    pieces: Vec<Piece>,
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
        Glob {
            source: pattern.to_owned(),
            pieces,
        }
    }

    /// The pattern as written.
    pub fn as_str(&self) -> &str {
        &self.source
    }

    /// Whether the whole of `text` matches.
    pub fn is_match(&self, text: &str) -> bool {
        let text: Vec<char> = text.chars().collect();
        // row[j]: pieces[..i] match text[..j].
        let mut row = vec![false; text.len() + 1];
        row[0] = true;
        for piece in &self.pieces {
            let mut next = vec![false; text.len() + 1];
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
            row = next;
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
    fn pathological_patterns_are_fast() {
        let g = Glob::new(&"*a".repeat(50));
        assert!(!g.is_match(&"a".repeat(49)));
    }
}
