//! What a condition reads: the user and account traits and the tracked events it names.
//!
//! The editor shows these beside the condition as it is typed, so an author sees at once
//! that `user.plna` is not the trait their product sends, and which events the campaign
//! depends on. Read from the parser's syntax tree, so a name inside a string literal is
//! never mistaken for one.
use std::collections::BTreeSet;
use touchpoint_core::expr::{Expr, ExprKind, Var};

/// The traits and events a condition names, each once, in name order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Uses {
    /// Traits as written: `user.plan`, `account.renewal_date`.
    pub traits: BTreeSet<String>,
    /// Event names, from `event("name").count` and `event("name").last_seen`.
    pub events: BTreeSet<String>,
}

/// Every trait and event `root` names.
///
/// # Example
/// ```
/// use touchpoint_authoring::expr::{parser::parse, uses::uses};
/// let tree = parse("user.plan == 'pro' and event('export').count > 2").unwrap();
/// let found = uses(&tree);
/// assert_eq!(found.traits.into_iter().collect::<Vec<_>>(), ["user.plan"]);
/// assert_eq!(found.events.into_iter().collect::<Vec<_>>(), ["export"]);
/// ```
pub fn uses(root: &Expr) -> Uses {
    let mut found = Uses::default();
    walk(root, &mut found);
    found
}

fn walk(e: &Expr, found: &mut Uses) {
    match &e.kind {
        ExprKind::Lit(_) => {}
        ExprKind::Var(var) => match var {
            Var::User(t) => {
                found.traits.insert(format!("user.{t}"));
            }
            Var::Account(t) => {
                found.traits.insert(format!("account.{t}"));
            }
            Var::EventCount(name) | Var::EventLastSeen(name) => {
                found.events.insert(name.clone());
            }
            Var::PageUrl | Var::PagePath | Var::PageTitle | Var::Locale => {}
        },
        ExprKind::List(items) => items.iter().for_each(|i| walk(i, found)),
        ExprKind::Call(_, inner) | ExprKind::Not(inner) | ExprKind::Matches(inner, _) => {
            walk(inner, found);
        }
        ExprKind::And(a, b)
        | ExprKind::Or(a, b)
        | ExprKind::Cmp(_, a, b)
        | ExprKind::In(a, b, _)
        | ExprKind::Contains(a, b) => {
            walk(a, found);
            walk(b, found);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::expr::parser::parse;

    fn of(src: &str) -> (Vec<String>, Vec<String>) {
        let u = uses(&parse(src).expect("parses"));
        (
            u.traits.into_iter().collect(),
            u.events.into_iter().collect(),
        )
    }

    #[test]
    fn traits_and_events_are_found_everywhere_in_the_tree_once_each() {
        let (traits, events) = of("days_until(account.renewal_date) <= 120 \
             and not (user.role in [\"admin\", user.role]) \
             or event(\"export\").count > 2 and event('export').last_seen > 2026-01-01 \
             or account.name contains user.nick or page.path matches '/app/**'");
        assert_eq!(
            traits,
            [
                "account.name",
                "account.renewal_date",
                "user.nick",
                "user.role"
            ]
        );
        assert_eq!(events, ["export"]);
    }

    #[test]
    fn names_in_strings_and_page_or_locale_are_not_traits() {
        let (traits, events) = of("page.title == 'user.plan' and locale == \"en\"");
        assert!(
            traits.is_empty() && events.is_empty(),
            "{traits:?} {events:?}"
        );
    }

    #[test]
    fn an_ill_typed_condition_still_says_what_it_reads() {
        // The type checker refuses this; the parser's tree still names the trait.
        let (traits, _) = of("user.seats > 'many'");
        assert_eq!(traits, ["user.seats"]);
    }
}
