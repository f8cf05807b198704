//! The campaign model, in two stages: [`RawCampaign`] is what files and JSON carry, and
//! [`Campaign`] is the validated form that the decision accepts. Only `TryFrom` builds a
//! `Campaign`, so an invalid campaign cannot exist past the parser.
use serde::{Deserialize, Serialize};
use thiserror::Error;

/// A campaign as authored: unvalidated.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawCampaign {
    /// Stable slug.
    pub id: String,
    /// Human name.
    pub name: String,
    /// Presentation format.
    pub format: String,
    /// What the nudge says.
    pub content: RawContent,
    /// Higher wins conflicts.
    #[serde(default)]
    pub priority: i32,
}

/// Content as authored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawContent {
    /// Headline.
    pub title: String,
    /// Markdown body.
    #[serde(default)]
    pub body: String,
    /// Calls to action.
    #[serde(default)]
    pub ctas: Vec<Cta>,
}

/// A call to action button.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Cta {
    /// Button label.
    pub label: String,
    /// URL to open, if any.
    #[serde(default)]
    pub url: Option<String>,
}

/// How a nudge is presented.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Format {
    /// A strip across the top of the page.
    Banner,
}

/// A validated campaign.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Campaign {
    /// Stable slug.
    pub id: String,
    /// Human name.
    pub name: String,
    /// Presentation format.
    pub format: Format,
    /// Headline.
    pub title: String,
    /// Markdown body.
    pub body: String,
    /// Calls to action.
    pub ctas: Vec<Cta>,
    /// Higher wins conflicts.
    pub priority: i32,
}

/// Why a raw campaign was rejected.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("{path}: {message}")]
pub struct ValidationError {
    /// Field path at fault, e.g. `content.title`.
    pub path: String,
    /// What was expected.
    pub message: String,
}

impl TryFrom<RawCampaign> for Campaign {
    type Error = ValidationError;

    fn try_from(raw: RawCampaign) -> Result<Self, Self::Error> {
        let bad = |path: &str, message: &str| ValidationError {
            path: path.into(),
            message: message.into(),
        };
        if raw.id.is_empty()
            || !raw
                .id
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        {
            return Err(bad("id", "expected a slug of a-z, 0-9 and '-'"));
        }
        let format = match raw.format.as_str() {
            "banner" => Format::Banner,
            _ => return Err(bad("format", "expected one of: banner")),
        };
        if raw.content.title.trim().is_empty() {
            return Err(bad("content.title", "expected a non-empty title"));
        }
        Ok(Campaign {
            id: raw.id,
            name: raw.name,
            format,
            title: raw.content.title,
            body: raw.content.body,
            ctas: raw.content.ctas,
            priority: raw.priority,
        })
    }
}

impl From<&Campaign> for RawCampaign {
    fn from(c: &Campaign) -> Self {
        RawCampaign {
            id: c.id.clone(),
            name: c.name.clone(),
            format: "banner".into(),
            content: RawContent {
                title: c.title.clone(),
                body: c.body.clone(),
                ctas: c.ctas.clone(),
            },
            priority: c.priority,
        }
    }
}
