//! The campaign list's filters. The query string (`?status=&goal=&stage=&phase=&owner=&q=`,
//! so a filtered list is a bookmark) is read into typed values; a row passes when it passes
//! every facet; the active facets become removable chips; and when nothing passes, the
//! facets are applied one at a time in a fixed order to name the one that emptied the list.
//! Pure — no storage, no HTTP — so each rule is tested here; `campaigns` renders the result.
use super::summary::Summary;
use crate::campaign_state::Status;
use touchpoint_core::vocab::{Goal, Phase, Stage};

/// Where the list lives; every filter link is this path and a query.
pub const LIST: &str = "/workspace/campaigns";

/// The query as a browser sends it: each field text, absent or empty for "any". Values that
/// name nothing (an old bookmark) are ignored rather than refused.
#[derive(Debug, Default, Clone, serde::Deserialize)]
pub struct RawFilters {
    #[serde(default)]
    status: String,
    #[serde(default)]
    goal: String,
    #[serde(default)]
    stage: String,
    #[serde(default)]
    phase: String,
    #[serde(default)]
    owner: String,
    #[serde(default)]
    q: String,
}

/// Which statuses the list shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum StatusFilter {
    /// The default: everything but archived campaigns.
    #[default]
    Unarchived,
    /// Archived ones too (`status=all`).
    All,
    /// Exactly one status.
    Is(Status),
}

impl StatusFilter {
    fn parse(s: &str) -> Self {
        match s {
            "all" => Self::All,
            s => Status::ALL
                .into_iter()
                .find(|x| x.as_str() == s)
                .map_or(Self::Unarchived, Self::Is),
        }
    }

    fn admits(self, status: Status) -> bool {
        match self {
            Self::Unarchived => status != Status::Archived,
            Self::All => true,
            Self::Is(s) => s == status,
        }
    }

    /// The query value, empty for the default.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Unarchived => "",
            Self::All => "all",
            Self::Is(s) => s.as_str(),
        }
    }
}

/// One dimension of the filters, in the order [`Filters::emptied`] applies them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Facet {
    /// `status`.
    Status,
    /// `goal`.
    Goal,
    /// `stage`.
    Stage,
    /// `phase`.
    Phase,
    /// `owner`.
    Owner,
    /// `q`: text in the id, name or owner.
    Text,
}

impl Facet {
    /// Every facet, in the order they are applied.
    pub const ALL: [Self; 6] = [
        Self::Status,
        Self::Goal,
        Self::Stage,
        Self::Phase,
        Self::Owner,
        Self::Text,
    ];

    /// The query parameter.
    pub fn key(self) -> &'static str {
        match self {
            Self::Status => "status",
            Self::Goal => "goal",
            Self::Stage => "stage",
            Self::Phase => "phase",
            Self::Owner => "owner",
            Self::Text => "q",
        }
    }

    /// The label the page shows.
    pub fn label(self) -> &'static str {
        match self {
            Self::Status => "Status",
            Self::Goal => "Goal",
            Self::Stage => "Stage",
            Self::Phase => "Phase",
            Self::Owner => "Owner",
            Self::Text => "Search",
        }
    }
}

/// What a row must tell the filters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Listed {
    /// The campaign id.
    pub id: String,
    /// Its latest source's summary.
    pub summary: Summary,
    /// Its status now.
    pub status: Status,
}

/// The filters in force, typed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filters {
    /// Which statuses.
    pub status: StatusFilter,
    /// One goal, or any.
    pub goal: Option<Goal>,
    /// One stage targeted, or any.
    pub stage: Option<Stage>,
    /// One phase targeted, or any.
    pub phase: Option<Phase>,
    /// One owner exactly, or any.
    pub owner: Option<String>,
    /// Text searched for (trimmed, never empty).
    pub text: Option<String>,
}

impl From<&RawFilters> for Filters {
    fn from(raw: &RawFilters) -> Self {
        let some = |s: &str| {
            let s = s.trim();
            (!s.is_empty()).then(|| s.to_owned())
        };
        Self {
            status: StatusFilter::parse(raw.status.trim()),
            goal: Goal::from_name(raw.goal.trim()),
            stage: Stage::from_name(raw.stage.trim()),
            phase: Phase::from_name(raw.phase.trim()),
            owner: some(&raw.owner),
            text: some(&raw.q),
        }
    }
}

/// An active filter, shown above the list with a link that removes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Chip {
    /// `Stage`.
    pub label: &'static str,
    /// `loyalty`.
    pub value: String,
    /// The list with every other filter kept.
    pub without: String,
}

/// Why the list is empty although campaigns exist.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Emptied {
    /// The facet that left no row.
    pub facet: Facet,
    /// Its sentence: `No campaign is owned by "bob".` or `2 campaigns match goal: renewal,
    /// but none of them targets the phase advocacy.`
    pub sentence: String,
    /// The list without that facet, and what the link says.
    pub without: String,
    /// `Remove the owner filter`, or `Show archived campaigns` for the default status.
    pub remove: &'static str,
}

impl Filters {
    /// The value a facet has, as the query carries it; `None` when it is not in force.
    pub fn value(&self, facet: Facet) -> Option<String> {
        match facet {
            Facet::Status => match self.status {
                StatusFilter::Unarchived => None,
                s => Some(s.as_str().to_owned()),
            },
            Facet::Goal => self.goal.map(|g| g.as_str().to_owned()),
            Facet::Stage => self.stage.map(|s| s.as_str().to_owned()),
            Facet::Phase => self.phase.map(|p| p.as_str().to_owned()),
            Facet::Owner => self.owner.clone(),
            Facet::Text => self.text.clone(),
        }
    }

    /// Whether a row passes one facet.
    pub fn passes(&self, facet: Facet, row: &Listed) -> bool {
        let s = &row.summary;
        match facet {
            Facet::Status => self.status.admits(row.status),
            Facet::Goal => self.goal.is_none_or(|g| s.goal == g.as_str()),
            Facet::Stage => self.stage.is_none_or(|x| s.targets_stage(x)),
            Facet::Phase => self.phase.is_none_or(|p| s.targets_phase(p)),
            Facet::Owner => self.owner.as_ref().is_none_or(|o| &s.owner == o),
            Facet::Text => self.text.as_ref().is_none_or(|q| {
                let q = q.to_lowercase();
                [&row.id, &s.name, &s.owner]
                    .iter()
                    .any(|t| t.to_lowercase().contains(&q))
            }),
        }
    }

    /// Whether a row passes every facet.
    pub fn keep(&self, row: &Listed) -> bool {
        Facet::ALL.iter().all(|f| self.passes(*f, row))
    }

    /// Whether any filter beyond the default is in force.
    pub fn any(&self) -> bool {
        Facet::ALL.iter().any(|f| self.value(*f).is_some())
    }

    /// The list's address with these filters, leaving `except` out.
    pub fn url(&self, except: Option<Facet>) -> String {
        let pairs: Vec<(&str, String)> = Facet::ALL
            .iter()
            .filter(|f| Some(**f) != except)
            .filter_map(|f| self.value(*f).map(|v| (f.key(), v)))
            .collect();
        if pairs.is_empty() {
            return LIST.to_owned();
        }
        let query = serde_urlencoded::to_string(&pairs).unwrap_or_default();
        format!("{LIST}?{query}")
    }

    /// The active filters, each with the link that removes it.
    pub fn chips(&self) -> Vec<Chip> {
        Facet::ALL
            .iter()
            .filter_map(|f| {
                self.value(*f).map(|value| Chip {
                    label: f.label(),
                    value: if *f == Facet::Status && value == "all" {
                        "any, archived too".to_owned()
                    } else {
                        value
                    },
                    without: self.url(Some(*f)),
                })
            })
            .collect()
    }

    /// A facet's condition, as the end of "No campaign …".
    fn phrase(&self, facet: Facet) -> String {
        match facet {
            Facet::Status => format!("is {}", self.status.as_str()),
            Facet::Goal => format!("has the goal {}", self.value(facet).unwrap_or_default()),
            Facet::Stage => format!(
                "targets the stage {}",
                self.value(facet).unwrap_or_default()
            ),
            Facet::Phase => format!(
                "targets the phase {}",
                self.value(facet).unwrap_or_default()
            ),
            Facet::Owner => format!("is owned by {:?}", self.value(facet).unwrap_or_default()),
            Facet::Text => format!(
                "has {:?} in its id, name or owner",
                self.value(facet).unwrap_or_default()
            ),
        }
    }

    /// When campaigns exist but none passes, the facet that emptied the list: the filters
    /// are applied in [`Facet::ALL`]'s order, and the first one after which no row remains
    /// is named, with how many rows the ones before it let through.
    pub fn emptied(&self, rows: &[Listed]) -> Option<Emptied> {
        let mut left: Vec<&Listed> = rows.iter().collect();
        let mut before: Vec<String> = Vec::new();
        for facet in Facet::ALL {
            let passed: Vec<&Listed> = left
                .iter()
                .copied()
                .filter(|r| self.passes(facet, r))
                .collect();
            if passed.is_empty() && !left.is_empty() {
                return Some(self.explain(facet, left.len(), &before));
            }
            if let Some(v) = self.value(facet) {
                before.push(format!("{}: {v}", facet.key()));
            }
            left = passed;
        }
        None
    }

    fn explain(&self, facet: Facet, left: usize, before: &[String]) -> Emptied {
        if facet == Facet::Status && self.status == StatusFilter::Unarchived {
            let mut all = self.clone();
            all.status = StatusFilter::All;
            return Emptied {
                facet,
                sentence: "Every campaign is archived, and archived campaigns are listed only when asked for.".to_owned(),
                without: all.url(None),
                remove: "Show archived campaigns",
            };
        }
        let phrase = self.phrase(facet);
        let sentence = if before.is_empty() {
            format!("No campaign {phrase}.")
        } else {
            let s = if left == 1 { "" } else { "s" };
            let verb = if left == 1 { "matches" } else { "match" };
            format!(
                "{left} campaign{s} {verb} {}, but none of them {phrase}.",
                before.join(" and ")
            )
        };
        Emptied {
            facet,
            sentence,
            without: self.url(Some(facet)),
            remove: match facet {
                Facet::Status => "Remove the status filter",
                Facet::Goal => "Remove the goal filter",
                Facet::Stage => "Remove the stage filter",
                Facet::Phase => "Remove the phase filter",
                Facet::Owner => "Remove the owner filter",
                Facet::Text => "Clear the search",
            },
        }
    }
}

/// The owners a filter can choose from: every non-empty owner among `summaries`, once each,
/// sorted without regard to case, plus `current` when a bookmark names one no campaign has.
pub fn owners<'a>(
    summaries: impl IntoIterator<Item = &'a Summary>,
    current: Option<&str>,
) -> Vec<String> {
    let mut all: Vec<String> = summaries
        .into_iter()
        .map(|s| s.owner.clone())
        .chain(current.map(str::to_owned))
        .filter(|o| !o.is_empty())
        .collect();
    all.sort_by(|a, b| a.to_lowercase().cmp(&b.to_lowercase()).then(a.cmp(b)));
    all.dedup();
    all
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(id: &str, goal: &str, owner: &str, status: Status, phases: &[Phase]) -> Listed {
        Listed {
            id: id.into(),
            summary: Summary {
                name: format!("Name of {id}"),
                goal: goal.into(),
                owner: owner.into(),
                stages: Vec::new(),
                phases: phases.to_vec(),
            },
            status,
        }
    }

    fn filters(query: &str) -> Filters {
        let raw: RawFilters = serde_urlencoded::from_str(query).expect("query");
        Filters::from(&raw)
    }

    #[test]
    fn filters_match_status_goal_stage_phase_owner_and_text() {
        let live = row(
            "tip",
            "adoption",
            "ana@example.com",
            Status::Live,
            &[Phase::Adoption],
        );
        let gone = row("old", "renewal", "", Status::Archived, &[Phase::Renewal]);
        assert!(filters("").keep(&live));
        assert!(!filters("").keep(&gone), "archived hidden by default");
        assert!(filters("status=all").keep(&gone));
        assert!(filters("status=archived").keep(&gone));
        assert!(!filters("status=draft").keep(&live));
        assert!(filters("status=live&goal=adoption").keep(&live));
        assert!(!filters("goal=renewal").keep(&live));
        assert!(filters("stage=service&phase=adoption").keep(&live));
        assert!(!filters("stage=loyalty").keep(&live));
        assert!(!filters("phase=growth").keep(&live));
        assert!(filters("status=all&stage=loyalty").keep(&gone));
        assert!(filters("owner=ana%40example.com").keep(&live));
        assert!(
            !filters("owner=ana").keep(&live),
            "the owner matches exactly"
        );
        assert!(filters("q=NAME+OF+T").keep(&live));
        assert!(filters("q=ana%40").keep(&live));
        assert!(!filters("q=nothing").keep(&live));
        assert_eq!(
            filters("goal=nope&stage=&phase=x"),
            Filters::default(),
            "unknown names are ignored"
        );
    }

    #[test]
    fn active_filters_are_chips_that_each_remove_themselves() {
        let f = filters("stage=loyalty&owner=bo+b%26co&q=+x+&status=all");
        assert!(f.any() && !filters("").any());
        assert_eq!(
            f.url(None),
            "/workspace/campaigns?status=all&stage=loyalty&owner=bo+b%26co&q=x"
        );
        let chips = f.chips();
        let labels: Vec<_> = chips.iter().map(|c| (c.label, c.value.as_str())).collect();
        assert_eq!(
            labels,
            [
                ("Status", "any, archived too"),
                ("Stage", "loyalty"),
                ("Owner", "bo b&co"),
                ("Search", "x")
            ]
        );
        assert_eq!(
            chips[1].without,
            "/workspace/campaigns?status=all&owner=bo+b%26co&q=x"
        );
        assert_eq!(filters("goal=feedback").chips()[0].without, LIST);
    }

    #[test]
    fn an_empty_list_names_the_filter_that_emptied_it() {
        let rows = [
            row("a", "renewal", "ana", Status::Live, &[Phase::Renewal]),
            row("b", "renewal", "bo", Status::Draft, &[Phase::Expansion]),
            row("c", "adoption", "bo", Status::Archived, &[]),
        ];
        assert_eq!(filters("goal=renewal").emptied(&rows), None, "rows pass");

        let e = filters("goal=renewal&phase=advocacy&owner=bo")
            .emptied(&rows)
            .expect("empty");
        assert_eq!(e.facet, Facet::Phase);
        assert_eq!(
            e.sentence,
            "2 campaigns match goal: renewal, but none of them targets the phase advocacy."
        );
        assert_eq!(e.without, "/workspace/campaigns?goal=renewal&owner=bo");

        let e = filters("owner=cy").emptied(&rows).expect("empty");
        assert_eq!(
            (e.facet, e.sentence.as_str()),
            (Facet::Owner, "No campaign is owned by \"cy\".")
        );
        let e = filters("status=live&phase=expansion")
            .emptied(&rows)
            .expect("empty");
        assert_eq!(
            e.sentence,
            "1 campaign matches status: live, but none of them targets the phase expansion."
        );
        let e = filters("status=paused&owner=bo")
            .emptied(&rows)
            .expect("empty");
        assert_eq!(
            (e.facet, e.remove),
            (Facet::Status, "Remove the status filter")
        );

        let archived = [row("c", "adoption", "bo", Status::Archived, &[])];
        let e = filters("owner=bo").emptied(&archived).expect("empty");
        assert_eq!(e.facet, Facet::Status);
        assert_eq!(e.without, "/workspace/campaigns?status=all&owner=bo");
        assert_eq!(
            filters("").emptied(&[]),
            None,
            "no campaign at all is another empty state"
        );
    }

    #[test]
    fn owners_are_the_ones_present_once_each() {
        let s = |o: &str| Summary {
            owner: o.into(),
            ..Summary::default()
        };
        let all = [s("bo"), s(""), s("Ana"), s("bo")];
        assert_eq!(owners(&all, None), ["Ana", "bo"]);
        assert_eq!(owners(&all, Some("cy")), ["Ana", "bo", "cy"]);
        assert_eq!(owners(&all, Some("bo")), ["Ana", "bo"]);
    }
}
