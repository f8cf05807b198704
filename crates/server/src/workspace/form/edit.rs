//! Writing the form's fields onto the campaign's TOML, keeping everything else.
//!
//! The form is a second view of one document, not a second model: each posted field names
//! the TOML path it edits (`content.en.ctas[0].url`, the same path validation reports), and
//! only fields whose text changed are written, through `toml_edit`, so the author's comments,
//! key order, quoting and the fields the form does not show stay byte for byte. A value that
//! cannot be written (letters in a number) is a [`FieldError`] on its path and the old value
//! stays; everything else is left to the core's validation, run on the result.
use toml_edit::{Array, ArrayOfTables, DocumentMut, InlineTable, Item, Table, Value};

/// One step of a field path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Seg<'a> {
    /// A key of a table.
    Key(&'a str),
    /// A row of an array (of tables).
    Index(usize),
}

/// The steps of `path` (`content.en.ctas[0].url`); `None` for a malformed path.
pub fn segments(path: &str) -> Option<Vec<Seg<'_>>> {
    let mut out = Vec::new();
    for part in path.split('.') {
        let (key, mut rest) = part.split_at(part.find('[').unwrap_or(part.len()));
        if key.is_empty() {
            return None;
        }
        out.push(Seg::Key(key));
        while let Some(inner) = rest.strip_prefix('[') {
            let close = inner.find(']')?;
            out.push(Seg::Index(inner[..close].parse().ok()?));
            rest = &inner[close + 1..];
        }
        if !rest.is_empty() {
            return None;
        }
    }
    Some(out)
}

/// The item at `path`, if there is one.
pub fn get<'d>(doc: &'d DocumentMut, path: &str) -> Option<&'d Item> {
    let mut item = doc.as_item();
    for seg in segments(path)? {
        item = match seg {
            Seg::Key(k) => item.get(k)?,
            Seg::Index(i) => item.get(i)?,
        };
    }
    Some(item)
}

fn get_mut<'d>(doc: &'d mut DocumentMut, segs: &[Seg<'_>], create: bool) -> Option<&'d mut Item> {
    let mut item = doc.as_item_mut();
    for seg in segs {
        item = match *seg {
            Seg::Key(k) => {
                let table = item.as_table_like_mut()?;
                if !table.contains_key(k) {
                    if !create {
                        return None;
                    }
                    table.insert(k, Item::Table(Table::new()));
                }
                table.get_mut(k)?
            }
            Seg::Index(i) => item.get_mut(i)?,
        };
    }
    Some(item)
}

/// How a field's text becomes a TOML value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A string; empty removes an optional key, and is written as `""` for a required one.
    Text {
        /// Whether the key must be present.
        required: bool,
    },
    /// A whole number; empty removes the key.
    Whole,
    /// A number (the holdout percent); empty removes the key.
    Number,
    /// `true`, `false`, or empty for the default.
    Flag,
    /// A comma-separated list of strings; empty removes the key.
    List,
}

/// A field whose text could not be written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    /// The field's path.
    pub path: String,
    /// What was expected.
    pub message: String,
}

/// The text a field shows for the item at `path` (empty when absent).
pub fn text(doc: &DocumentMut, path: &str) -> String {
    match get(doc, path).and_then(Item::as_value) {
        None => String::new(),
        Some(Value::String(s)) => s.value().clone(),
        Some(Value::Array(a)) if a.iter().all(Value::is_str) => a
            .iter()
            .filter_map(Value::as_str)
            .collect::<Vec<_>>()
            .join(", "),
        Some(v) => v.clone().decorated("", "").to_string(),
    }
}

/// Write `posted` onto the field at `path` when it differs from what the field showed.
///
/// # Errors
/// A [`FieldError`] when the text is not a value of the field's kind; the document is
/// unchanged then.
pub fn write(
    doc: &mut DocumentMut,
    path: &str,
    kind: Kind,
    posted: &str,
) -> Result<(), FieldError> {
    let posted = posted.replace("\r\n", "\n");
    let shown = text(doc, path);
    let trimmed = match kind {
        Kind::Text { .. } => posted.as_str(),
        _ => posted.trim(),
    };
    let unchanged = match kind {
        Kind::List => items(trimmed) == items(&shown),
        _ => trimmed == shown,
    };
    if unchanged {
        return Ok(());
    }
    let error = |message: &str| FieldError {
        path: path.to_owned(),
        message: message.to_owned(),
    };
    let value: Option<Value> = match kind {
        Kind::Text { required: false } if trimmed.trim().is_empty() => None,
        Kind::Text { .. } => Some(Value::from(trimmed)),
        _ if trimmed.is_empty() => None,
        Kind::Whole => Some(Value::from(
            trimmed
                .parse::<i64>()
                .map_err(|_| error("expected a whole number, such as 3"))?,
        )),
        Kind::Number => {
            let n: f64 = trimmed
                .parse()
                .ok()
                .filter(|n: &f64| n.is_finite())
                .ok_or_else(|| error("expected a number, such as 10 or 2.5"))?;
            // A whole percent is written as an integer, as authors write it.
            Some(if n.fract() == 0.0 && n.abs() < 1e15 {
                Value::from(n as i64)
            } else {
                Value::from(n)
            })
        }
        Kind::Flag => match trimmed {
            "true" => Some(Value::from(true)),
            "false" => Some(Value::from(false)),
            _ => return Err(error("expected yes, no or the default")),
        },
        Kind::List => Some(Value::Array(items(trimmed).into_iter().collect::<Array>())),
    };
    set(doc, path, value);
    Ok(())
}

/// The entries of a comma-separated list.
fn items(text: &str) -> Vec<&str> {
    text.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect()
}

/// Put `value` at `path` (creating missing tables), or remove the key when `None`. A
/// replaced value keeps the comments around it.
fn set(doc: &mut DocumentMut, path: &str, value: Option<Value>) {
    let Some(segs) = segments(path) else { return };
    let Some((Seg::Key(last), parents)) = segs.split_last() else {
        return;
    };
    let Some(parent) = get_mut(doc, parents, value.is_some()) else {
        return;
    };
    let Some(table) = parent.as_table_like_mut() else {
        return;
    };
    match value {
        None => {
            table.remove(last);
        }
        Some(mut value) => match table.get_mut(last) {
            Some(Item::Value(old)) => {
                *value.decor_mut() = old.decor().clone();
                *old = value;
            }
            _ => {
                table.insert(last, Item::Value(value));
            }
        },
    }
}

/// The repeated groups a form can add a row to, each with the smallest row its validation
/// reads (so a new row shows its own problems, not a parse error).
fn new_row(path: &str) -> Option<Table> {
    let mut row = Table::new();
    let last = path.rsplit('.').next()?;
    match (path, last) {
        (_, "ctas") if path.starts_with("content.") => {
            row.insert("label", toml_edit::value(""));
            row.insert("action", toml_edit::value("dismiss"));
        }
        ("variants", _) => {
            row.insert("id", toml_edit::value(""));
            row.insert("weight", toml_edit::value(0));
        }
        ("frequency.caps", _) => {
            row.insert("scope", toml_edit::value("user"));
            row.insert("max", toml_edit::value(1));
        }
        ("leads", _) => {
            row.insert("team", toml_edit::value("sales"));
        }
        _ => return None,
    }
    Some(row)
}

/// Whether `locale` can name a `[content.<locale>]` table the form writes.
pub fn plain_locale(locale: &str) -> bool {
    !locale.is_empty()
        && locale.len() <= 35
        && locale
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

/// Append an empty row to the repeated group at `path` (`content.en.ctas`, `variants`,
/// `frequency.caps`, `leads`), or add the locale `content.<locale>` with an empty title.
/// Returns whether the document changed.
pub fn add(doc: &mut DocumentMut, path: &str) -> bool {
    if let Some(locale) = path.strip_prefix("content.").filter(|l| !l.contains('.')) {
        if !plain_locale(locale) || get(doc, path).is_some() {
            return false;
        }
        let mut table = Table::new();
        table.insert("title", toml_edit::value(""));
        let Some(content) = get_mut(doc, &[Seg::Key("content")], true) else {
            return false;
        };
        return content
            .as_table_like_mut()
            .is_some_and(|t| t.insert(locale, Item::Table(table)).is_none());
    }
    let Some(row) = new_row(path) else {
        return false;
    };
    let Some(segs) = segments(path) else {
        return false;
    };
    let Some(item) = get_mut(doc, &segs, true) else {
        return false;
    };
    match item {
        // Created just now by the walk: make it an array of tables.
        Item::Table(t) if t.is_empty() => {
            let mut rows = ArrayOfTables::new();
            rows.push(row);
            *item = Item::ArrayOfTables(rows);
            true
        }
        Item::ArrayOfTables(rows) => {
            rows.push(row);
            true
        }
        Item::Value(Value::Array(rows)) => {
            rows.push(Value::InlineTable(InlineTable::from_iter(
                row.iter()
                    .filter_map(|(k, v)| Some((k.to_owned(), v.as_value()?.clone()))),
            )));
            true
        }
        _ => false,
    }
}

/// Remove the row at `path` (`leads[1]`) or the locale table `content.<locale>`. Returns
/// whether the document changed.
pub fn remove(doc: &mut DocumentMut, path: &str) -> bool {
    let Some(segs) = segments(path) else {
        return false;
    };
    let Some((last, parents)) = segs.split_last() else {
        return false;
    };
    let Some(parent) = get_mut(doc, parents, false) else {
        return false;
    };
    match *last {
        Seg::Index(i) => match parent {
            Item::ArrayOfTables(rows) if i < rows.len() => {
                rows.remove(i);
                if rows.is_empty() {
                    drop_key(doc, parents);
                }
                true
            }
            Item::Value(Value::Array(rows)) if i < rows.len() => {
                rows.remove(i);
                true
            }
            _ => false,
        },
        Seg::Key(k) => parent
            .as_table_like_mut()
            .is_some_and(|t| t.remove(k).is_some()),
    }
}

/// Remove the key at `segs` (an array of tables left without rows, which TOML cannot
/// write).
fn drop_key(doc: &mut DocumentMut, segs: &[Seg<'_>]) {
    if let Some((Seg::Key(k), parents)) = segs.split_last() {
        if let Some(t) = get_mut(doc, parents, false).and_then(Item::as_table_like_mut) {
            t.remove(k);
        }
    }
}

/// Remove the optional sections (`schedule`, `conversion`) the form's edits left empty,
/// which would otherwise read as a section missing its required keys.
pub fn prune(doc: &mut DocumentMut, sections: &[&str]) {
    for s in sections {
        if get(doc, s)
            .and_then(Item::as_table_like)
            .is_some_and(|t| t.is_empty())
        {
            doc.remove(s);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const OPT: Kind = Kind::Text { required: false };

    const SOURCE: &str = "# The launch.\nid = \"x\"\nname = \"Launch\" # shown to no one\n\n[content.en]\ntitle = 'Hi'\n\n[[content.en.ctas]]\nlabel = \"Go\"\naction = \"dismiss\"\n";

    fn doc() -> DocumentMut {
        SOURCE.parse().expect("toml")
    }

    #[test]
    fn paths_split_into_keys_and_rows() {
        assert_eq!(
            segments("content.en.ctas[0].url"),
            Some(vec![
                Seg::Key("content"),
                Seg::Key("en"),
                Seg::Key("ctas"),
                Seg::Index(0),
                Seg::Key("url")
            ])
        );
        assert_eq!(segments("a..b"), None);
        assert_eq!(segments("a[x]"), None);
        assert_eq!(segments("a[1]b"), None);
    }

    #[test]
    fn an_unchanged_field_leaves_the_text_byte_for_byte() {
        let mut d = doc();
        write(&mut d, "name", Kind::Text { required: true }, "Launch").unwrap();
        write(
            &mut d,
            "content.en.title",
            Kind::Text { required: true },
            "Hi",
        )
        .unwrap();
        write(&mut d, "owner", Kind::Text { required: false }, "  ").unwrap();
        assert_eq!(d.to_string(), SOURCE);
    }

    #[test]
    fn a_changed_field_keeps_its_comment_and_a_new_one_creates_its_table() {
        let mut d = doc();
        write(&mut d, "name", Kind::Text { required: true }, "Relaunch").unwrap();
        write(
            &mut d,
            "schedule.timezone",
            Kind::Text { required: false },
            "Europe/Paris",
        )
        .unwrap();
        write(&mut d, "audience.phases", Kind::List, "adoption, , renewal").unwrap();
        let out = d.to_string();
        assert!(
            out.contains("name = \"Relaunch\" # shown to no one\n"),
            "{out}"
        );
        assert!(
            out.contains("[schedule]\ntimezone = \"Europe/Paris\"\n"),
            "{out}"
        );
        assert!(
            out.contains("phases = [\"adoption\", \"renewal\"]"),
            "{out}"
        );
        assert!(out.starts_with("# The launch.\n"), "{out}");
    }

    #[test]
    fn a_number_that_is_not_one_is_an_error_on_its_path_and_changes_nothing() {
        let mut d = doc();
        let e = write(&mut d, "frequency.max_views", Kind::Whole, "three").unwrap_err();
        assert_eq!(e.path, "frequency.max_views");
        assert_eq!(d.to_string(), SOURCE);
        write(&mut d, "holdout", Kind::Number, "10").unwrap();
        write(&mut d, "frequency.max_views", Kind::Whole, " 3 ").unwrap();
        assert_eq!(text(&d, "holdout"), "10");
        assert_eq!(text(&d, "frequency.max_views"), "3");
    }

    #[test]
    fn rows_are_added_and_removed_and_an_emptied_group_disappears() {
        let mut d = doc();
        assert!(add(&mut d, "content.en.ctas"));
        assert_eq!(text(&d, "content.en.ctas[1].action"), "dismiss");
        assert!(add(&mut d, "leads"));
        assert_eq!(text(&d, "leads[0].team"), "sales");
        assert!(add(&mut d, "content.fr"));
        assert!(!add(&mut d, "content.fr"), "a locale is added once");
        assert!(!add(&mut d, "content.f r"));
        assert!(!add(&mut d, "nonsense"));
        assert!(remove(&mut d, "content.en.ctas[0]"));
        assert_eq!(text(&d, "content.en.ctas[0].label"), "");
        assert!(remove(&mut d, "content.en.ctas[0]"));
        assert!(get(&d, "content.en.ctas").is_none());
        assert!(remove(&mut d, "content.fr"));
        assert!(!remove(&mut d, "leads[4]"));
        let reparsed: DocumentMut = d.to_string().parse().expect("still TOML");
        assert_eq!(text(&reparsed, "leads[0].team"), "sales");
    }

    #[test]
    fn a_body_of_several_lines_reads_back_as_typed() {
        let mut d = doc();
        let body = "First line.\n\n- a \"quoted\" item\n- C:\\path";
        write(&mut d, "content.en.body", OPT, &body.replace('\n', "\r\n")).unwrap();
        let reparsed: DocumentMut = d.to_string().parse().expect("still TOML");
        assert_eq!(text(&reparsed, "content.en.body"), body);
    }

    #[test]
    fn emptied_optional_sections_are_pruned() {
        let mut d: DocumentMut = "id = \"x\"\n[schedule]\ntimezone = \"UTC\"\n"
            .parse()
            .unwrap();
        write(
            &mut d,
            "schedule.timezone",
            Kind::Text { required: false },
            "",
        )
        .unwrap();
        prune(&mut d, &["schedule", "conversion"]);
        assert_eq!(d.to_string(), "id = \"x\"\n");
    }
}
