//! Compiler-style diagnostics: `file:line:column: path: message`, the source line, and a
//! caret under the exact place. CS people read these in `touchpoint check` and in the
//! dashboard, so they say where and what was expected.
use serde::Serialize;
use std::fmt;
use touchpoint_core::expr::Span;

/// One problem in a campaign file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    /// File name as given, e.g. `campaigns/renewal-90.toml`.
    pub file: String,
    /// Field path, e.g. `audience.condition` (empty for whole-file syntax errors).
    pub path: String,
    /// 1-based line, when known.
    pub line: Option<usize>,
    /// 1-based column (in characters), when known.
    pub column: Option<usize>,
    /// What was expected.
    pub message: String,
    /// The offending source line and caret, already rendered (empty when unknown).
    pub snippet: String,
}

impl fmt::Display for Diagnostic {
    /// `error: FILE:LINE:COL: PATH: MESSAGE` followed by the snippet.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "error: {}", self.file)?;
        if let (Some(l), Some(c)) = (self.line, self.column) {
            write!(f, ":{l}:{c}")?;
        }
        if !self.path.is_empty() {
            write!(f, ": {}", self.path)?;
        }
        write!(f, ": {}", self.message)?;
        if !self.snippet.is_empty() {
            write!(f, "\n{}", self.snippet.trim_end_matches('\n'))?;
        }
        Ok(())
    }
}

/// `text` in double quotes with `"` and `\` escaped (cheaper in wasm than `{:?}`, which
/// pulls in Unicode tables).
pub fn quote(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' | '\\' => {
                out.push('\\');
                out.push(c);
            }
            '\n' => out.push_str("\\n"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// 1-based (line, column in characters) of byte `offset` in `source` (clamped).
pub fn line_col(source: &str, offset: usize) -> (usize, usize) {
    let offset = floor_char(source, offset.min(source.len()));
    let before = &source[..offset];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    (line, source[line_start..offset].chars().count() + 1)
}

fn floor_char(s: &str, mut i: usize) -> usize {
    while i > 0 && !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// Render the line holding `span` with a caret line under it and `message` after the
/// carets. With `gutter`, lines are prefixed by their number like rustc's output.
pub fn render_snippet(source: &str, span: Span, message: &str, gutter: bool) -> String {
    let start = floor_char(source, span.start.min(source.len()));
    let line_start = source[..start].rfind('\n').map_or(0, |i| i + 1);
    let line_end = source[start..]
        .find('\n')
        .map_or(source.len(), |i| start + i);
    let line = source[line_start..line_end].trim_end_matches('\r');
    let col = source[line_start..start].chars().count();
    let end = floor_char(source, span.end.clamp(start, line_end));
    let width = source[start..end].chars().count().max(1);
    let pad: String = source[line_start..start]
        .chars()
        .map(|c| if c == '\t' { '\t' } else { ' ' })
        .collect();
    debug_assert_eq!(pad.chars().count(), col);
    let carets = "^".repeat(width);
    if gutter {
        let (n, _) = line_col(source, start);
        let num = n.to_string();
        let blank = " ".repeat(num.len());
        format!("{blank} |\n{num} | {line}\n{blank} | {pad}{carets} {message}\n")
    } else {
        format!("{line}\n{pad}{carets} {message}\n")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    #[test]
    fn positions_and_carets() {
        let src = "a = 1\ncondition = \"x >\"\n";
        assert_eq!(line_col(src, 6), (2, 1));
        assert_eq!(line_col(src, 999), (3, 1));
        assert_eq!(
            render_snippet(src, Span::new(19, 20), "expected a value", true),
            "  |\n2 | condition = \"x >\"\n  |              ^ expected a value\n"
        );
        assert_eq!(
            render_snippet("héllo", Span::new(1, 3), "m", false),
            "héllo\n ^ m\n"
        );
        assert_eq!(render_snippet("", Span::new(5, 9), "m", false), "\n^ m\n");
    }
}
