//! The lexer of the targeting language: text into spanned tokens.
//!
//! Hand-written so that every token knows its exact byte span (for compiler-style carets)
//! and so that no input, however odd, can make it panic.
use super::{ExprError, ExprErrorKind};
use touchpoint_core::expr::Span;

/// A token kind.
#[derive(Debug, Clone, PartialEq)]
pub enum Tok {
    /// A name: `user`, `plan`, `days_until`.
    Ident(String),
    /// A quoted string, escapes resolved.
    Str(String),
    /// A number literal.
    Num(f64),
    /// A date literal `2026-05-01`, as days since the epoch.
    Date(i64),
    /// A duration literal `30d`, in milliseconds.
    Duration(i64),
    /// `and`
    And,
    /// `or`
    Or,
    /// `not`
    Not,
    /// `in`
    In,
    /// `contains`
    Contains,
    /// `matches`
    Matches,
    /// `true`
    True,
    /// `false`
    False,
    /// `==`
    Eq,
    /// `!=`
    Ne,
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
    /// `(`
    LParen,
    /// `)`
    RParen,
    /// `[`
    LBracket,
    /// `]`
    RBracket,
    /// `,`
    Comma,
    /// `.`
    Dot,
    /// End of input.
    Eof,
}

impl Tok {
    /// How the token reads in an error message.
    pub fn describe(&self) -> String {
        match self {
            Tok::Ident(s) => format!("name `{s}`"),
            Tok::Str(s) => format!("string \"{s}\""),
            Tok::Num(_) => "a number".into(),
            Tok::Date(_) => "a date".into(),
            Tok::Duration(_) => "a duration".into(),
            Tok::And => "`and`".into(),
            Tok::Or => "`or`".into(),
            Tok::Not => "`not`".into(),
            Tok::In => "`in`".into(),
            Tok::Contains => "`contains`".into(),
            Tok::Matches => "`matches`".into(),
            Tok::True => "`true`".into(),
            Tok::False => "`false`".into(),
            Tok::Eq => "`==`".into(),
            Tok::Ne => "`!=`".into(),
            Tok::Lt => "`<`".into(),
            Tok::Le => "`<=`".into(),
            Tok::Gt => "`>`".into(),
            Tok::Ge => "`>=`".into(),
            Tok::LParen => "`(`".into(),
            Tok::RParen => "`)`".into(),
            Tok::LBracket => "`[`".into(),
            Tok::RBracket => "`]`".into(),
            Tok::Comma => "`,`".into(),
            Tok::Dot => "`.`".into(),
            Tok::Eof => "the end of the condition".into(),
        }
    }
}

/// A token and where it is.
#[derive(Debug, Clone, PartialEq)]
pub struct Token {
    /// What it is.
    pub tok: Tok,
    /// Byte range in the source.
    pub span: Span,
}

/// Split `src` into tokens, ending with [`Tok::Eof`].
///
/// # Errors
/// The first malformed token (unterminated string, stray character, bad date or duration).
pub fn lex(src: &str) -> Result<Vec<Token>, ExprError> {
    let b = src.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if c.is_ascii_whitespace() {
            i += 1;
            continue;
        }
        let start = i;
        let tok = match c {
            b'(' => one(&mut i, Tok::LParen),
            b')' => one(&mut i, Tok::RParen),
            b'[' => one(&mut i, Tok::LBracket),
            b']' => one(&mut i, Tok::RBracket),
            b',' => one(&mut i, Tok::Comma),
            b'.' if !b.get(i + 1).is_some_and(u8::is_ascii_digit) => one(&mut i, Tok::Dot),
            b'=' if b.get(i + 1) == Some(&b'=') => two(&mut i, Tok::Eq),
            b'!' if b.get(i + 1) == Some(&b'=') => two(&mut i, Tok::Ne),
            b'<' if b.get(i + 1) == Some(&b'=') => two(&mut i, Tok::Le),
            b'>' if b.get(i + 1) == Some(&b'=') => two(&mut i, Tok::Ge),
            b'<' => one(&mut i, Tok::Lt),
            b'>' => one(&mut i, Tok::Gt),
            b'=' => {
                return Err(err(start, start + 1, "expected `==` to compare, found `=`"));
            }
            b'&' | b'|' | b'!' => {
                let word = match c {
                    b'&' => "and",
                    b'|' => "or",
                    _ => "not",
                };
                let len = if b.get(i + 1) == Some(&c) { 2 } else { 1 };
                return Err(err(start, start + len, &format!("use `{word}` here")));
            }
            b'"' | b'\'' => string(src, &mut i)?,
            b'0'..=b'9' | b'.' | b'-' => number(src, &mut i)?,
            c if c.is_ascii_alphabetic() || c == b'_' => {
                while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'_') {
                    i += 1;
                }
                keyword(&src[start..i])
            }
            _ => {
                let ch = src[start..].chars().next().unwrap_or('?');
                return Err(err(
                    start,
                    start + ch.len_utf8(),
                    &format!("unexpected character `{ch}`"),
                ));
            }
        };
        out.push(Token {
            tok,
            span: Span::new(start, i),
        });
    }
    out.push(Token {
        tok: Tok::Eof,
        span: Span::new(b.len(), b.len()),
    });
    Ok(out)
}

fn err(start: usize, end: usize, message: &str) -> ExprError {
    ExprError::new(ExprErrorKind::Syntax, Span::new(start, end), message)
}

fn one(i: &mut usize, tok: Tok) -> Tok {
    *i += 1;
    tok
}

fn two(i: &mut usize, tok: Tok) -> Tok {
    *i += 2;
    tok
}

fn keyword(word: &str) -> Tok {
    match word {
        "and" => Tok::And,
        "or" => Tok::Or,
        "not" => Tok::Not,
        "in" => Tok::In,
        "contains" => Tok::Contains,
        "matches" => Tok::Matches,
        "true" => Tok::True,
        "false" => Tok::False,
        _ => Tok::Ident(word.to_owned()),
    }
}

fn string(src: &str, i: &mut usize) -> Result<Tok, ExprError> {
    let start = *i;
    let quote = src.as_bytes()[start] as char;
    let mut out = String::new();
    let mut chars = src[start + 1..].char_indices();
    while let Some((off, ch)) = chars.next() {
        if ch == quote {
            *i = start + 1 + off + 1;
            return Ok(Tok::Str(out));
        }
        if ch == '\\' {
            match chars.next() {
                Some((_, 'n')) => out.push('\n'),
                Some((_, 't')) => out.push('\t'),
                Some((_, c @ ('\\' | '"' | '\''))) => out.push(c),
                Some((off2, c)) => {
                    let at = start + 1 + off2;
                    return Err(err(at - 1, at + c.len_utf8(), "unknown escape in string"));
                }
                None => break,
            }
        } else {
            out.push(ch);
        }
    }
    Err(err(
        start,
        src.len(),
        "unterminated string: add the closing quote",
    ))
}

fn number(src: &str, i: &mut usize) -> Result<Tok, ExprError> {
    let b = src.as_bytes();
    let start = *i;
    let mut j = start;
    if b[j] == b'-' {
        j += 1;
    }
    while j < b.len() && (b[j].is_ascii_digit() || b[j] == b'.' || b[j] == b'-' || b[j] == b'_') {
        j += 1;
    }
    // A unit letter directly after a number makes a duration (`30d`).
    let num_end = j;
    while j < b.len() && b[j].is_ascii_alphabetic() {
        j += 1;
    }
    *i = j;
    let text = &src[start..num_end];
    let unit = &src[num_end..j];
    if text.len() == 10 && text.as_bytes()[4] == b'-' && !text.starts_with('-') {
        if !unit.is_empty() {
            return Err(err(start, j, "unexpected letters after a date"));
        }
        return touchpoint_core::calendar::parse_date(text)
            .map(Tok::Date)
            .ok_or_else(|| err(start, j, "not a valid date: write dates as YYYY-MM-DD"));
    }
    let Some(value) = parse_number(text) else {
        return Err(err(
            start,
            j,
            &format!("not a number: `{}`", &src[start..j]),
        ));
    };
    if unit.is_empty() {
        return Ok(Tok::Num(value));
    }
    let per = match unit {
        "s" => 1_000.0,
        "m" | "min" => 60_000.0,
        "h" => 3_600_000.0,
        "d" => 86_400_000.0,
        "w" => 604_800_000.0,
        _ => {
            return Err(err(
                num_end,
                j,
                &format!("unknown duration unit `{unit}`: use s, m, h, d or w (e.g. `30d`)"),
            ))
        }
    };
    let ms = value * per;
    if !ms.is_finite() || ms.abs() > 1e15 {
        return Err(err(start, j, "duration out of range"));
    }
    Ok(Tok::Duration(ms as i64))
}

/// Parse `-?digits[.digits]` (underscores allowed between digits) by hand: `f64::from_str`
/// would add its large tables to the widget's wasm. At most 18 significant digits on each
/// side of the point, plenty for targeting thresholds.
fn parse_number(text: &str) -> Option<f64> {
    let (negative, body) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    let (int, frac) = body.split_once('.').unwrap_or((body, ""));
    let digits = |s: &str| -> Option<(u64, u32)> {
        let mut n: u64 = 0;
        let mut count = 0u32;
        for c in s.bytes() {
            match c {
                b'0'..=b'9' if count < 18 => {
                    n = n * 10 + u64::from(c - b'0');
                    count += 1;
                }
                b'_' => {}
                _ => return None,
            }
        }
        Some((n, count))
    };
    let (i, ni) = digits(int)?;
    let (f, nf) = digits(frac)?;
    if nf == 0 && (ni == 0 || body.contains('.')) {
        return None;
    }
    let value = i as f64 + f as f64 / 10f64.powi(nf as i32);
    Some(if negative { -value } else { value })
}

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    fn toks(s: &str) -> Vec<Tok> {
        lex(s).unwrap().into_iter().map(|t| t.tok).collect()
    }

    #[test]
    fn lexes_literals_and_operators() {
        assert_eq!(
            toks("user.nps >= 9 and 30d < 2026-05-01 or 'x' != \"y\""),
            vec![
                Tok::Ident("user".into()),
                Tok::Dot,
                Tok::Ident("nps".into()),
                Tok::Ge,
                Tok::Num(9.0),
                Tok::And,
                Tok::Duration(30 * 86_400_000),
                Tok::Lt,
                Tok::Date(20_574),
                Tok::Or,
                Tok::Str("x".into()),
                Tok::Ne,
                Tok::Str("y".into()),
                Tok::Eof
            ]
        );
        assert_eq!(
            toks("0.85 -3"),
            vec![Tok::Num(0.85), Tok::Num(-3.0), Tok::Eof]
        );
    }

    #[test]
    fn numbers_by_hand() {
        assert_eq!(parse_number("0.85"), Some(0.85));
        assert_eq!(parse_number("-12"), Some(-12.0));
        assert_eq!(parse_number("1_000"), Some(1000.0));
        assert_eq!(parse_number("1."), None);
        assert_eq!(parse_number(".5"), Some(0.5));
        assert_eq!(parse_number("1.2.3"), None);
        assert_eq!(parse_number("-"), None);
    }

    #[test]
    fn reports_spans() {
        let e = lex("user.plan = 'pro'").unwrap_err();
        assert_eq!(e.span, Span::new(10, 11));
        let e = lex("a && b").unwrap_err();
        assert!(e.message.contains("`and`"));
        let e = lex("x == 'abc").unwrap_err();
        assert_eq!(e.span, Span::new(5, 9));
        let e = lex("10y").unwrap_err();
        assert_eq!(e.span, Span::new(2, 3));
    }
}
