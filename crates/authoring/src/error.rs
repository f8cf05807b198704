//! Validation errors: every problem of a campaign, each with the path of the field at fault,
//! in words a CS person can act on.
use std::fmt;
use touchpoint_core::expr::Span;

/// What kind of mistake a [`ValidationError`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ValidationErrorKind {
    /// A required field is absent.
    Missing,
    /// A value is out of range or malformed.
    Invalid,
    /// A value is not one of the allowed names.
    UnknownValue,
    /// A field the model does not have.
    UnknownField,
    /// The condition does not parse.
    Syntax,
    /// The condition does not type-check.
    Type,
    /// The schedule's time zone cannot be resolved.
    TimeZone,
    /// Variant weights do not sum to 100.
    Weights,
    /// A reference (CTA id, survey answer) points nowhere.
    Reference,
    /// An id is used twice.
    Duplicate,
    /// The file is not valid TOML/JSON, or a value has the wrong type.
    Parse,
}

/// One problem in a campaign, with the path of the field at fault.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct ValidationError {
    /// Field path, e.g. `audience.condition` or `variants[1].weight`.
    pub path: String,
    /// What kind of mistake.
    pub kind: ValidationErrorKind,
    /// What was expected, in words a CS person can act on.
    pub message: String,
    /// For condition errors: the span inside the field's text.
    pub span: Option<Span>,
}

impl fmt::Display for ValidationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.path.is_empty() {
            f.write_str(&self.message)
        } else {
            write!(f, "{}: {}", self.path, self.message)
        }
    }
}

/// Every problem found in one campaign.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct ValidationErrors(pub Vec<ValidationError>);

impl fmt::Display for ValidationErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, e) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str("\n")?;
            }
            write!(f, "{e}")?;
        }
        Ok(())
    }
}
