//! The starting points of a new campaign: one small, valid source per goal
//! (`templates/campaigns/<goal>.toml`, embedded in the binary) and a blank one. A starter
//! holds `__ID__` and `__NAME__` where the new campaign's id and name go; [`Starter::source`]
//! fills them in (the name as a TOML string, so any text is safe).
use touchpoint_core::vocab::Goal;

/// A template a campaign can start from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Starter {
    /// One per goal.
    Goal(Goal),
    /// The least a campaign needs.
    Blank,
}

const BLANK: &str = r#"id = "__ID__"
name = "__NAME__"
goal = "adoption"

[trigger]
on = "page_load"

[format]
kind = "modal"

[content.en]
title = "Title"
body = "Body"
"#;

impl Starter {
    /// Every starter, goals first in [`Goal::NAMES`] order.
    pub fn all() -> Vec<Self> {
        let mut all: Vec<Self> = Goal::NAMES.iter().map(|(_, g)| Self::Goal(*g)).collect();
        all.push(Self::Blank);
        all
    }

    /// The form value (`adoption`, ..., `blank`).
    pub fn key(self) -> &'static str {
        match self {
            Self::Goal(g) => g.as_str(),
            Self::Blank => "blank",
        }
    }

    /// The starter of a form value.
    pub fn parse(key: &str) -> Option<Self> {
        if key == "blank" {
            return Some(Self::Blank);
        }
        Goal::from_name(key).map(Self::Goal)
    }

    /// What it is for, one line.
    pub fn summary(self) -> &'static str {
        match self {
            Self::Goal(Goal::Adoption) => {
                "A modal nudging accounts toward a feature they have not used."
            }
            Self::Goal(Goal::Announcement) => "A banner announcing something new.",
            Self::Goal(Goal::Feedback) => "A CSAT survey.",
            Self::Goal(Goal::Renewal) => {
                "A slide-out reminding decision makers of the value before renewal."
            }
            Self::Goal(Goal::Expansion) => {
                "A slide-out offering an add-on; interest becomes a Sales lead."
            }
            Self::Goal(Goal::Advocacy) => {
                "A slide-out asking promoters for a review; a Marketing lead."
            }
            Self::Blank => "Just the required fields.",
        }
    }

    fn template(self) -> &'static str {
        match self {
            Self::Goal(Goal::Adoption) => include_str!("../../templates/campaigns/adoption.toml"),
            Self::Goal(Goal::Announcement) => {
                include_str!("../../templates/campaigns/announcement.toml")
            }
            Self::Goal(Goal::Feedback) => include_str!("../../templates/campaigns/feedback.toml"),
            Self::Goal(Goal::Renewal) => include_str!("../../templates/campaigns/renewal.toml"),
            Self::Goal(Goal::Expansion) => include_str!("../../templates/campaigns/expansion.toml"),
            Self::Goal(Goal::Advocacy) => include_str!("../../templates/campaigns/advocacy.toml"),
            Self::Blank => BLANK,
        }
    }

    /// The source of a new campaign `id` named `name`.
    pub fn source(self, id: &str, name: &str) -> String {
        let quoted = basic_string(name);
        self.template()
            .replace("\"__ID__\"", &format!("\"{id}\""))
            .replace("\"__NAME__\"", &quoted)
    }
}

/// `s` as a TOML basic string: quoted, with `"`, `\\` and control characters escaped.
pub(crate) fn basic_string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if c.is_control() => out.push_str(&format!("\\u{:04X}", u32::from(c))),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::documents::check_source;

    #[test]
    fn every_starter_is_a_valid_campaign_of_its_goal() {
        let all = Starter::all();
        assert_eq!(all.len(), Goal::NAMES.len() + 1);
        for s in all {
            let source = s.source("new-one", "A \"quoted\" \\ name\n");
            let c =
                check_source("new-one", &source).unwrap_or_else(|e| panic!("{}: {e:?}", s.key()));
            assert_eq!(c.id, "new-one");
            assert_eq!(c.name, "A \"quoted\" \\ name\n");
            if let Starter::Goal(g) = s {
                assert_eq!(c.goal, g);
            }
            assert_eq!(Starter::parse(s.key()), Some(s));
        }
        assert_eq!(Starter::parse("nope"), None);
    }
}
