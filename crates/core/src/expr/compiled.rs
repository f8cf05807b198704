//! Conditions in compiled form: the checked syntax tree as compact JSON, so the widget can
//! evaluate what the server parsed and type-checked without shipping the lexer, parser and
//! type checker in its wasm.
//!
//! A node is a JSON array whose first element names it; a bare string, number or boolean is
//! a literal:
//!
//! | source | compiled |
//! |---|---|
//! | `"x"`, `3`, `true` | `"x"`, `3`, `true` |
//! | `2026-05-01`, `30d` | `["date", ms]`, `["dur", ms]` |
//! | `["a", "b"]` | `["list", "a", "b"]` |
//! | `user.role`, `account.plan` | `["user", "role"]`, `["account", "plan"]` |
//! | `page.url`, `page.path`, `page.title`, `locale` | `["page.url"]`, … `["locale"]` |
//! | `event("x").count`, `.last_seen` | `["event.count", "x"]`, `["event.last_seen", "x"]` |
//! | `days_until(e)` and the other date functions | `["days_until", e]` |
//! | `not a`, `a and b`, `a or b` | `["not", a]`, `["and", a, b]`, `["or", a, b]` |
//! | `a <= b` (any comparison) | `["<=", a, b]` |
//! | `a in l`, `a not in l`, `a contains b` | `["in", a, l]`, `["not in", a, l]`, `["contains", a, b]` |
//! | `a matches "g"` | `["matches", a, "g"]` |
//!
//! Spans are not carried: they only serve error messages, which the server has already given.
//! Decoding checks shapes (an unknown node or a wrong arity is an error naming the node), not
//! types — the tree comes from [`Condition::parse`](super::Condition::parse) on the server.
use super::{CmpOp, DateFn, Expr, ExprKind, Glob, Literal, Span, Var};
use serde_json::{json, Value};

const CMP: [(&str, CmpOp); 6] = [
    ("==", CmpOp::Eq),
    ("!=", CmpOp::Ne),
    ("<", CmpOp::Lt),
    ("<=", CmpOp::Le),
    (">", CmpOp::Gt),
    (">=", CmpOp::Ge),
];

const FNS: [(&str, DateFn); 4] = [
    ("days_until", DateFn::DaysUntil),
    ("days_since", DateFn::DaysSince),
    ("time_until", DateFn::TimeUntil),
    ("time_since", DateFn::TimeSince),
];

/// The name `v` has in `table` (the tables of names the campaign and condition forms share).
pub(crate) fn name_of<T: PartialEq + Copy>(table: &[(&'static str, T)], v: T) -> &'static str {
    table.iter().find(|(_, t)| *t == v).map_or("", |(n, _)| n)
}

/// The compiled form of an expression.
pub fn encode(e: &Expr) -> Value {
    let pair = |tag: &str, a: &Expr, b: &Expr| json!([tag, encode(a), encode(b)]);
    match &e.kind {
        ExprKind::Lit(Literal::Str(s)) => json!(s),
        ExprKind::Lit(Literal::Num(n)) => json!(n),
        ExprKind::Lit(Literal::Bool(b)) => json!(b),
        ExprKind::Lit(Literal::Date(ms)) => json!(["date", ms]),
        ExprKind::Lit(Literal::Duration(ms)) => json!(["dur", ms]),
        ExprKind::List(items) => {
            let mut out = vec![json!("list")];
            out.extend(items.iter().map(encode));
            Value::Array(out)
        }
        ExprKind::Var(v) => match v {
            Var::User(k) => json!(["user", k]),
            Var::Account(k) => json!(["account", k]),
            Var::PageUrl => json!(["page.url"]),
            Var::PagePath => json!(["page.path"]),
            Var::PageTitle => json!(["page.title"]),
            Var::Locale => json!(["locale"]),
            Var::EventCount(n) => json!(["event.count", n]),
            Var::EventLastSeen(n) => json!(["event.last_seen", n]),
        },
        ExprKind::Call(f, a) => json!([name_of(&FNS, *f), encode(a)]),
        ExprKind::Not(a) => json!(["not", encode(a)]),
        ExprKind::And(a, b) => pair("and", a, b),
        ExprKind::Or(a, b) => pair("or", a, b),
        ExprKind::Cmp(op, a, b) => pair(name_of(&CMP, *op), a, b),
        ExprKind::In(a, b, negated) => pair(if *negated { "not in" } else { "in" }, a, b),
        ExprKind::Contains(a, b) => pair("contains", a, b),
        ExprKind::Matches(a, g) => json!(["matches", encode(a), g.as_str()]),
    }
}

/// A JSON value in words, for error messages: strings quoted, anything else by its kind
/// (printing the value itself would link a JSON writer into the widget).
pub(crate) fn describe(v: &Value) -> String {
    match v {
        Value::String(s) => format!("\"{s}\""),
        Value::Null => "null".into(),
        Value::Bool(b) => b.to_string(),
        Value::Number(_) => "a number".into(),
        Value::Array(_) => "a list".into(),
        Value::Object(_) => "an object".into(),
    }
}

/// Why a compiled expression could not be read: the node at fault, in words.
pub type DecodeError = String;

fn node(kind: ExprKind) -> Expr {
    Expr {
        kind,
        span: Span::default(),
    }
}

/// Read a compiled expression back (see the module docs for the form).
///
/// # Errors
/// An unknown node, a node with the wrong number or kind of arguments.
pub fn decode(v: &Value) -> Result<Expr, DecodeError> {
    let lit = |l| Ok(node(ExprKind::Lit(l)));
    let parts = match v {
        Value::String(s) => return lit(Literal::Str(s.clone())),
        Value::Number(n) => return lit(Literal::Num(n.as_f64().unwrap_or(f64::NAN))),
        Value::Bool(b) => return lit(Literal::Bool(*b)),
        Value::Array(parts) => parts,
        _ => return Err(format!("expected a node, found {}", describe(v))),
    };
    let tag = parts.first().and_then(Value::as_str).unwrap_or("");
    let args = parts.get(1..).unwrap_or_default();
    let bad = || format!("malformed `{tag}` node");
    let one = || match args {
        [a] => decode(a).map(Box::new),
        _ => Err(bad()),
    };
    let two = || match args {
        [a, b] => Ok((Box::new(decode(a)?), Box::new(decode(b)?))),
        _ => Err(bad()),
    };
    let name = || match args {
        [Value::String(s)] => Ok(s.clone()),
        _ => Err(bad()),
    };
    let none = || if args.is_empty() { Ok(()) } else { Err(bad()) };
    let millis = || match args {
        [n] => n.as_i64().ok_or_else(bad),
        _ => Err(bad()),
    };
    let kind = match tag {
        "date" => ExprKind::Lit(Literal::Date(millis()?)),
        "dur" => ExprKind::Lit(Literal::Duration(millis()?)),
        "list" => ExprKind::List(args.iter().map(decode).collect::<Result<_, _>>()?),
        "user" => ExprKind::Var(Var::User(name()?)),
        "account" => ExprKind::Var(Var::Account(name()?)),
        "event.count" => ExprKind::Var(Var::EventCount(name()?)),
        "event.last_seen" => ExprKind::Var(Var::EventLastSeen(name()?)),
        "page.url" => none().map(|()| ExprKind::Var(Var::PageUrl))?,
        "page.path" => none().map(|()| ExprKind::Var(Var::PagePath))?,
        "page.title" => none().map(|()| ExprKind::Var(Var::PageTitle))?,
        "locale" => none().map(|()| ExprKind::Var(Var::Locale))?,
        "not" => ExprKind::Not(one()?),
        "and" => {
            let (a, b) = two()?;
            ExprKind::And(a, b)
        }
        "or" => {
            let (a, b) = two()?;
            ExprKind::Or(a, b)
        }
        "in" | "not in" => {
            let (a, b) = two()?;
            ExprKind::In(a, b, tag == "not in")
        }
        "contains" => {
            let (a, b) = two()?;
            ExprKind::Contains(a, b)
        }
        "matches" => match args {
            [a, Value::String(g)] => ExprKind::Matches(Box::new(decode(a)?), Glob::new(g)),
            _ => return Err(bad()),
        },
        _ => {
            if let Some((_, f)) = FNS.iter().find(|(n, _)| *n == tag) {
                ExprKind::Call(*f, one()?)
            } else if let Some((_, op)) = CMP.iter().find(|(n, _)| *n == tag) {
                let (a, b) = two()?;
                ExprKind::Cmp(*op, a, b)
            } else {
                return Err(format!("unknown node `{tag}`"));
            }
        }
    };
    Ok(node(kind))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::expr::Condition;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    /// Spans aside, decoding what was encoded gives the parsed tree back.
    fn without_spans(e: &Expr) -> Expr {
        let b = |x: &Expr| Box::new(without_spans(x));
        let kind = match &e.kind {
            ExprKind::List(items) => ExprKind::List(items.iter().map(without_spans).collect()),
            ExprKind::Call(f, a) => ExprKind::Call(*f, b(a)),
            ExprKind::Not(a) => ExprKind::Not(b(a)),
            ExprKind::And(x, y) => ExprKind::And(b(x), b(y)),
            ExprKind::Or(x, y) => ExprKind::Or(b(x), b(y)),
            ExprKind::Cmp(op, x, y) => ExprKind::Cmp(*op, b(x), b(y)),
            ExprKind::In(x, y, n) => ExprKind::In(b(x), b(y), *n),
            ExprKind::Contains(x, y) => ExprKind::Contains(b(x), b(y)),
            ExprKind::Matches(x, g) => ExprKind::Matches(b(x), g.clone()),
            other => other.clone(),
        };
        node(kind)
    }

    #[test]
    fn every_node_round_trips() {
        let src = r#"days_until(account.renewal_date) <= 120 and user.role in ["admin", 'owner']
            or not (page.path matches "/app/**" or page.url contains "x" or page.title == "T")
            or locale not in ["de"] or event("export").count >= 3
            or time_since(event("plan_limit_hit").last_seen) <= 30d
            or days_since(2026-05-01) > 2 or time_until(account.end) < 2w
            or user.beta == true or user.score != 1.5 or user.n > -2"#;
        let c = Condition::parse(src).unwrap();
        let wire = encode(c.root());
        let back = decode(&wire).unwrap();
        assert_eq!(back, without_spans(c.root()));
        assert_eq!(encode(&back), wire);
    }

    #[test]
    fn the_form_is_the_documented_one() {
        let c =
            Condition::parse("account.seat_utilisation >= 0.85 and user.role in ['a']").unwrap();
        assert_eq!(
            encode(c.root()),
            json!([
                "and",
                [">=", ["account", "seat_utilisation"], 0.85],
                ["in", ["user", "role"], ["list", "a"]]
            ])
        );
    }

    #[test]
    fn malformed_nodes_are_named() {
        let cases = [
            (json!(["nope", 1]), "unknown node `nope`"),
            (json!(["and", true]), "malformed `and` node"),
            (json!(["user"]), "malformed `user` node"),
            (json!(["user", 3]), "malformed `user` node"),
            (json!(["page.url", "x"]), "malformed `page.url` node"),
            (json!(["date", "2026"]), "malformed `date` node"),
            (
                json!(["matches", ["page.path"], 3]),
                "malformed `matches` node",
            ),
            (json!(["days_until"]), "malformed `days_until` node"),
            (json!(["not", ["or", 1]]), "malformed `or` node"),
            (json!({"a": 1}), "expected a node, found an object"),
            (json!([]), "unknown node ``"),
        ];
        for (wire, message) in cases {
            assert_eq!(decode(&wire), Err(message.to_owned()), "{wire}");
        }
    }
}
