//! The targeting language: the small, typed condition language CS people write in campaign
//! files (`days_until(account.renewal_date) <= 120 and user.role in ["admin", "owner"]`).
//!
//! It is split the way a compiler is: a lexer, a parser (spans on every node) and a type
//! checker (catches `page.path > 3` before a campaign ships) in the `touchpoint-authoring`
//! crate, which only the server uses; here, the syntax tree they produce, its [`compiled`]
//! form (how the tree travels to the widget), and [`eval`] (three-valued). [`Condition`] is
//! what campaigns hold.
//!
//! # The language
//! - Names: `user.<trait>`, `account.<trait>`, `page.url`, `page.path`, `page.title`,
//!   `locale`, `event("name").count`, `event("name").last_seen`.
//! - Functions: `days_until(date)`, `days_since(date)` (calendar days in the vendor's time
//!   zone, as numbers: both are 0 all day on the date itself, 1 on the day before/after) and
//!   `time_until(date)`, `time_since(date)` (durations, to compare with `30d`; from a
//!   calendar date's local midnight).
//! - Dates: a trait holding `2026-05-01` and a literal `2026-05-01` are calendar dates; RFC
//!   3339 text and `event(..).last_seen` are instants. Two instants compare as instants; a
//!   calendar date against anything compares calendar days in the vendor's zone.
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

crate::named! {
    /// A function of one date, named as in conditions and in the compiled tree.
    pub enum DateFn {
        /// `days_until(d)`: calendar days from today to `d`.
        DaysUntil = "days_until",
        /// `days_since(d)`: calendar days from `d` to today.
        DaysSince = "days_since",
        /// `time_until(d)`: a duration.
        TimeUntil = "time_until",
        /// `time_since(d)`: a duration.
        TimeSince = "time_since",
    }
}

crate::named! {
    /// A comparison operator, named as in conditions and in the compiled tree.
    pub enum CmpOp {
        /// `==`
        Eq = "==",
        /// `!=`
        Ne = "!=",
        /// `<`
        Lt = "<",
        /// `<=`
        Le = "<=",
        /// `>`
        Gt = ">",
        /// `>=`
        Ge = ">=",
    }
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

/// Why a syntax tree cannot be a [`Condition`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("nested more than {} levels deep", compiled::MAX_DEPTH)]
pub struct TooDeep;

impl Condition {
    /// A condition from its source text and its syntax tree. The caller vouches for the
    /// tree's types (the authoring crate type-checks it; the widget trusts the server, and
    /// evaluation is total anyway); its depth is checked here, so evaluating it cannot
    /// exhaust the stack.
    ///
    /// # Errors
    /// [`TooDeep`] when the tree is nested more than [`compiled::MAX_DEPTH`] levels.
    pub fn new(source: &str, root: Expr) -> Result<Condition, TooDeep> {
        if depth(&root) > compiled::MAX_DEPTH {
            return Err(TooDeep);
        }
        Ok(Condition {
            source: source.to_owned(),
            root,
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

/// How many nodes deep `root` is (a leaf is 1); iterative, so a hostile tree cannot
/// exhaust the stack here either.
pub fn depth(root: &Expr) -> usize {
    let mut deepest = 0;
    let mut todo = vec![(root, 1)];
    while let Some((e, d)) = todo.pop() {
        deepest = deepest.max(d);
        match &e.kind {
            ExprKind::Lit(_) | ExprKind::Var(_) => {}
            ExprKind::List(items) => todo.extend(items.iter().map(|x| (x, d + 1))),
            ExprKind::Call(_, a) | ExprKind::Not(a) | ExprKind::Matches(a, _) => {
                todo.push((a, d + 1));
            }
            ExprKind::And(a, b)
            | ExprKind::Or(a, b)
            | ExprKind::Cmp(_, a, b)
            | ExprKind::In(a, b, _)
            | ExprKind::Contains(a, b) => {
                todo.push((a, d + 1));
                todo.push((b, d + 1));
            }
        }
    }
    deepest
}

impl fmt::Display for Condition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.source)
    }
}
