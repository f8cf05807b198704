//! Campaigns as code: checking TOML campaign files and reporting every problem with the
//! file, the field path, the line and column, and a caret under the place.
//!
//! Pure functions over (file name, text): the CLI (`touchpoint check <dir>`) reads the
//! files and prints the [`Diagnostic`]s; nothing here touches the file system.
use crate::diagnostic::{line_col, render_snippet, Diagnostic};
use crate::{RawCampaign, ValidationError, ValidationErrorKind};
use std::collections::BTreeMap;
use toml::de::{DeTable, DeValue};
use toml::Spanned;
use touchpoint_core::expr::Span;
use touchpoint_core::Campaign;

/// The result of checking a set of files.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CheckReport {
    /// Valid campaigns, with the file each came from, in input order.
    pub campaigns: Vec<(String, Campaign)>,
    /// Every problem found, in input order.
    pub diagnostics: Vec<Diagnostic>,
}

impl CheckReport {
    /// Whether every file was valid.
    pub fn is_ok(&self) -> bool {
        self.diagnostics.is_empty()
    }
}

/// Parse and validate one campaign file.
///
/// # Errors
/// Every diagnostic for the file: a TOML syntax error or an unknown field / wrong type
/// (one, as the parser stops there), or else every validation error.
///
/// # Example
/// ```
/// use touchpoint_authoring::files::check_file;
/// let text = "id = \"tips\"\nname = \"Tips\"\ngoal = \"adoption\"\n\
///             [audience]\ncondition = \"user.plan == \"\n\
///             [trigger]\non = \"page_load\"\n[format]\nkind = \"banner\"\n\
///             [content.en]\ntitle = \"Hi\"\n";
/// let errs = check_file("campaigns/tips.toml", text).unwrap_err();
/// assert_eq!(
///     errs[0].to_string(),
///     "error: campaigns/tips.toml:5:27: audience.condition: expected a value, found the end of the condition\n  |\n5 | condition = \"user.plan == \"\n  |                           ^ expected a value, found the end of the condition"
/// );
/// ```
pub fn check_file(file: &str, text: &str) -> Result<Campaign, Vec<Diagnostic>> {
    let table = match DeTable::parse(text) {
        Ok(t) => t,
        Err(e) => {
            let span = e.span().map(|r| Span::new(r.start, r.end));
            return Err(vec![diag(file, text, String::new(), span, e.message())]);
        }
    };
    // Serde stops at the first unknown field or mistyped value. To report them all, blank
    // out the offending entry (spaces keep every offset) and parse again.
    let mut work = text.to_owned();
    let mut structural = Vec::new();
    let mut blanked: Vec<String> = Vec::new();
    let raw = loop {
        let e = match toml::from_str::<RawCampaign>(&work) {
            Ok(raw) => break Some(raw),
            Err(e) => e,
        };
        let span = e.span().map(|r| Span::new(r.start, r.end));
        let message = e.message();
        let follow_on = message
            .strip_prefix("missing field `")
            .and_then(|m| m.strip_suffix('`'))
            .is_some_and(|f| blanked.iter().any(|b| b == f));
        if follow_on {
            break None;
        }
        let path = span
            .map(|s| path_at(table.get_ref(), s.start))
            .unwrap_or_default();
        structural.push(diag(file, text, path, span, message));
        let entry = span.and_then(|s| innermost_entry(table.get_ref(), s.start));
        let Some((key, value)) = entry else {
            break None;
        };
        if structural.len() >= 50 {
            break None;
        }
        blanked.push(key.get_ref().to_string());
        blank_entry(&mut work, key, value);
        if DeTable::parse(&work).is_err() {
            break None;
        }
    };
    let Some(raw) = raw else {
        structural.sort_by_key(|d| (d.line, d.column));
        return Err(structural);
    };
    if !structural.is_empty() {
        // Validation errors of the remaining fields are still worth reporting.
        if let Err(errs) = Campaign::try_from(raw) {
            structural.extend(
                errs.0
                    .iter()
                    .map(|e| locate(file, text, table.get_ref(), e)),
            );
        }
        structural.sort_by_key(|d| (d.line, d.column));
        return Err(structural);
    }
    Campaign::try_from(raw).map_err(|errs| {
        errs.0
            .iter()
            .map(|e| locate(file, text, table.get_ref(), e))
            .collect()
    })
}

/// Check a whole set of files, also catching campaign ids defined in more than one file.
///
/// # Example
/// ```
/// use touchpoint_authoring::files::check_files;
/// let a = "id = \"x\"\nname = \"X\"\ngoal = \"adoption\"\n[trigger]\non = \"manual\"\n\
///          [format]\nkind = \"toast\"\n[content.en]\ntitle = \"Hi\"\n";
/// let report = check_files([("a.toml", a), ("b.toml", a)]);
/// assert_eq!(report.campaigns.len(), 1);
/// assert_eq!(report.diagnostics[0].message, "duplicate campaign id `x`: also defined in a.toml");
/// ```
pub fn check_files<'a>(files: impl IntoIterator<Item = (&'a str, &'a str)>) -> CheckReport {
    let mut report = CheckReport::default();
    let mut seen: BTreeMap<String, String> = BTreeMap::new();
    for (file, text) in files {
        match check_file(file, text) {
            Ok(c) => {
                if let Some(first) = seen.get(&c.id) {
                    let e = ValidationError {
                        path: "id".into(),
                        kind: ValidationErrorKind::Duplicate,
                        message: format!(
                            "duplicate campaign id `{}`: also defined in {first}",
                            c.id
                        ),
                        span: None,
                    };
                    let table = DeTable::parse(text)
                        .map(Spanned::into_inner)
                        .unwrap_or_default();
                    report.diagnostics.push(locate(file, text, &table, &e));
                } else {
                    seen.insert(c.id.clone(), file.to_owned());
                    report.campaigns.push((file.to_owned(), c));
                }
            }
            Err(d) => report.diagnostics.extend(d),
        }
    }
    report
}

fn diag(file: &str, text: &str, path: String, span: Option<Span>, message: &str) -> Diagnostic {
    let (line, column, snippet) = match span {
        Some(s) => {
            let (l, c) = line_col(text, s.start);
            (Some(l), Some(c), render_snippet(text, s, message, true))
        }
        None => (None, None, String::new()),
    };
    Diagnostic {
        file: file.to_owned(),
        path,
        line,
        column,
        message: message.to_owned(),
        snippet,
    }
}

fn locate(file: &str, text: &str, table: &DeTable<'_>, e: &ValidationError) -> Diagnostic {
    let span = match find(table, &e.path) {
        Found::Value(v) => match e.span {
            Some(inner) => {
                let base = string_content_start(text, v.start);
                let start = raw_offset(text, base, inner.start);
                let end = raw_offset(text, base, inner.end);
                Some(Span::new(start, end.max(start)))
            }
            None => Some(v),
        },
        Found::Key(k) => Some(k),
        Found::Nothing => None,
    };
    diag(file, text, e.path.clone(), span, &e.message)
}

enum Found {
    Value(Span),
    Key(Span),
    Nothing,
}

enum Seg<'p> {
    Key(&'p str),
    Index(usize),
}

fn segments(path: &str) -> Vec<Seg<'_>> {
    let mut out = Vec::new();
    for part in path.split('.') {
        let (key, mut rest) = part.split_once('[').map_or((part, ""), |(k, r)| (k, r));
        if !key.is_empty() {
            out.push(Seg::Key(key));
        }
        while let Some((n, r)) = rest.split_once(']') {
            if let Ok(i) = n.parse() {
                out.push(Seg::Index(i));
            }
            rest = r.strip_prefix('[').unwrap_or(r);
        }
    }
    out
}

fn span_of<T>(s: &Spanned<T>) -> Span {
    let r = s.span();
    Span::new(r.start, r.end)
}

/// The span of the value at `path`, or of the deepest key on the way.
fn find(table: &DeTable<'_>, path: &str) -> Found {
    let mut found = Found::Nothing;
    let mut table = Some(table);
    let mut array: Option<&[Spanned<DeValue<'_>>]> = None;
    for seg in segments(path) {
        let value = match seg {
            Seg::Key(k) => table
                .and_then(|t| t.iter().find(|(key, _)| key.get_ref().as_ref() == k))
                .map(|(key, v)| {
                    found = Found::Key(span_of(key));
                    v
                }),
            Seg::Index(i) => array.and_then(|a| a.get(i)),
        };
        let Some(value) = value else { return found };
        found = Found::Value(span_of(value));
        table = None;
        array = None;
        match value.get_ref() {
            DeValue::Table(t) => table = Some(t),
            DeValue::Array(a) => array = Some(a),
            _ => {}
        }
    }
    found
}

/// The dotted path of the innermost key or value containing byte `offset`.
fn path_at(table: &DeTable<'_>, offset: usize) -> String {
    let mut path = String::new();
    let mut value: Option<&DeValue<'_>> = None;
    let contains = |s: Span| s.start <= offset && offset < s.end.max(s.start + 1);
    let mut current = table;
    loop {
        let hit = current.iter().find(|(k, v)| {
            contains(span_of(k)) || contains(span_of(v)) || table_contains(v.get_ref(), offset)
        });
        let Some((k, v)) = hit else { break };
        if !path.is_empty() {
            path.push('.');
        }
        path.push_str(k.get_ref());
        value = Some(v.get_ref());
        match v.get_ref() {
            DeValue::Table(t) => current = t,
            DeValue::Array(items) => {
                let idx = items
                    .iter()
                    .position(|it| contains(span_of(it)) || table_contains(it.get_ref(), offset));
                let Some(idx) = idx else { break };
                path.push_str(&format!("[{idx}]"));
                match items[idx].get_ref() {
                    DeValue::Table(t) => current = t,
                    _ => break,
                }
            }
            _ => break,
        }
    }
    let _ = value;
    path
}

/// Whether any key or value inside a table value spans `offset` (table headers may not
/// cover their entries).
fn table_contains(v: &DeValue<'_>, offset: usize) -> bool {
    let inside = |s: Span| s.start <= offset && offset < s.end.max(s.start + 1);
    match v {
        DeValue::Table(t) => t.iter().any(|(k, v)| {
            inside(span_of(k)) || inside(span_of(v)) || table_contains(v.get_ref(), offset)
        }),
        DeValue::Array(a) => a
            .iter()
            .any(|it| inside(span_of(it)) || table_contains(it.get_ref(), offset)),
        _ => false,
    }
}

type Entry<'t, 'i> = (
    &'t Spanned<toml::de::DeString<'i>>,
    &'t Spanned<DeValue<'i>>,
);

/// The innermost key/value entry whose key or value spans `offset`.
fn innermost_entry<'t, 'i>(table: &'t DeTable<'i>, offset: usize) -> Option<Entry<'t, 'i>> {
    let inside = |s: Span| s.start <= offset && offset < s.end.max(s.start + 1);
    for (k, v) in table.iter() {
        let deeper = match v.get_ref() {
            DeValue::Table(t) => innermost_entry(t, offset),
            DeValue::Array(items) => items.iter().find_map(|it| match it.get_ref() {
                DeValue::Table(t) => innermost_entry(t, offset),
                _ => None,
            }),
            _ => None,
        };
        if deeper.is_some() {
            return deeper;
        }
        if inside(span_of(k)) || inside(span_of(v)) {
            return Some((k, v));
        }
    }
    None
}

/// Replace an entry (and everything under it) by spaces, keeping line breaks. A key on a
/// table header line (`[x]`, `[[x]]`) blanks the whole line.
fn blank_entry(
    work: &mut String,
    key: &Spanned<toml::de::DeString<'_>>,
    value: &Spanned<DeValue<'_>>,
) {
    let k = span_of(key);
    let line_start = work[..k.start.min(work.len())]
        .rfind('\n')
        .map_or(0, |i| i + 1);
    let line_end = work[k.start.min(work.len())..]
        .find('\n')
        .map_or(work.len(), |i| k.start + i);
    if work[line_start..line_end].trim_start().starts_with('[') {
        blank(work, Span::new(line_start, line_end));
    } else {
        let v = span_of(value);
        blank(work, Span::new(k.start, v.end.max(k.end)));
    }
    let children: Vec<Entry<'_, '_>> = match value.get_ref() {
        DeValue::Table(t) => t.iter().collect(),
        DeValue::Array(items) => items
            .iter()
            .filter_map(|it| match it.get_ref() {
                DeValue::Table(t) => Some(t.iter()),
                _ => None,
            })
            .flatten()
            .collect(),
        _ => Vec::new(),
    };
    for (ck, cv) in children {
        blank_entry(work, ck, cv);
    }
}

fn blank(work: &mut String, span: Span) {
    let (start, end) = (span.start.min(work.len()), span.end.min(work.len()));
    if !work.is_char_boundary(start) || !work.is_char_boundary(end) {
        return;
    }
    let spaces: String = work[start..end]
        .chars()
        .map(|c| if c == '\n' { '\n' } else { ' ' })
        .collect();
    // Multi-byte characters become one space each; pad so offsets after the entry stay put.
    let pad = (end - start).saturating_sub(spaces.len());
    work.replace_range(start..end, &(spaces + &" ".repeat(pad)));
}

/// Byte offset of the first content character of the string literal starting at `at`.
fn string_content_start(text: &str, at: usize) -> usize {
    let rest = text.get(at..).unwrap_or("");
    let open = if rest.starts_with("\"\"\"") || rest.starts_with("'''") {
        3
    } else if rest.starts_with('"') || rest.starts_with('\'') {
        1
    } else {
        0
    };
    let mut start = at + open;
    if open == 3 {
        // A newline right after the opening delimiter is not part of the string.
        let after = text.get(start..).unwrap_or("");
        if after.starts_with("\r\n") {
            start += 2;
        } else if after.starts_with('\n') {
            start += 1;
        }
    }
    start
}

/// Map a byte offset in a string's decoded value to the file, stepping over escapes.
fn raw_offset(text: &str, content_start: usize, decoded: usize) -> usize {
    let literal = text[..content_start].ends_with('\'');
    let raw = text.get(content_start..).unwrap_or("");
    let mut dec = 0;
    let mut chars = raw.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        if dec >= decoded {
            return content_start + i;
        }
        if c == '\\' && !literal {
            match chars.next() {
                Some((_, u @ ('u' | 'U'))) => {
                    let digits = if u == 'u' { 4 } else { 8 };
                    let hex: String = (0..digits)
                        .filter_map(|_| chars.next().map(|(_, h)| h))
                        .collect();
                    dec += u32::from_str_radix(&hex, 16)
                        .ok()
                        .and_then(char::from_u32)
                        .map_or(1, char::len_utf8);
                }
                _ => dec += 1,
            }
        } else {
            dec += c.len_utf8();
        }
    }
    content_start + raw.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = r#"
id = "tips"
name = "Tips"
goal = "adoption"

[audience]
condition = 'user.role == "admin" and page.path > 3'

[trigger]
on = "page_load"

[format]
kind = "tooltip"

[content.en]
title = "Hi"
"#;

    #[test]
    fn condition_errors_point_into_the_file() {
        let d = check_file("t.toml", GOOD).unwrap_err();
        assert_eq!(d.len(), 2, "{d:?}");
        assert_eq!(
            (d[0].path.as_str(), d[0].line, d[0].column),
            ("audience.condition", Some(7), Some(39))
        );
        assert!(
            d[0].snippet
                .contains("^^^^^^^^^^^^^ cannot compare a string with a number"),
            "{}",
            d[0]
        );
        assert_eq!((d[1].path.as_str(), d[1].line), ("format.anchor", Some(12)));
    }

    #[test]
    fn paths_and_escapes() {
        assert_eq!(segments("a.b[2].c").len(), 4);
        let text = "x = \"\\u00e9 user.\"";
        assert_eq!(raw_offset(text, 5, 2), 11);
        assert_eq!(string_content_start("x = '''\nab'''", 4), 8);
    }
}
