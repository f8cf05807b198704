//! Which fields the campaign form shows for a document, and where each problem goes.
//!
//! The fields are derived from the document itself: the fixed ones always, a group per
//! locale, CTA, variant, cap and lead rule the TOML holds. Each field is named by the TOML
//! path it edits, which is also the path validation reports, so a diagnostic finds its
//! field by path (the longest field path it starts with), or else its group, or else it is
//! listed at the top with its line and column only.
use super::edit::{self, Kind};
use toml_edit::DocumentMut;
use touchpoint_authoring::diagnostic::Diagnostic;

/// How a field is drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Widget {
    /// One line of text (or a number).
    Line,
    /// Several lines (a Markdown body, the condition).
    Area,
    /// A choice among fixed names.
    Choice(&'static [&'static str]),
}

/// One field of the form.
#[derive(Debug, Clone)]
pub struct Field {
    /// The TOML path it edits, and the form control's name.
    pub path: String,
    /// The visible label.
    pub label: &'static str,
    /// How its text becomes TOML.
    pub kind: Kind,
    /// How it is drawn.
    pub widget: Widget,
    /// A hint under it (empty for none).
    pub help: &'static str,
}

/// A group of fields with its buttons.
#[derive(Debug, Clone)]
pub struct Group {
    /// The TOML path the group stands for (`content.en.ctas[0]`), for its problems.
    pub path: String,
    /// The legend.
    pub legend: String,
    /// Nested under the previous top-level group.
    pub nested: bool,
    /// A hint under the legend.
    pub hint: &'static str,
    /// Its fields.
    pub fields: Vec<Field>,
    /// Submit buttons that add a row: (`add:<path>`, label).
    pub adds: Vec<(String, String)>,
    /// The button that removes this row: (`remove:<path>`, label).
    pub remove: Option<(String, String)>,
}

const GOALS: &[&str] = &[
    "adoption",
    "announcement",
    "feedback",
    "renewal",
    "expansion",
    "advocacy",
];
const CATEGORIES: &[&str] = &["", "service", "marketing"];
const TRIGGERS: &[&str] = &["page_load", "event", "element_visible", "delay", "manual"];
const FORMATS: &[&str] = &[
    "banner",
    "modal",
    "slideout",
    "tooltip",
    "hotspot",
    "tour",
    "checklist",
    "survey",
    "toast",
    "feed",
];
const POSITIONS: &[&str] = &["", "top", "bottom"];
const SURVEYS: &[&str] = &["", "nps", "csat", "single_choice", "free_text"];
const FLAGS: &[&str] = &["", "true", "false"];
const ACTIONS: &[&str] = &["open_url", "track", "dismiss", "snooze", "book_meeting"];
const SCOPES: &[&str] = &["user", "account"];
const GOAL_SCOPES: &[&str] = &["", "user", "account"];
const TEAMS: &[&str] = &["sales", "marketing", "success"];

/// The optional sections an edit may leave empty (see [`edit::prune`]).
pub const OPTIONAL_SECTIONS: &[&str] = &["schedule", "conversion"];

const REQ: Kind = Kind::Text { required: true };
const OPT: Kind = Kind::Text { required: false };

fn f(
    path: impl Into<String>,
    label: &'static str,
    kind: Kind,
    widget: Widget,
    help: &'static str,
) -> Field {
    Field {
        path: path.into(),
        label,
        kind,
        widget,
        help,
    }
}

fn group(path: &str, legend: impl Into<String>, fields: Vec<Field>) -> Group {
    Group {
        path: path.to_owned(),
        legend: legend.into(),
        nested: false,
        hint: "",
        fields,
        adds: Vec::new(),
        remove: None,
    }
}

/// How many rows the array at `path` has.
pub fn rows(doc: &DocumentMut, path: &str) -> usize {
    match edit::get(doc, path) {
        Some(toml_edit::Item::ArrayOfTables(a)) => a.len(),
        Some(toml_edit::Item::Value(toml_edit::Value::Array(a))) => a.len(),
        _ => 0,
    }
}

/// The locales of `[content.*]`, in the document's order.
pub fn locales(doc: &DocumentMut) -> Vec<String> {
    edit::get(doc, "content")
        .and_then(toml_edit::Item::as_table_like)
        .map(|t| t.iter().map(|(k, _)| k.to_owned()).collect())
        .unwrap_or_default()
}

/// Every group of the form for `doc`.
pub fn groups(doc: &DocumentMut) -> Vec<Group> {
    use Widget::{Area, Choice, Line};
    let mut out = vec![
        group(
            "",
            "Campaign",
            vec![
                f("name", "Name", REQ, Line, ""),
                f("owner", "Owner", OPT, Line, "A person or team."),
                f("goal", "Goal", REQ, Choice(GOALS), ""),
                f("category", "Category", OPT, Choice(CATEGORIES), "Marketing needs the user's consent; service by default."),
                f("priority", "Priority", Kind::Whole, Line, "Higher wins when campaigns conflict (default 0)."),
                f("default_locale", "Default locale", OPT, Line, "Used when the user's locale has no content (default en)."),
            ],
        ),
        group(
            "audience",
            "Audience",
            vec![
                f("audience.stages", "Stages", Kind::List, Line, "Comma-separated: acquisition, service, loyalty, lapsed. Empty: any."),
                f("audience.phases", "Phases", Kind::List, Line, "Comma-separated: onboarding, adoption, steady_state, growth, renewal, expansion, advocacy. Empty: any."),
                f("audience.condition", "Condition", OPT, Area, "For example: days_until(account.renewal_date) <= 120 and user.role == \"admin\""),
            ],
        ),
        group(
            "trigger",
            "Trigger",
            vec![
                f("trigger.on", "Show on", REQ, Choice(TRIGGERS), ""),
                f("trigger.url", "URL pattern", OPT, Line, "A glob such as /app/**; page load, element and delay triggers."),
                f("trigger.event", "Event", OPT, Line, "The tracked event (event trigger)."),
                f("trigger.selector", "Element selector", OPT, Line, "A CSS selector (element trigger)."),
                f("trigger.seconds", "Delay (seconds)", Kind::Whole, Line, "Delay trigger."),
            ],
        ),
    ];
    let mut format = group(
        "format",
        "Format",
        vec![
            f("format.kind", "Format", REQ, Choice(FORMATS), ""),
            f(
                "format.anchor",
                "Anchor selector",
                OPT,
                Line,
                "Tooltip and hotspot: the host element, a CSS selector.",
            ),
            f(
                "format.wait_seconds",
                "Wait for the anchor (seconds)",
                Kind::Whole,
                Line,
                "",
            ),
            f(
                "format.position",
                "Banner position",
                OPT,
                Choice(POSITIONS),
                "Top by default.",
            ),
            f(
                "format.scroll_lock",
                "Modal scroll lock",
                Kind::Flag,
                Choice(FLAGS),
                "",
            ),
            f("format.survey", "Survey type", OPT, Choice(SURVEYS), ""),
            f("format.question", "Survey question", OPT, Line, ""),
            f(
                "format.choices",
                "Survey choices",
                Kind::List,
                Line,
                "Comma-separated (single choice).",
            ),
        ],
    );
    format.hint = "Tour steps and checklist items are edited in the source view.";
    out.push(format);
    let mut content = group("content", "Content", Vec::new());
    content.hint = "One block per locale: a title, a Markdown body and calls to action.";
    out.push(content);
    for locale in locales(doc) {
        let base = format!("content.{locale}");
        let mut g = group(
            &base,
            format!("Content: {locale}"),
            vec![
                f(format!("{base}.title"), "Title", REQ, Line, ""),
                f(format!("{base}.body"), "Body (Markdown)", OPT, Area, ""),
            ],
        );
        g.nested = true;
        g.adds.push((
            format!("add:{base}.ctas"),
            format!("Add a call to action ({locale})"),
        ));
        g.remove = Some((
            format!("remove:{base}"),
            format!("Remove the {locale} content"),
        ));
        out.push(g);
        for i in 0..rows(doc, &format!("{base}.ctas")) {
            let row = format!("{base}.ctas[{i}]");
            let mut g = group(
                &row,
                format!("Call to action {} ({locale})", i + 1),
                vec![
                    f(format!("{row}.label"), "Label", REQ, Line, ""),
                    f(format!("{row}.action"), "Action", REQ, Choice(ACTIONS), ""),
                    f(
                        format!("{row}.url"),
                        "URL",
                        OPT,
                        Line,
                        "Open URL and book a meeting.",
                    ),
                    f(format!("{row}.event"), "Event", OPT, Line, "Track."),
                    f(
                        format!("{row}.id"),
                        "Id",
                        OPT,
                        Line,
                        "Lead rules and conversion goals name a CTA by it.",
                    ),
                ],
            );
            g.nested = true;
            g.remove = Some((
                format!("remove:{row}"),
                format!("Remove call to action {}", i + 1),
            ));
            out.push(g);
        }
    }
    let mut experiment = group(
        "variants",
        "Holdout and variants",
        vec![f(
            "holdout",
            "Holdout (%)",
            Kind::Number,
            Line,
            "The share of the audience never shown it, to measure lift.",
        )],
    );
    experiment.hint = "No variants: everyone gets one, control. Per-variant content is edited in the source view.";
    experiment
        .adds
        .push(("add:variants".into(), "Add a variant".into()));
    out.push(experiment);
    for i in 0..rows(doc, "variants") {
        let row = format!("variants[{i}]");
        let mut g = group(
            &row,
            format!("Variant {}", i + 1),
            vec![
                f(format!("{row}.id"), "Id", REQ, Line, ""),
                f(
                    format!("{row}.weight"),
                    "Weight (%)",
                    Kind::Whole,
                    Line,
                    "All weights add up to 100.",
                ),
            ],
        );
        g.nested = true;
        g.remove = Some((format!("remove:{row}"), format!("Remove variant {}", i + 1)));
        out.push(g);
    }
    out.push(group(
        "schedule",
        "Schedule",
        vec![
            f(
                "schedule.start",
                "Start",
                OPT,
                Line,
                "2026-05-01, 2026-05-01T09:00 (in the time zone) or RFC 3339.",
            ),
            f("schedule.end", "End", OPT, Line, "Same forms; exclusive."),
            f(
                "schedule.timezone",
                "Time zone",
                OPT,
                Line,
                "An IANA name such as Europe/Paris, UTC or +02:00.",
            ),
        ],
    ));
    let mut frequency = group(
        "frequency",
        "Frequency and caps",
        vec![
            f(
                "frequency.max_views",
                "Most views per user",
                Kind::Whole,
                Line,
                "",
            ),
            f(
                "frequency.recontact_days",
                "Days before showing again after a dismissal",
                Kind::Whole,
                Line,
                "Empty: never again.",
            ),
            f(
                "frequency.snooze_days",
                "Snooze length (days)",
                Kind::Whole,
                Line,
                "Default 7.",
            ),
            f(
                "frequency.stop_after_conversion",
                "Stop after a conversion",
                Kind::Flag,
                Choice(FLAGS),
                "Default true.",
            ),
        ],
    );
    frequency
        .adds
        .push(("add:frequency.caps".into(), "Add a cap".into()));
    out.push(frequency);
    for i in 0..rows(doc, "frequency.caps") {
        let row = format!("frequency.caps[{i}]");
        let mut g = group(
            &row,
            format!("Cap {}", i + 1),
            vec![
                f(format!("{row}.scope"), "Per", REQ, Choice(SCOPES), ""),
                f(format!("{row}.max"), "Most views", Kind::Whole, Line, ""),
                f(
                    format!("{row}.within_days"),
                    "Within days",
                    Kind::Whole,
                    Line,
                    "Empty: lifetime.",
                ),
            ],
        );
        g.nested = true;
        g.remove = Some((format!("remove:{row}"), format!("Remove cap {}", i + 1)));
        out.push(g);
    }
    out.push(group(
        "conversion",
        "Conversion goal",
        vec![
            f(
                "conversion.event",
                "Goal event",
                OPT,
                Line,
                "Or a CTA below, not both.",
            ),
            f("conversion.cta", "Goal CTA id", OPT, Line, ""),
            f(
                "conversion.within_days",
                "Within days of the first exposure",
                Kind::Whole,
                Line,
                "",
            ),
            f(
                "conversion.scope",
                "Whose event counts",
                OPT,
                Choice(GOAL_SCOPES),
                "The user's by default.",
            ),
        ],
    ));
    let mut leads = group("leads", "Lead rules", Vec::new());
    leads.hint = "A CTA, a survey score or an answer that raises a lead for a team.";
    leads
        .adds
        .push(("add:leads".into(), "Add a lead rule".into()));
    out.push(leads);
    for i in 0..rows(doc, "leads") {
        let row = format!("leads[{i}]");
        let mut g = group(
            &row,
            format!("Lead rule {}", i + 1),
            vec![
                f(format!("{row}.team"), "Team", REQ, Choice(TEAMS), ""),
                f(format!("{row}.cta"), "CTA id", OPT, Line, ""),
                f(
                    format!("{row}.min_score"),
                    "Survey score at least",
                    Kind::Whole,
                    Line,
                    "",
                ),
                f(
                    format!("{row}.answers"),
                    "Answers",
                    Kind::List,
                    Line,
                    "Comma-separated single-choice answers.",
                ),
            ],
        );
        g.nested = true;
        g.remove = Some((
            format!("remove:{row}"),
            format!("Remove lead rule {}", i + 1),
        ));
        out.push(g);
    }
    out
}

/// Where a problem is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Place {
    /// Beside the field at this index of the flattened field list.
    Field(usize),
    /// Under the legend of the group at this index.
    Group(usize),
    /// Only in the summary.
    Summary,
}

fn under(path: &str, prefix: &str) -> bool {
    path == prefix
        || path
            .strip_prefix(prefix)
            .is_some_and(|rest| rest.starts_with('.') || rest.starts_with('['))
}

/// Where the diagnostic at `path` goes among `groups`: the field with the longest path it
/// is at or under, else the group with the longest such path, else the summary.
pub fn place(groups: &[Group], path: &str) -> Place {
    let fields = groups.iter().flat_map(|g| &g.fields);
    if let Some((i, _)) = fields
        .enumerate()
        .filter(|(_, f)| under(path, &f.path))
        .max_by_key(|(_, f)| f.path.len())
    {
        return Place::Field(i);
    }
    groups
        .iter()
        .enumerate()
        .filter(|(_, g)| !g.path.is_empty() && under(path, &g.path))
        .max_by_key(|(_, g)| g.path.len())
        .map_or(Place::Summary, |(i, _)| Place::Group(i))
}

/// A diagnostic's `line:column` (empty when unknown).
pub fn at(d: &Diagnostic) -> String {
    match (d.line, d.column) {
        (Some(l), Some(c)) => format!("{l}:{c}"),
        (Some(l), None) => l.to_string(),
        _ => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SOURCE: &str = "id = \"x\"\nname = \"X\"\n[content.en]\ntitle = \"T\"\n[[content.en.ctas]]\nlabel = \"a\"\naction = \"dismiss\"\n[[content.en.ctas]]\nlabel = \"b\"\naction = \"dismiss\"\n[[leads]]\nteam = \"sales\"\n";

    fn index_of(groups: &[Group], path: &str) -> usize {
        groups
            .iter()
            .flat_map(|g| &g.fields)
            .position(|f| f.path == path)
            .expect(path)
    }

    #[test]
    fn the_groups_follow_the_rows_of_the_document() {
        let doc: DocumentMut = SOURCE.parse().unwrap();
        let g = groups(&doc);
        let legends: Vec<&str> = g.iter().map(|g| g.legend.as_str()).collect();
        for want in ["Content: en", "Call to action 2 (en)", "Lead rule 1"] {
            assert!(legends.contains(&want), "{legends:?}");
        }
        assert!(
            !legends.iter().any(|l| l.starts_with("Variant ")),
            "{legends:?}"
        );
    }

    #[test]
    fn a_problem_goes_to_the_deepest_field_or_group_it_is_under() {
        let doc: DocumentMut = SOURCE.parse().unwrap();
        let g = groups(&doc);
        let url = index_of(&g, "content.en.ctas[1].url");
        assert_eq!(place(&g, "content.en.ctas[1].url"), Place::Field(url));
        let phases = index_of(&g, "audience.phases");
        assert_eq!(place(&g, "audience.phases[1]"), Place::Field(phases));
        let cta = g
            .iter()
            .position(|g| g.path == "content.en.ctas[1]")
            .unwrap();
        assert_eq!(place(&g, "content.en.ctas[1]"), Place::Group(cta));
        // `name` is not a prefix of `names`; steps have no field of their own.
        assert_eq!(place(&g, "names"), Place::Summary);
        let format = g.iter().position(|g| g.path == "format").unwrap();
        assert_eq!(place(&g, "format.steps[0].anchor"), Place::Group(format));
        assert_eq!(place(&g, ""), Place::Summary);
    }
}
