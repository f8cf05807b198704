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
//! | `2026-05-01`, `30d` | `["date", days since the epoch]`, `["dur", ms]` |
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
//! Decoding checks shapes (an unknown node or a wrong arity is an error naming the node) and
//! depth (at most [`MAX_DEPTH`] levels, so neither decoding nor evaluation can exhaust the
//! widget's stack), not types: the tree was type-checked on the server, and evaluation is
//! total (an ill-typed comparison is unknown).
//!
//! One codec: the server writes the form with the `Serialize` impls below, the widget reads
//! it with [`decode`]; the operator and function names come from [`CmpOp::NAMES`] and
//! [`DateFn::NAMES`].
use super::{CmpOp, Condition, DateFn, Expr, ExprKind, Glob, Literal, Span, Var};
use serde::ser::{Serialize, SerializeSeq, SerializeStruct, Serializer};
use serde_json::Value;

/// The deepest tree a condition may have (a leaf is one level). Deeper trees are refused
/// by the authoring crate's parser and by [`decode`].
pub const MAX_DEPTH: usize = 100;

/// One node: its tag, then its arguments.
fn tagged<S: Serializer, T: Serialize + ?Sized>(
    s: S,
    tag: &str,
    args: &[&T],
) -> Result<S::Ok, S::Error> {
    let mut seq = s.serialize_seq(Some(args.len() + 1))?;
    seq.serialize_element(tag)?;
    for a in args {
        seq.serialize_element(a)?;
    }
    seq.end()
}

impl Serialize for Expr {
    /// The compiled form (see the module docs).
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match &self.kind {
            ExprKind::Lit(Literal::Str(x)) => s.serialize_str(x),
            ExprKind::Lit(Literal::Num(n)) => s.serialize_f64(*n),
            ExprKind::Lit(Literal::Bool(b)) => s.serialize_bool(*b),
            ExprKind::Lit(Literal::Date(days)) => tagged(s, "date", &[days]),
            ExprKind::Lit(Literal::Duration(ms)) => tagged(s, "dur", &[ms]),
            ExprKind::List(items) => {
                let items: Vec<&Expr> = items.iter().collect();
                tagged(s, "list", &items)
            }
            ExprKind::Var(v) => match v {
                Var::User(k) => tagged(s, "user", &[k]),
                Var::Account(k) => tagged(s, "account", &[k]),
                Var::PageUrl => tagged::<S, str>(s, "page.url", &[]),
                Var::PagePath => tagged::<S, str>(s, "page.path", &[]),
                Var::PageTitle => tagged::<S, str>(s, "page.title", &[]),
                Var::Locale => tagged::<S, str>(s, "locale", &[]),
                Var::EventCount(n) => tagged(s, "event.count", &[n]),
                Var::EventLastSeen(n) => tagged(s, "event.last_seen", &[n]),
            },
            ExprKind::Call(f, a) => tagged(s, f.as_str(), &[&**a]),
            ExprKind::Not(a) => tagged(s, "not", &[&**a]),
            ExprKind::And(a, b) => tagged(s, "and", &[&**a, &**b]),
            ExprKind::Or(a, b) => tagged(s, "or", &[&**a, &**b]),
            ExprKind::Cmp(op, a, b) => tagged(s, op.as_str(), &[&**a, &**b]),
            ExprKind::In(a, b, negated) => {
                tagged(s, if *negated { "not in" } else { "in" }, &[&**a, &**b])
            }
            ExprKind::Contains(a, b) => tagged(s, "contains", &[&**a, &**b]),
            ExprKind::Matches(a, g) => {
                let mut seq = s.serialize_seq(Some(3))?;
                seq.serialize_element("matches")?;
                seq.serialize_element(&**a)?;
                seq.serialize_element(g.as_str())?;
                seq.end()
            }
        }
    }
}

impl Serialize for Condition {
    /// `{"source": "...", "tree": [...]}`.
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut o = s.serialize_struct("Condition", 2)?;
        o.serialize_field("source", &self.source)?;
        o.serialize_field("tree", &self.root)?;
        o.end()
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

/// A condition from its source text and the tree the server compiled from it.
///
/// # Errors
/// A malformed or too deep tree, with the node at fault.
pub fn decode_condition(source: &str, tree: &Value) -> Result<Condition, DecodeError> {
    // `decode` has bounded the depth already; `Condition::new` would walk the tree again.
    Ok(Condition {
        source: source.to_owned(),
        root: decode(tree)?,
    })
}

/// Read a compiled expression back (see the module docs for the form).
///
/// # Errors
/// An unknown node, a node with the wrong number or kind of arguments, or a tree deeper
/// than [`MAX_DEPTH`].
pub fn decode(v: &Value) -> Result<Expr, DecodeError> {
    decode_at(v, 1)
}

fn decode_at(v: &Value, depth: usize) -> Result<Expr, DecodeError> {
    if depth > MAX_DEPTH {
        return Err(super::TooDeep.to_string());
    }
    let decode = |v: &Value| decode_at(v, depth + 1);
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
            if let Some(f) = DateFn::from_name(tag) {
                ExprKind::Call(f, one()?)
            } else if let Some(op) = CmpOp::from_name(tag) {
                let (a, b) = two()?;
                ExprKind::Cmp(op, a, b)
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
    use serde_json::json;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

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

    #[test]
    fn a_tree_deeper_than_the_limit_is_refused_not_recursed_into() {
        // Issue 10: a catalog's bytes must not abort the widget; a tree nested a million
        // levels would exhaust the stack of a recursive reader.
        let mut deep = json!(true);
        for _ in 0..MAX_DEPTH - 1 {
            deep = json!(["not", deep]);
        }
        assert!(decode(&deep).is_ok());
        let too_deep = json!(["not", deep]);
        assert_eq!(
            decode(&too_deep),
            Err("nested more than 100 levels deep".to_owned())
        );
        assert!(decode_condition("x", &too_deep).is_err());
    }
}
