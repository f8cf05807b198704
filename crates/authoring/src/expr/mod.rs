//! The targeting language as authors write it: [`lexer`] → [`parser`] (spans on every node)
//! → [`typecheck`] (catches `page.path > 3` before a campaign ships), tied together by
//! [`parse_condition`]; [`uses`] lists the traits and events a condition reads. The language itself (names, functions, operators, three-valued
//! logic) is described in [`touchpoint_core::expr`], which holds the syntax tree and its
//! evaluation.
pub mod lexer;
pub mod parser;
pub mod typecheck;
pub mod uses;

use touchpoint_core::expr::{compiled::MAX_DEPTH, depth, Condition, Span};

/// What kind of mistake an [`ExprError`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ExprErrorKind {
    /// The text does not follow the grammar.
    Syntax,
    /// A name that the language does not know (`usr.plan`, `page.foo`).
    UnknownName,
    /// Well-formed but ill-typed (`page.path > 3`).
    Type,
    /// Nested too deeply to evaluate safely.
    TooDeep,
}

/// A parse or type error in a condition, with the exact span at fault.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct ExprError {
    /// What kind of mistake.
    pub kind: ExprErrorKind,
    /// Where, in bytes of the condition text.
    pub span: Span,
    /// What was expected, in words a CS person can act on.
    pub message: String,
}

impl ExprError {
    /// A new error.
    pub fn new(kind: ExprErrorKind, span: Span, message: &str) -> Self {
        Self {
            kind,
            span,
            message: message.to_owned(),
        }
    }

    /// Render like a compiler: the source line, a caret under the span, the message.
    ///
    /// # Example
    /// ```
    /// use touchpoint_authoring::parse_condition;
    /// let err = &parse_condition("user.plan == ").unwrap_err()[0];
    /// assert_eq!(
    ///     err.render("user.plan == "),
    ///     "user.plan == \n             ^ expected a value, found the end of the condition\n"
    /// );
    /// ```
    pub fn render(&self, source: &str) -> String {
        crate::diagnostic::render_snippet(source, self.span, &self.message, false)
    }
}

/// Parse and type-check a condition.
///
/// # Errors
/// Every error found (a syntax error stops parsing; type errors are all collected), each
/// with the span at fault; a tree deeper than the widget accepts
/// ([`MAX_DEPTH`](touchpoint_core::expr::compiled::MAX_DEPTH)) is an error too. Never
/// panics, whatever the input.
///
/// # Example
/// ```
/// use touchpoint_authoring::parse_condition;
/// let c = parse_condition("account.plan in ['pro', 'team'] and user.nps >= 9").unwrap();
/// assert_eq!(c.source(), "account.plan in ['pro', 'team'] and user.nps >= 9");
/// let errs = parse_condition("page.path > 3").unwrap_err();
/// assert_eq!(errs[0].span.start, 0);
/// ```
pub fn parse_condition(source: &str) -> Result<Condition, Vec<ExprError>> {
    let root = parser::parse(source).map_err(|e| vec![e])?;
    typecheck::check(&root)?;
    let span = root.span;
    if depth(&root) > MAX_DEPTH {
        return Err(vec![ExprError::new(
            ExprErrorKind::TooDeep,
            span,
            &format!("nested more than {MAX_DEPTH} levels deep: split the condition"),
        )]);
    }
    Condition::new(source, root)
        .map_err(|e| vec![ExprError::new(ExprErrorKind::TooDeep, span, &e.to_string())])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_long_chain_deeper_than_the_widget_reads_is_refused_here() {
        // `a or b or ...` parses in a loop, so the parser's own depth limit does not see it;
        // the tree it builds is one level deeper per clause (issue 10: the widget must be
        // able to read every tree the server accepts).
        let ok = vec!["user.a == 1"; MAX_DEPTH / 2].join(" or ");
        assert!(parse_condition(&ok).is_ok());
        let deep = vec!["user.a == 1"; MAX_DEPTH + 1].join(" or ");
        let errs = parse_condition(&deep).unwrap_err();
        assert_eq!(errs[0].kind, ExprErrorKind::TooDeep);
        assert!(errs[0].message.starts_with("nested more than 100 levels"));
    }
}
