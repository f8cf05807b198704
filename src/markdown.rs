//! The Markdown subset CS teams write in nudges — paragraphs, `*emphasis*`, `**strong**`,
//! `` `code` ``, `[links](https://…)`, bullet and numbered lists, hard line breaks — parsed
//! into a small tree that the view turns into virtual DOM. There is no path to raw HTML: a
//! `<b>` in the source is text. Links keep only the targets [`touchpoint_core::link`] allows
//! (`https:`, `http:`, `mailto:`, `tel:`, relative), the rule CTAs are held to as well.
//!
//! Personalisation tokens such as `{{user.first_name | there}}` are swapped for private-use
//! placeholders before parsing and expanded as *text* afterwards, so a trait value can never
//! become Markdown, let alone markup. In link targets and CTA URLs ([`personalize_url`]) each
//! value is percent-encoded as a URL component, so a trait can add to a path or query but
//! never change the scheme, host or structure. Hand-written on purpose: a full CommonMark
//! parser would cost more than the rest of the view in wasm bytes.
use touchpoint_core::context::Traits;
use touchpoint_core::link;
use touchpoint_core::text::find;

/// What personalisation tokens can read.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Vars {
    /// `user.*`.
    pub user: Traits,
    /// `account.*`.
    pub account: Traits,
}

/// A block of content.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Block {
    /// A paragraph.
    Para(Vec<Inline>),
    /// A list of items.
    List {
        /// Numbered.
        ordered: bool,
        /// The items.
        items: Vec<Vec<Inline>>,
    },
}

/// Inline content.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Inline {
    /// Plain text.
    Text(String),
    /// `**strong**`.
    Strong(Vec<Inline>),
    /// `*emphasis*`.
    Em(Vec<Inline>),
    /// `` `code` ``.
    Code(String),
    /// A link with a safe target.
    Link {
        /// Target.
        href: String,
        /// Label.
        children: Vec<Inline>,
    },
    /// A hard line break.
    Break,
}

/// Placeholders for tokens: one private-use character per token.
const PLACEHOLDER: u32 = 0xE000;

/// A token's value: `user.x` / `account.x` as text, else the fallback after `|`.
fn resolve(token: &str, vars: &Vars) -> String {
    let (path, fallback) = match token.split_once('|') {
        Some((p, f)) => (p.trim(), f.trim()),
        None => (token.trim(), ""),
    };
    let value = match path.split_once('.') {
        Some(("user", key)) => vars.user.get(key),
        Some(("account", key)) => vars.account.get(key),
        _ => None,
    };
    let text = match value {
        Some(serde_json::Value::String(s)) => s.clone(),
        Some(serde_json::Value::Number(n)) => match n.as_i64() {
            Some(i) => i.to_string(),
            None => crate::json::stringify(&serde_json::Value::Number(n.clone())),
        },
        Some(serde_json::Value::Bool(b)) => b.to_string(),
        _ => String::new(),
    };
    if text.trim().is_empty() {
        fallback.to_owned()
    } else {
        text
    }
}

/// Replace `{{…}}` tokens with placeholders; returns the text and the values.
fn lift_tokens(src: &str, vars: &Vars) -> (String, Vec<String>) {
    let mut out = String::with_capacity(src.len());
    let mut values = Vec::new();
    let mut rest = src;
    while let Some(start) = find(rest, "{{") {
        let Some(len) = find(&rest[start + 2..], "}}") else {
            break;
        };
        out.push_str(&rest[..start]);
        // More than 6 400 tokens in one text would leave the private-use block; stop there.
        match char::from_u32(PLACEHOLDER + u32::try_from(values.len()).unwrap_or(u32::MAX)) {
            Some(c) if values.len() < 6400 => out.push(c),
            _ => break,
        }
        values.push(resolve(&rest[start + 2..start + 2 + len], vars));
        rest = &rest[start + 2 + len + 2..];
    }
    out.push_str(rest);
    (out, values)
}

/// Put the token values back in place of their placeholders; percent-encoded as a URL
/// component (everything but `A-Z a-z 0-9 - . _ ~`) with `url`.
fn expand_as(s: &str, values: &[String], url: bool) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        let i = (c as u32).wrapping_sub(PLACEHOLDER) as usize;
        match values.get(i) {
            Some(v) if (0xE000..0xF900).contains(&(c as u32)) => {
                if url {
                    for b in v.bytes() {
                        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
                            out.push(char::from(b));
                        } else {
                            const HEX: &[u8; 16] = b"0123456789ABCDEF";
                            out.push('%');
                            out.push(char::from(HEX[usize::from(b >> 4)]));
                            out.push(char::from(HEX[usize::from(b & 15)]));
                        }
                    }
                } else {
                    out.push_str(v);
                }
            }
            _ => out.push(c),
        }
    }
    out
}

fn expand(s: &str, values: &[String]) -> String {
    expand_as(s, values, false)
}

/// A plain-text field (a title, a label) with its tokens filled in.
pub fn personalize(src: &str, vars: &Vars) -> String {
    personalize_as(src, vars, false)
}

/// A URL (a CTA's target) with its tokens filled in, each value percent-encoded as a URL
/// component: `/app/{{user.website}}` with `a b/c` gives `/app/a%20b%2Fc`. Check the result
/// with [`link::check`] before following it: the template was checked, not the values.
pub fn personalize_url(src: &str, vars: &Vars) -> String {
    personalize_as(src, vars, true)
}

fn personalize_as(src: &str, vars: &Vars, url: bool) -> String {
    if find(src, "{{").is_none() {
        return src.to_owned();
    }
    let (text, values) = lift_tokens(src, vars);
    expand_as(&text, &values, url)
}

/// Parse `src` with tokens filled in from `vars`.
pub fn parse(src: &str, vars: &Vars) -> Vec<Block> {
    let (text, values) = lift_tokens(src, vars);
    let mut blocks = Vec::new();
    let mut para: Vec<&str> = Vec::new();
    let mut list: Option<(bool, Vec<String>)> = None;
    let flush_para = |para: &mut Vec<&str>, blocks: &mut Vec<Block>| {
        if !para.is_empty() {
            blocks.push(Block::Para(inlines(&para.join("\n"), &values)));
            para.clear();
        }
    };
    let flush_list = |list: &mut Option<(bool, Vec<String>)>, blocks: &mut Vec<Block>| {
        if let Some((ordered, items)) = list.take() {
            let items = items.iter().map(|i| inlines(i, &values)).collect();
            blocks.push(Block::List { ordered, items });
        }
    };
    for line in text.lines() {
        if line.trim().is_empty() {
            flush_para(&mut para, &mut blocks);
            flush_list(&mut list, &mut blocks);
            continue;
        }
        if let Some((ordered, item)) = list_item(line) {
            flush_para(&mut para, &mut blocks);
            if list.as_ref().is_some_and(|(o, _)| *o != ordered) {
                flush_list(&mut list, &mut blocks);
            }
            list.get_or_insert_with(|| (ordered, Vec::new()))
                .1
                .push(item.to_owned());
        } else if let Some((_, items)) = list.as_mut().filter(|_| line.starts_with([' ', '\t'])) {
            // An indented line continues the last item.
            if let Some(last) = items.last_mut() {
                last.push('\n');
                last.push_str(line.trim_start());
            }
        } else {
            flush_list(&mut list, &mut blocks);
            para.push(line);
        }
    }
    flush_para(&mut para, &mut blocks);
    flush_list(&mut list, &mut blocks);
    blocks
}

/// `- item`, `* item`, `+ item` (bullet) or `1. item`, `1) item` (numbered).
fn list_item(line: &str) -> Option<(bool, &str)> {
    let t = line.trim_start();
    for bullet in ["- ", "* ", "+ "] {
        if let Some(rest) = t.strip_prefix(bullet) {
            return Some((false, rest.trim()));
        }
    }
    let digits = t.bytes().take_while(u8::is_ascii_digit).count();
    if (1..=9).contains(&digits) {
        let rest = &t[digits..];
        if let Some(item) = rest.strip_prefix(". ").or_else(|| rest.strip_prefix(") ")) {
            return Some((true, item.trim()));
        }
    }
    None
}

fn push_text(out: &mut Vec<Inline>, s: &str, values: &[String]) {
    if s.is_empty() {
        return;
    }
    let s = expand(s, values);
    if let Some(Inline::Text(t)) = out.last_mut() {
        t.push_str(&s);
    } else {
        out.push(Inline::Text(s));
    }
}

/// Inline content of one paragraph or item.
fn inlines(s: &str, values: &[String]) -> Vec<Inline> {
    let mut out = Vec::new();
    let mut text_start = 0;
    let mut i = 0;
    let bytes = s.as_bytes();
    while i < bytes.len() {
        let b = bytes[i];
        let found: Option<(Inline, usize)> = match b {
            b'\\' if i + 1 < bytes.len() && bytes[i + 1].is_ascii_punctuation() => {
                push_text(&mut out, &s[text_start..i], values);
                text_start = i + 1;
                i += 2;
                continue;
            }
            b'\\' if bytes.get(i + 1) == Some(&b'\n') => Some((Inline::Break, i + 2)),
            b'\n' => {
                let hard = s[..i].ends_with("  ");
                push_text(&mut out, s[text_start..i].trim_end(), values);
                if hard {
                    out.push(Inline::Break);
                } else {
                    push_text(&mut out, " ", values);
                }
                i += 1;
                text_start = i;
                continue;
            }
            b'`' => s[i + 1..].find('`').map(|len| {
                (
                    Inline::Code(expand(&s[i + 1..i + 1 + len], values)),
                    i + len + 2,
                )
            }),
            b'*' | b'_' => emphasis(s, i, values),
            b'[' => link(s, i, values),
            _ => None,
        };
        match found {
            Some((node, end)) => {
                push_text(&mut out, &s[text_start..i], values);
                out.push(node);
                i = end;
                text_start = end;
            }
            None => i += 1,
        }
    }
    push_text(&mut out, &s[text_start..], values);
    out
}

/// `**strong**`/`__strong__` or `*em*`/`_em_` starting at `i`; `_` only at a word start, so
/// `snake_case_names` stay text.
fn emphasis(s: &str, i: usize, values: &[String]) -> Option<(Inline, usize)> {
    let c = &s[i..=i];
    if c == "_"
        && s[..i]
            .chars()
            .next_back()
            .is_some_and(char::is_alphanumeric)
    {
        return None;
    }
    let double = format!("{c}{c}");
    if s[i..].starts_with(&double) {
        let inner_start = i + 2;
        let len = find(&s[inner_start..], &double)?;
        if len == 0 {
            return None;
        }
        let inner = &s[inner_start..inner_start + len];
        return Some((
            Inline::Strong(inlines(inner, values)),
            inner_start + len + 2,
        ));
    }
    let inner_start = i + 1;
    if s[inner_start..].starts_with(char::is_whitespace) {
        return None;
    }
    let len = find(&s[inner_start..], c)?;
    if len == 0 {
        return None;
    }
    let inner = &s[inner_start..inner_start + len];
    Some((Inline::Em(inlines(inner, values)), inner_start + len + 1))
}

/// `[label](target)` at `i`. An unsafe target renders the label as text.
fn link(s: &str, i: usize, values: &[String]) -> Option<(Inline, usize)> {
    let close = i + find(&s[i..], "](")?;
    // The target ends at the `)` that balances, so `(x)` inside a URL stays in it.
    let mut depth = 0u32;
    let mut end = None;
    for (j, c) in s[close + 2..].char_indices() {
        match c {
            '(' => depth += 1,
            ')' if depth == 0 => {
                end = Some(close + 2 + j);
                break;
            }
            ')' => depth -= 1,
            '\n' => return None,
            _ => {}
        }
    }
    let end = end?;
    let label = inlines(&s[i + 1..close], values);
    let href = expand_as(s[close + 2..end].trim(), values, true);
    let node = if link::is_safe(&href) {
        Inline::Link {
            href,
            children: label,
        }
    } else {
        Inline::Text(label.iter().map(plain).collect())
    };
    Some((node, end + 1))
}

/// The text of an inline node.
pub fn plain(node: &Inline) -> String {
    match node {
        Inline::Text(t) | Inline::Code(t) => t.clone(),
        Inline::Strong(c) | Inline::Em(c) | Inline::Link { children: c, .. } => {
            c.iter().map(plain).collect()
        }
        Inline::Break => "\n".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars() -> Vars {
        let mut v = Vars::default();
        v.user.insert("first_name".into(), "Ada".into());
        v.user.insert(
            "evil".into(),
            "<img src=x onerror=alert(1)> **bold**".into(),
        );
        v.account.insert("seats".into(), 20.into());
        v
    }

    fn t(s: &str) -> Inline {
        Inline::Text(s.into())
    }

    #[test]
    fn paragraphs_emphasis_strong_code_and_links() {
        let b = parse(
            "Hello **there**, *you* and `x<y`.\n\nSee [docs](https://d.example/a?b=1).",
            &vars(),
        );
        assert_eq!(
            b,
            vec![
                Block::Para(vec![
                    t("Hello "),
                    Inline::Strong(vec![t("there")]),
                    t(", "),
                    Inline::Em(vec![t("you")]),
                    t(" and "),
                    Inline::Code("x<y".into()),
                    t("."),
                ]),
                Block::Para(vec![
                    t("See "),
                    Inline::Link {
                        href: "https://d.example/a?b=1".into(),
                        children: vec![t("docs")]
                    },
                    t("."),
                ]),
            ]
        );
    }

    #[test]
    fn lists_and_line_breaks() {
        let b = parse(
            "Steps:  \nnext line\n- one\n- two\n  more\n\n1. first\n2) second",
            &Vars::default(),
        );
        assert_eq!(
            b,
            vec![
                Block::Para(vec![t("Steps:"), Inline::Break, t("next line")]),
                Block::List {
                    ordered: false,
                    items: vec![vec![t("one")], vec![t("two more")]]
                },
                Block::List {
                    ordered: true,
                    items: vec![vec![t("first")], vec![t("second")]]
                },
            ]
        );
    }

    #[test]
    fn unsafe_links_become_text_and_safe_ones_stay() {
        for bad in [
            "javascript:alert(1)",
            "JaVaScRiPt:x",
            "data:text/html,x",
            "vbscript:x",
            "java\tscript:x",
        ] {
            let b = parse(&format!("[click]({bad})"), &Vars::default());
            assert_eq!(b, vec![Block::Para(vec![t("click")])], "{bad}");
        }
        for good in [
            "https://a.example",
            "http://a",
            "mailto:cs@a.example",
            "tel:+4930123456",
            "/app/x",
            "#/invoices",
            "page?x=1:2",
            "//cdn.example/x",
        ] {
            let b = parse(&format!("[go]({good})"), &Vars::default());
            let link = Inline::Link {
                href: good.into(),
                children: vec![t("go")],
            };
            assert_eq!(b, vec![Block::Para(vec![link])], "{good}");
        }
    }

    #[test]
    fn url_tokens_are_percent_encoded_components() {
        let mut v = vars();
        v.user.insert("website".into(), "a b/c?d=1&e#f".into());
        v.user.insert("script".into(), "javascript:alert(1)".into());
        assert_eq!(
            personalize_url("/app/{{user.website}}?n={{ user.first_name }}", &v),
            "/app/a%20b%2Fc%3Fd%3D1%26e%23f?n=Ada"
        );
        assert_eq!(
            personalize_url("/seats/{{account.seats}}/{{user.nope | d\u{e9}faut}}", &v),
            "/seats/20/d%C3%A9faut",
            "numbers and the `| default` form, UTF-8 encoded"
        );
        // A trait cannot become a scheme: the value is a component, not a URL.
        let filled = personalize_url("{{user.script}}", &v);
        assert_eq!(filled, "javascript%3Aalert%281%29");
        assert!(link::is_safe(&filled));
        assert_eq!(personalize_url("/plain", &v), "/plain");
        // The same in Markdown link targets; the label stays text.
        assert_eq!(
            parse("[{{user.website}}](/u/{{user.website}})", &v),
            vec![Block::Para(vec![Inline::Link {
                href: "/u/a%20b%2Fc%3Fd%3D1%26e%23f".into(),
                children: vec![t("a b/c?d=1&e#f")],
            }])]
        );
    }

    #[test]
    fn tokens_are_text_never_markdown_or_markup() {
        let b = parse("Hi {{ user.first_name | there }}! {{user.evil}} {{account.seats}} {{user.nope | friend}}", &vars());
        assert_eq!(
            b,
            vec![Block::Para(vec![t(
                "Hi Ada! <img src=x onerror=alert(1)> **bold** 20 friend"
            )])]
        );
        assert_eq!(
            personalize("Hello {{user.first_name|there}}", &Vars::default()),
            "Hello there"
        );
        assert_eq!(
            personalize("{{user.first_name}} **x**", &vars()),
            "Ada **x**"
        );
    }

    #[test]
    fn snake_case_and_stray_markers_stay_text() {
        let b = parse(
            "use first_name_here, 2 * 3 * 4 and a lone ` tick",
            &Vars::default(),
        );
        assert_eq!(
            b,
            vec![Block::Para(vec![t(
                "use first_name_here, 2 * 3 * 4 and a lone ` tick"
            )])]
        );
        let html = parse("<script>alert(1)</script>", &Vars::default());
        assert_eq!(
            html,
            vec![Block::Para(vec![t("<script>alert(1)</script>")])]
        );
    }
}
