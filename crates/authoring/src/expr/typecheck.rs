//! The type checker of the targeting language.
//!
//! Traits (`user.*`, `account.*`) are typed only at run time, so they check as `any`; the
//! rest is statically typed. Catching `page.path > 3` or `days_until("soon")` when the
//! campaign file is validated is far kinder than a campaign that silently never matches.
use super::{ExprError, ExprErrorKind};
use std::fmt;
use touchpoint_core::expr::{CmpOp, DateFn, Expr, ExprKind, Literal, Var};

/// A static type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Type {
    /// true / false
    Bool,
    /// A number.
    Num,
    /// Text.
    Str,
    /// A date or instant.
    Date,
    /// A length of time (`30d`).
    Duration,
    /// A list whose elements have the given type (`Any` for an empty list).
    List(Elem),
    /// Known only at run time (traits).
    Any,
}

/// The element type of a list (lists do not nest).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Elem {
    /// Strings.
    Str,
    /// Numbers.
    Num,
    /// Dates.
    Date,
    /// Booleans.
    Bool,
    /// Durations.
    Duration,
    /// Empty list.
    Any,
}

impl Elem {
    fn ty(self) -> Type {
        match self {
            Elem::Str => Type::Str,
            Elem::Num => Type::Num,
            Elem::Date => Type::Date,
            Elem::Bool => Type::Bool,
            Elem::Duration => Type::Duration,
            Elem::Any => Type::Any,
        }
    }
}

impl fmt::Display for Type {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Type::Bool => "a boolean",
            Type::Num => "a number",
            Type::Str => "a string",
            Type::Date => "a date",
            Type::Duration => "a duration",
            Type::List(_) => "a list",
            Type::Any => "a trait",
        })
    }
}

/// Check that `root` is a well-typed condition (a boolean).
///
/// # Errors
/// Every type error found, each with its span.
pub fn check(root: &Expr) -> Result<(), Vec<ExprError>> {
    let mut errors = Vec::new();
    let t = type_of(root, &mut errors);
    if !matches!(t, Some(Type::Bool | Type::Any)) && errors.is_empty() {
        if let Some(t) = t {
            errors.push(type_error(
                root,
                &format!("expected a true/false condition, found {t}"),
            ));
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors)
    }
}

fn type_error(e: &Expr, message: &str) -> ExprError {
    ExprError::new(ExprErrorKind::Type, e.span, message)
}

fn compatible(a: Type, b: Type) -> bool {
    a == Type::Any || b == Type::Any || a == b
}

/// The type of `e`, or `None` after recording an error beneath it.
fn type_of(e: &Expr, errors: &mut Vec<ExprError>) -> Option<Type> {
    match &e.kind {
        ExprKind::Lit(l) => Some(match l {
            Literal::Str(_) => Type::Str,
            Literal::Num(_) => Type::Num,
            Literal::Bool(_) => Type::Bool,
            Literal::Date(_) => Type::Date,
            Literal::Duration(_) => Type::Duration,
        }),
        ExprKind::List(items) => {
            let mut elem: Option<Type> = None;
            for item in items {
                let t = type_of(item, errors)?;
                if matches!(t, Type::List(_)) || matches!(item.kind, ExprKind::Var(_)) {
                    errors.push(type_error(item, "list items must be literals"));
                    return None;
                }
                match elem {
                    None => elem = Some(t),
                    Some(prev) if prev != t => {
                        errors.push(type_error(
                            item,
                            &format!(
                                "list items must all have one type: expected {prev}, found {t}"
                            ),
                        ));
                        return None;
                    }
                    Some(_) => {}
                }
            }
            Some(Type::List(match elem {
                None | Some(Type::Any | Type::List(_)) => Elem::Any,
                Some(Type::Str) => Elem::Str,
                Some(Type::Num) => Elem::Num,
                Some(Type::Date) => Elem::Date,
                Some(Type::Bool) => Elem::Bool,
                Some(Type::Duration) => Elem::Duration,
            }))
        }
        ExprKind::Var(v) => Some(match v {
            Var::User(_) | Var::Account(_) => Type::Any,
            Var::PageUrl | Var::PagePath | Var::PageTitle | Var::Locale => Type::Str,
            Var::EventCount(_) => Type::Num,
            Var::EventLastSeen(_) => Type::Date,
        }),
        ExprKind::Call(f, arg) => {
            let t = type_of(arg, errors)?;
            if !compatible(t, Type::Date) {
                errors.push(type_error(arg, &format!("expected a date, found {t}")));
                return None;
            }
            Some(match f {
                DateFn::DaysUntil | DateFn::DaysSince => Type::Num,
                DateFn::TimeUntil | DateFn::TimeSince => Type::Duration,
            })
        }
        ExprKind::Not(inner) => {
            let t = type_of(inner, errors)?;
            if !compatible(t, Type::Bool) {
                errors.push(type_error(
                    inner,
                    &format!("`not` needs a condition, found {t}"),
                ));
            }
            Some(Type::Bool)
        }
        ExprKind::And(a, b) | ExprKind::Or(a, b) => {
            let word = if matches!(e.kind, ExprKind::And(..)) {
                "and"
            } else {
                "or"
            };
            for side in [a, b] {
                if let Some(t) = type_of(side, errors) {
                    if !compatible(t, Type::Bool) {
                        errors.push(type_error(
                            side,
                            &format!("both sides of `{word}` must be conditions, found {t}"),
                        ));
                    }
                }
            }
            Some(Type::Bool)
        }
        ExprKind::Cmp(op, a, b) => {
            let (ta, tb) = (type_of(a, errors), type_of(b, errors));
            let (Some(ta), Some(tb)) = (ta, tb) else {
                return Some(Type::Bool);
            };
            if matches!(ta, Type::List(_)) || matches!(tb, Type::List(_)) {
                let side = if matches!(ta, Type::List(_)) { a } else { b };
                errors.push(type_error(side, "a list cannot be compared: use `in [..]`"));
            } else if !compatible(ta, tb) {
                errors.push(type_error(e, &format!("cannot compare {ta} with {tb}")));
            } else if !matches!(op, CmpOp::Eq | CmpOp::Ne) {
                let t = if ta == Type::Any { tb } else { ta };
                if matches!(t, Type::Bool | Type::Str) {
                    errors.push(type_error(
                        e,
                        &format!(
                            "`<`, `<=`, `>`, `>=` need numbers, dates or durations, found {t}"
                        ),
                    ));
                }
            }
            Some(Type::Bool)
        }
        ExprKind::In(a, list, _) => {
            let (ta, tl) = (type_of(a, errors), type_of(list, errors));
            if let (Some(ta), Some(Type::List(elem))) = (ta, tl) {
                if !compatible(ta, elem.ty()) {
                    errors.push(type_error(
                        e,
                        &format!("cannot look for {ta} in a list of {}s", elem_word(elem)),
                    ));
                }
            }
            Some(Type::Bool)
        }
        ExprKind::Contains(a, b) => {
            let (ta, tb) = (type_of(a, errors), type_of(b, errors));
            if let Some(ta) = ta {
                if !matches!(ta, Type::Str | Type::Any) {
                    errors.push(type_error(
                        a,
                        &format!("`contains` needs text or a list trait, found {ta}"),
                    ));
                }
            }
            if let Some(tb) = tb {
                if matches!(tb, Type::List(_)) {
                    errors.push(type_error(b, "`contains` takes one value, not a list"));
                }
            }
            Some(Type::Bool)
        }
        ExprKind::Matches(a, _) => {
            if let Some(ta) = type_of(a, errors) {
                if !compatible(ta, Type::Str) {
                    errors.push(type_error(a, &format!("`matches` needs text, found {ta}")));
                }
            }
            Some(Type::Bool)
        }
    }
}

fn elem_word(e: Elem) -> &'static str {
    match e {
        Elem::Str => "string",
        Elem::Num => "number",
        Elem::Date => "date",
        Elem::Bool => "boolean",
        Elem::Duration => "duration",
        Elem::Any => "value",
    }
}

#[cfg(test)]
mod tests {
    use super::super::parser::parse;
    use super::*;
    use touchpoint_core::expr::Span;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    fn errs(src: &str) -> Vec<(Span, String)> {
        check(&parse(src).unwrap())
            .err()
            .unwrap_or_default()
            .into_iter()
            .map(|e| (e.span, e.message))
            .collect()
    }

    #[test]
    fn accepts_good_conditions() {
        for ok in [
            "days_until(account.renewal_date) <= 120",
            "user.nps >= 9 and not user.churned",
            "time_since(event('login').last_seen) < 30d",
            "account.plan in ['pro', 'team'] or locale matches 'fr*'",
            "user.tags contains 'beta'",
            "event('x').last_seen > 2026-01-01",
            "user.is_admin",
        ] {
            assert_eq!(errs(ok), vec![], "{ok}");
        }
    }

    #[test]
    fn rejects_ill_typed_conditions_with_spans() {
        assert_eq!(
            errs("page.path > 3"),
            vec![(
                Span::new(0, 13),
                "cannot compare a string with a number".into()
            )]
        );
        assert_eq!(
            errs("days_until('soon') < 3"),
            vec![(Span::new(11, 17), "expected a date, found a string".into())]
        );
        assert_eq!(errs("event('x').count").len(), 1);
        assert_eq!(errs("page.url > 'a' and 1 and locale in [1, 2]").len(), 3);
        assert_eq!(errs("days_since(user.x) < 30d").len(), 1);
    }
}
