//! Evaluation of the targeting language with three-valued logic.
//!
//! Traits arrive as JSON from the host page, so a value may be missing or of the wrong type;
//! both read as *unknown* and an unknown condition never shows a campaign (see the rules in
//! the [module docs](super)). Evaluation allocates nothing for the common cases.
use super::{CmpOp, DateFn, Expr, ExprKind, Literal, Var};
use crate::time::{Moment, Timestamp, DAY_MS};
use crate::vocab::{EventStats, Page, Traits};
use crate::zone::Zone;
use serde_json::Value as Json;
use std::cmp::Ordering;

/// A truth value that may be unknown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Tri {
    /// Definitely true.
    True,
    /// Definitely false.
    False,
    /// Not enough information (a missing or mistyped trait).
    Unknown,
}

impl Tri {
    fn from_bool(b: bool) -> Tri {
        if b {
            Tri::True
        } else {
            Tri::False
        }
    }

    /// Kleene negation: unknown stays unknown.
    #[allow(clippy::should_implement_trait)]
    pub fn not(self) -> Tri {
        match self {
            Tri::True => Tri::False,
            Tri::False => Tri::True,
            Tri::Unknown => Tri::Unknown,
        }
    }

    /// Whether this is definitely true.
    pub fn is_true(self) -> bool {
        self == Tri::True
    }
}

/// Everything a condition may read.
#[derive(Debug, Clone, Copy)]
pub struct EvalContext<'a> {
    /// `user.*`
    pub user: &'a Traits,
    /// `account.*`
    pub account: &'a Traits,
    /// `page.*`
    pub page: &'a Page,
    /// `locale`
    pub locale: &'a str,
    /// `event("..")`
    pub events: &'a EventStats,
    /// The current instant, for `days_until` and friends.
    pub now: Timestamp,
    /// The vendor's time zone, in which dates are calendar days.
    pub zone: &'a Zone,
}

#[derive(Debug, Clone, Copy)]
enum V<'a> {
    Bool(bool),
    Num(f64),
    Str(&'a str),
    /// A calendar date or an instant.
    Date(Moment),
    /// Milliseconds.
    Duration(i64),
    Json(&'a [Json]),
    Unknown,
}

/// Evaluate a boolean expression.
pub fn eval_bool(e: &Expr, cx: &EvalContext<'_>) -> Tri {
    match &e.kind {
        ExprKind::Not(inner) => eval_bool(inner, cx).not(),
        ExprKind::And(a, b) => match eval_bool(a, cx) {
            Tri::False => Tri::False,
            l => match (l, eval_bool(b, cx)) {
                (_, Tri::False) => Tri::False,
                (Tri::True, Tri::True) => Tri::True,
                _ => Tri::Unknown,
            },
        },
        ExprKind::Or(a, b) => match eval_bool(a, cx) {
            Tri::True => Tri::True,
            l => match (l, eval_bool(b, cx)) {
                (_, Tri::True) => Tri::True,
                (Tri::False, Tri::False) => Tri::False,
                _ => Tri::Unknown,
            },
        },
        ExprKind::Cmp(op, a, b) => {
            let (a, b) = (value(a, cx), value(b, cx));
            match compare(a, b, cx.zone) {
                None => Tri::Unknown,
                Some(ord) => Tri::from_bool(match op {
                    CmpOp::Eq => ord == Ordering::Equal,
                    CmpOp::Ne => ord != Ordering::Equal,
                    CmpOp::Lt => ord == Ordering::Less,
                    CmpOp::Le => ord != Ordering::Greater,
                    CmpOp::Gt => ord == Ordering::Greater,
                    CmpOp::Ge => ord != Ordering::Less,
                }),
            }
        }
        ExprKind::In(a, list, negated) => {
            let needle = value(a, cx);
            if matches!(needle, V::Unknown) {
                return Tri::Unknown;
            }
            let ExprKind::List(items) = &list.kind else {
                return Tri::Unknown;
            };
            let mut found = Tri::False;
            for item in items {
                match compare(needle, value(item, cx), cx.zone) {
                    Some(Ordering::Equal) => {
                        found = Tri::True;
                        break;
                    }
                    Some(_) => {}
                    None => found = Tri::Unknown,
                }
            }
            if *negated {
                found.not()
            } else {
                found
            }
        }
        ExprKind::Contains(a, b) => match (value(a, cx), value(b, cx)) {
            (V::Str(hay), V::Str(needle)) => {
                Tri::from_bool(crate::text::find(hay, needle).is_some())
            }
            (V::Json(items), needle) if !matches!(needle, V::Unknown) => Tri::from_bool(
                items
                    .iter()
                    .any(|j| compare(json(j), needle, cx.zone) == Some(Ordering::Equal)),
            ),
            _ => Tri::Unknown,
        },
        ExprKind::Matches(a, glob) => match value(a, cx) {
            V::Str(s) => Tri::from_bool(glob.is_match(s)),
            _ => Tri::Unknown,
        },
        _ => match value(e, cx) {
            V::Bool(b) => Tri::from_bool(b),
            _ => Tri::Unknown,
        },
    }
}

fn value<'a>(e: &'a Expr, cx: &EvalContext<'a>) -> V<'a> {
    match &e.kind {
        ExprKind::Lit(l) => match l {
            Literal::Str(s) => V::Str(s),
            Literal::Num(n) => V::Num(*n),
            Literal::Bool(b) => V::Bool(*b),
            Literal::Date(d) => V::Date(Moment::Date(*d)),
            Literal::Duration(d) => V::Duration(*d),
        },
        ExprKind::Var(v) => match v {
            Var::User(path) => lookup(cx.user, path),
            Var::Account(path) => lookup(cx.account, path),
            Var::PageUrl => V::Str(&cx.page.url),
            Var::PagePath => V::Str(&cx.page.path),
            Var::PageTitle => V::Str(&cx.page.title),
            Var::Locale => V::Str(cx.locale),
            Var::EventCount(name) => V::Num(cx.events.get(name).map_or(0, |s| s.count) as f64),
            Var::EventLastSeen(name) => cx
                .events
                .get(name)
                .and_then(|s| s.last_seen)
                .map_or(V::Unknown, |t| V::Date(Moment::Instant(t))),
        },
        ExprKind::Call(f, arg) => {
            let Some(date) = as_date(value(arg, cx)) else {
                return V::Unknown;
            };
            // Days are calendar days in the vendor's zone, so `days_until` and `days_since`
            // are 0 all day on the date itself and count the midnights in between.
            let zone = cx.zone;
            let days = zone.day_of(date) - zone.day(cx.now);
            // A calendar date's duration runs from its local midnight, on the wall clock.
            let (at, now) = match date {
                Moment::Date(d) => (d.saturating_mul(DAY_MS), zone.wall(cx.now)),
                Moment::Instant(t) => (t.0, cx.now.0),
            };
            match f {
                DateFn::DaysUntil => V::Num(days as f64),
                DateFn::DaysSince => V::Num(-days as f64),
                DateFn::TimeUntil => V::Duration(at.saturating_sub(now)),
                DateFn::TimeSince => V::Duration(now.saturating_sub(at)),
            }
        }
        ExprKind::List(_) => V::Unknown,
        _ => match eval_bool(e, cx) {
            Tri::True => V::Bool(true),
            Tri::False => V::Bool(false),
            Tri::Unknown => V::Unknown,
        },
    }
}

fn lookup<'a>(traits: &'a Traits, path: &str) -> V<'a> {
    if let Some(v) = traits.get(path) {
        return json(v);
    }
    let mut parts = path.split('.');
    let Some(first) = parts.next() else {
        return V::Unknown;
    };
    let mut cur = traits.get(first);
    for part in parts {
        cur = cur.and_then(|v| v.as_object()).and_then(|o| o.get(part));
    }
    cur.map_or(V::Unknown, json)
}

fn json(v: &Json) -> V<'_> {
    match v {
        Json::Bool(b) => V::Bool(*b),
        Json::Number(n) => n.as_f64().map_or(V::Unknown, V::Num),
        Json::String(s) => V::Str(s),
        Json::Array(items) => V::Json(items),
        Json::Null | Json::Object(_) => V::Unknown,
    }
}

/// A date from a date value or a trait holding `2026-05-01` (a calendar date) or RFC 3339
/// text (an instant; a date-time without offset is read as UTC).
fn as_date(v: V<'_>) -> Option<Moment> {
    match v {
        V::Date(d) => Some(d),
        V::Str(s) => Moment::parse(s),
        _ => None,
    }
}

fn compare(a: V<'_>, b: V<'_>, zone: &Zone) -> Option<Ordering> {
    match (a, b) {
        (V::Num(x), V::Num(y)) => x.partial_cmp(&y),
        (V::Str(x), V::Str(y)) => Some(x.cmp(y)),
        (V::Bool(x), V::Bool(y)) => Some(x.cmp(&y)),
        (V::Duration(x), V::Duration(y)) => Some(x.cmp(&y)),
        (V::Date(_), _) | (_, V::Date(_)) => {
            // A text trait against a date is parsed. Two instants compare as instants; a
            // calendar date against anything compares calendar days in the vendor's zone.
            Some(match (as_date(a)?, as_date(b)?) {
                (Moment::Instant(x), Moment::Instant(y)) => x.cmp(&y),
                (x, y) => zone.day_of(x).cmp(&zone.day_of(y)),
            })
        }
        _ => None,
    }
}
