//! The targeting condition checked on its own, as the form's condition field is typed:
//! every error with the caret under the exact place (the renderer `touchpoint check` uses),
//! and the traits and events the condition reads — both for the form's render and for its
//! debounced `POST /workspace/api/condition`.
use crate::error::AppError;
use crate::state::AppState;
use axum::extract::rejection::JsonRejection;
use axum::extract::State;
use axum::Json;
use serde::{Deserialize, Serialize};
use touchpoint_authoring::expr::{parse_condition, parser, uses};

/// One problem in a condition.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Problem {
    /// What was expected.
    pub message: String,
    /// 1-based column (in characters) in the condition's text.
    pub column: usize,
    /// The condition's line with a caret under the place and the message.
    pub snippet: String,
}

/// What a condition reads and what is wrong with it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Report {
    /// Every problem found (empty for a good or an empty condition).
    pub problems: Vec<Problem>,
    /// `user.*` and `account.*` traits named, sorted.
    pub traits: Vec<String>,
    /// Events named, sorted.
    pub events: Vec<String>,
}

/// Check `condition` (empty means none: no problem, nothing read). The traits and events
/// are listed whenever it parses, even when it is ill-typed.
pub fn report(condition: &str) -> Report {
    if condition.trim().is_empty() {
        return Report::default();
    }
    let (traits, events) = match parser::parse(condition) {
        Ok(tree) => {
            let found = uses::uses(&tree);
            (
                found.traits.into_iter().collect(),
                found.events.into_iter().collect(),
            )
        }
        Err(_) => (Vec::new(), Vec::new()),
    };
    let problems = parse_condition(condition)
        .err()
        .unwrap_or_default()
        .into_iter()
        .map(|e| Problem {
            column: touchpoint_authoring::diagnostic::line_col(condition, e.span.start).1,
            snippet: e.render(condition),
            message: e.message,
        })
        .collect();
    Report {
        problems,
        traits,
        events,
    }
}

/// The body of a condition check.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConditionBody {
    condition: String,
}

/// `POST /workspace/api/condition`: `{"ok", "problems": [{message, column, snippet}],
/// "traits", "events"}`. Always 200 for a well-formed body.
///
/// # Errors
/// 401; 400 for a body that is not `{condition}`.
pub async fn check(
    _state: State<AppState>,
    body: Result<Json<ConditionBody>, JsonRejection>,
) -> Result<Json<serde_json::Value>, AppError> {
    let Json(body) = body?;
    let r = report(&body.condition);
    Ok(Json(serde_json::json!({
        "ok": r.problems.is_empty(),
        "problems": r.problems,
        "traits": r.traits,
        "events": r.events,
    })))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_ill_typed_condition_has_its_caret_and_still_lists_what_it_reads() {
        let r = report("user.plan == 'pro' and event(\"export\").count > 'x'");
        assert_eq!(r.traits, ["user.plan"]);
        assert_eq!(r.events, ["export"]);
        assert_eq!(r.problems.len(), 1, "{r:?}");
        let p = &r.problems[0];
        assert!(
            p.snippet.starts_with("user.plan == 'pro' and"),
            "{}",
            p.snippet
        );
        assert!(p.snippet.contains('^'), "{}", p.snippet);
        assert!(p.snippet.trim_end().ends_with(&p.message), "{}", p.snippet);
    }

    #[test]
    fn a_syntax_error_reads_nothing_and_an_empty_condition_is_fine() {
        let r = report("user.plan ==");
        assert_eq!((r.traits.len(), r.problems.len()), (0, 1));
        assert_eq!(r.problems[0].column, 13);
        assert_eq!(report("  "), Report::default());
    }
}
