//! The targeting language: the small, typed condition language CS people write in campaign
//! files (`days_until(account.renewal_date) <= 120 and user.role in ["admin", "owner"]`).
//!
//! It is split the way a compiler is: [`lexer`] → [`parser`] (spans on every node) →
//! [`typecheck`] (catches `page.path > 3` before a campaign ships) → [`eval`] (three-valued).
//! [`Condition`] ties them together and is what campaigns hold.
//!
//! # The language
//! - Names: `user.<trait>`, `account.<trait>`, `page.url`, `page.path`, `page.title`,
//!   `locale`, `event("name").count`, `event("name").last_seen`.
//! - Functions: `days_until(date)`, `days_since(date)` (whole days, floored, as numbers) and
//!   `time_until(date)`, `time_since(date)` (durations, to compare with `30d`).
//! - Literals: strings (`"x"` or `'x'`), numbers, `true`/`false`, dates `2026-05-01`,
//!   durations `30d` (units `s`, `m`, `h`, `d`, `w`), lists `["a", "b"]`.
//! - Operators: `==`, `!=`, `<`, `<=`, `>`, `>=`, `in [..]`, `not in [..]`, `contains`,
//!   `matches "glob"`, `and`, `or`, `not`, parentheses.
//!
//! # Unknown values (three-valued logic)
//! A missing trait, a trait of the wrong type at run time, or `event(..).last_seen` of an
//! event never seen is *unknown*. Comparisons with unknown are unknown; `not unknown` is
//! unknown; `false and unknown` is false; `true or unknown` is true; otherwise `and`/`or`
//! with unknown is unknown (Kleene logic). A condition shows a campaign only when it is
//! *true*, so unknown never matches — not even through `not` or `!=`.
pub mod compiled;
pub mod eval;
pub mod glob;
pub mod lexer;
pub mod parser;
pub mod typecheck;

use std::fmt;

pub use eval::{EvalContext, Tri};
pub use glob::Glob;

/// A byte range in a condition's source text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, serde::Serialize)]
pub struct Span {
    /// First byte.
    pub start: usize,
    /// One past the last byte.
    pub end: usize,
}

impl Span {
    /// The range `start..end`.
    pub const fn new(start: usize, end: usize) -> Self {
        Self { start, end }
    }

    /// The smallest span covering both.
    pub fn to(self, other: Span) -> Span {
        Span::new(self.start.min(other.start), self.end.max(other.end))
    }
}

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
    /// use touchpoint_core::expr::Condition;
    /// let err = &Condition::parse("user.plan == ").unwrap_err()[0];
    /// assert_eq!(
    ///     err.render("user.plan == "),
    ///     "user.plan == \n             ^ expected a value, found the end of the condition\n"
    /// );
    /// ```
    pub fn render(&self, source: &str) -> String {
        crate::diagnostic::render_snippet(source, self.span, &self.message, false)
    }
}

/// A literal value.
#[derive(Debug, Clone, PartialEq)]
pub enum Literal {
    /// `"text"`
    Str(String),
    /// `1.5`
    Num(f64),
    /// `true`
    Bool(bool),
    /// `2026-05-01`, days since the epoch.
    Date(i64),
    /// `30d`, milliseconds.
    Duration(i64),
}

/// A name the language reads from the context.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Var {
    /// `user.<trait>`
    User(String),
    /// `account.<trait>`
    Account(String),
    /// `page.url`
    PageUrl,
    /// `page.path`
    PagePath,
    /// `page.title`
    PageTitle,
    /// `locale`
    Locale,
    /// `event("name").count`
    EventCount(String),
    /// `event("name").last_seen`
    EventLastSeen(String),
}

/// A function of one date.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DateFn {
    /// `days_until(d)`: whole days from now to `d`.
    DaysUntil,
    /// `days_since(d)`: whole days from `d` to now.
    DaysSince,
    /// `time_until(d)`: a duration.
    TimeUntil,
    /// `time_since(d)`: a duration.
    TimeSince,
}

/// A comparison operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CmpOp {
    /// `==`
    Eq,
    /// `!=`
    Ne,
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
}

/// An expression node with its span.
#[derive(Debug, Clone, PartialEq)]
pub struct Expr {
    /// The node.
    pub kind: ExprKind,
    /// Where it is in the source.
    pub span: Span,
}

/// The shape of an expression.
#[derive(Debug, Clone, PartialEq)]
pub enum ExprKind {
    /// A literal.
    Lit(Literal),
    /// `[a, b]`
    List(Vec<Expr>),
    /// A name read from the context.
    Var(Var),
    /// `days_until(..)` and friends.
    Call(DateFn, Box<Expr>),
    /// `not e`
    Not(Box<Expr>),
    /// `a and b`
    And(Box<Expr>, Box<Expr>),
    /// `a or b`
    Or(Box<Expr>, Box<Expr>),
    /// `a < b` etc.
    Cmp(CmpOp, Box<Expr>, Box<Expr>),
    /// `a in [..]`, or `a not in [..]` when the flag is set.
    In(Box<Expr>, Box<Expr>, bool),
    /// `a contains b`
    Contains(Box<Expr>, Box<Expr>),
    /// `a matches "glob"`
    Matches(Box<Expr>, Glob),
}

/// A parsed and type-checked targeting condition; keeps its source text.
#[derive(Debug, Clone)]
pub struct Condition {
    source: String,
    root: Expr,
}

impl PartialEq for Condition {
    fn eq(&self, other: &Self) -> bool {
        self.source == other.source
    }
}

impl Condition {
    /// Parse and type-check a condition.
    ///
    /// # Errors
    /// Every error found (a syntax error stops parsing; type errors are all collected), each
    /// with the span at fault. Never panics, whatever the input.
    ///
    /// # Example
    /// ```
    /// use touchpoint_core::expr::Condition;
    /// let c = Condition::parse("account.plan in ['pro', 'team'] and user.nps >= 9").unwrap();
    /// assert_eq!(c.source(), "account.plan in ['pro', 'team'] and user.nps >= 9");
    /// let errs = Condition::parse("page.path > 3").unwrap_err();
    /// assert_eq!(errs[0].span.start, 0);
    /// ```
    pub fn parse(source: &str) -> Result<Condition, Vec<ExprError>> {
        let root = parser::parse(source).map_err(|e| vec![e])?;
        typecheck::check(&root)?;
        Ok(Condition {
            source: source.to_owned(),
            root,
        })
    }

    /// A condition from its source text and the tree the server compiled from it (see
    /// [`compiled`]). Trusted: the tree is not type-checked again.
    ///
    /// # Errors
    /// A malformed tree, with the node at fault.
    pub fn from_compiled(
        source: &str,
        tree: &serde_json::Value,
    ) -> Result<Condition, compiled::DecodeError> {
        Ok(Condition {
            source: source.to_owned(),
            root: compiled::decode(tree)?,
        })
    }

    /// The text it was parsed from.
    pub fn source(&self) -> &str {
        &self.source
    }

    /// The syntax tree.
    pub fn root(&self) -> &Expr {
        &self.root
    }

    /// Evaluate with three-valued logic (see the module docs).
    pub fn eval(&self, cx: &EvalContext<'_>) -> Tri {
        eval::eval_bool(&self.root, cx)
    }
}

impl fmt::Display for Condition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.source)
    }
}
