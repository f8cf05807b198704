//! The invariants of a validated campaign, checked by [`Campaign::new`](super::Campaign::new)
//! whichever way the campaign arrives.
//!
//! The authoring crate's validator reports every problem of a campaign file in words a CS
//! person can act on; this module is the short list it guarantees, restated as checks, so
//! that a campaign that did not come through the validator (the widget decodes the compiled
//! catalog; a catalog may be truncated, tampered with, or from a buggy server) cannot reach
//! [`decide`](crate::decide()) and the renderer with an empty variant list, a dangling lead
//! or a zero snooze. It stops at the first broken invariant: the widget skips the campaign
//! with one warning, and the validator never lets one through.
//!
//! Not re-checked: condition types. The evaluator is total over any tree (an ill-typed
//! comparison is *unknown*, so the campaign is not shown); the decoder bounds the tree's
//! depth (see [`crate::expr::compiled::MAX_DEPTH`]).
use super::model::*;
use super::FieldError;
use std::collections::BTreeMap;

/// Whether `s` is a slug: non-empty, at most 64 of `a-z`, `0-9`, `-`, `_`, not starting
/// with `-`.
pub fn is_slug(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 64
        && !s.starts_with('-')
        && s.bytes()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'-' || c == b'_')
}

/// Whether `s` looks like a locale: a 2–3 letter language, then `-`/`_` parts of 1–8
/// letters or digits (`en`, `fr-CA`, `zh_Hant_TW`).
pub fn is_locale(s: &str) -> bool {
    let mut parts = s.split(['-', '_']);
    let lang = parts.next().unwrap_or("");
    (2..=3).contains(&lang.len())
        && lang.bytes().all(|c| c.is_ascii_alphabetic())
        && parts
            .all(|p| !p.is_empty() && p.len() <= 8 && p.bytes().all(|c| c.is_ascii_alphanumeric()))
}

/// Whether `s` has something besides white space.
fn filled(s: &str) -> bool {
    !s.trim().is_empty()
}

/// The error at `path` (not generic and not inlined: one copy in the widget's wasm, whose
/// size budget this module must fit in; paths name the list, not the item).
#[inline(never)]
fn broken(path: &str, message: &str) -> FieldError {
    FieldError {
        path: path.to_owned(),
        message: message.to_owned(),
    }
}

/// Return the error at `path` unless `ok` holds.
macro_rules! ensure {
    ($ok:expr, $path:expr, $message:expr $(,)?) => {
        if !$ok {
            return Err(broken($path, $message));
        }
    };
}

/// Whether `ids` are all slugs and all different.
fn unique_slugs<'a>(ids: impl Iterator<Item = &'a str>) -> bool {
    let mut seen: Vec<&str> = Vec::new();
    for id in ids {
        if !is_slug(id) || seen.contains(&id) {
            return false;
        }
        seen.push(id);
    }
    true
}

const SLUGS: &str = "expected unique slugs";
const FILLED: &str = "expected a non-empty value";
const AT_LEAST_ONE: &str = "expected at least 1";

/// Every invariant of a validated campaign (see the module docs).
///
/// # Errors
/// The first that does not hold, with the path of the field (or the list) at fault.
pub(crate) fn check(c: &CampaignParts) -> Result<(), FieldError> {
    ensure!(is_slug(&c.id), "id", "expected a slug");
    ensure!(filled(&c.name), "name", FILLED);
    ensure!(
        c.holdout_bp <= crate::bucket::BUCKETS,
        "holdout_bp",
        "expected at most 10000 basis points",
    );
    ensure!(
        is_locale(&c.default_locale),
        "default_locale",
        "expected a locale"
    );
    contents(&c.content, "content")?;
    ensure!(
        c.content.contains_key(c.default_locale.as_str()),
        "content",
        "expected content for the default locale",
    );
    ensure!(!c.variants.is_empty(), "variants", AT_LEAST_ONE);
    ensure!(
        unique_slugs(c.variants.iter().map(|v| v.id.as_str())),
        "variants",
        SLUGS
    );
    let mut total = 0u64;
    for v in &c.variants {
        contents(&v.content, "variants.content")?;
        total += u64::from(v.weight);
    }
    ensure!(total == 100, "variants", "expected weights summing to 100");
    let target = match &c.trigger {
        Trigger::Event { name } => name,
        Trigger::ElementVisible { selector, .. } => selector,
        Trigger::PageLoad { .. } | Trigger::Delay { .. } | Trigger::Manual => &c.id,
    };
    ensure!(filled(target), "trigger", FILLED);
    format(&c.format)?;
    if let (Some(start), Some(end)) = (c.schedule.start, c.schedule.end) {
        ensure!(
            end > start,
            "schedule.end",
            "expected an end after the start"
        );
    }
    let f = &c.frequency;
    ensure!(f.max_views != Some(0), "frequency.max_views", AT_LEAST_ONE);
    ensure!(f.snooze_days >= 1, "frequency.snooze_days", AT_LEAST_ONE);
    ensure!(
        f.caps
            .iter()
            .all(|cap| cap.max >= 1 && cap.within_days != Some(0)),
        "frequency.caps",
        AT_LEAST_ONE,
    );
    ensure!(
        c.leads.iter().all(|lead| lead_holds(c, &lead.source)),
        "leads",
        "expected a CTA of the campaign, or a score or answer of its survey",
    );
    Ok(())
}

fn contents(m: &BTreeMap<String, Content>, path: &str) -> Result<(), FieldError> {
    for (locale, content) in m {
        ensure!(is_locale(locale), path, "expected locales");
        ensure!(
            filled(&content.title),
            path,
            "expected a title in every locale"
        );
        ensure!(
            unique_slugs(content.ctas.iter().map(|c| c.id.as_str())),
            path,
            "expected CTAs with unique slugs"
        );
        for cta in &content.ctas {
            let target = match &cta.action {
                CtaAction::OpenUrl { url } | CtaAction::BookMeeting { url } => url,
                CtaAction::Track { event } => event,
                CtaAction::Dismiss | CtaAction::Snooze => &cta.label,
            };
            ensure!(
                filled(&cta.label) && filled(target),
                path,
                "expected CTAs with a label and the action's target",
            );
        }
    }
    Ok(())
}

fn format(f: &Format) -> Result<(), FieldError> {
    let wait = match f {
        Format::Tooltip {
            anchor,
            wait_seconds,
        }
        | Format::Hotspot {
            anchor,
            wait_seconds,
        } => {
            ensure!(filled(anchor), "format.anchor", FILLED);
            *wait_seconds
        }
        Format::Tour {
            steps,
            wait_seconds,
        } => {
            ensure!(
                !steps.is_empty() && steps.iter().all(|s| filled(&s.anchor) && filled(&s.title)),
                "format.steps",
                "expected steps, each with an anchor and a title",
            );
            *wait_seconds
        }
        Format::Checklist { items } => {
            ensure!(
                !items.is_empty()
                    && unique_slugs(items.iter().map(|it| it.id.as_str()))
                    && items.iter().all(|it| filled(&it.done_event)),
                "format.items",
                "expected items with unique slugs and done events",
            );
            None
        }
        Format::Survey(s) => {
            ensure!(filled(&s.question), "format.question", FILLED);
            if let SurveyKind::SingleChoice { choices } = &s.survey {
                ensure!(
                    choices.len() >= 2,
                    "format.choices",
                    "expected at least two choices",
                );
            }
            None
        }
        Format::Banner { .. } | Format::Modal { .. } | Format::Slideout => None,
        Format::Toast | Format::Feed => None,
    };
    ensure!(
        wait.is_none_or(|s| (1..=600).contains(&s)),
        "format.wait_seconds",
        "expected 1 to 600 seconds",
    );
    Ok(())
}

/// Whether a lead rule points at something the campaign has.
fn lead_holds(c: &CampaignParts, source: &LeadSource) -> bool {
    let survey = match &c.format {
        Format::Survey(s) => Some(&s.survey),
        _ => None,
    };
    match source {
        LeadSource::Cta { cta } => c
            .content
            .values()
            .any(|content| content.ctas.iter().any(|x| &x.id == cta)),
        LeadSource::MinScore { min_score } => match survey {
            Some(SurveyKind::Nps) => *min_score <= 10,
            Some(SurveyKind::Csat) => (1..=5).contains(min_score),
            _ => false,
        },
        LeadSource::Answers { answers } => match survey {
            Some(SurveyKind::SingleChoice { choices }) => {
                !answers.is_empty() && answers.iter().all(|a| choices.contains(a))
            }
            _ => false,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    #[test]
    fn slugs_and_locales() {
        for ok in ["a", "nps-q3", "a_b", "x9"] {
            assert!(is_slug(ok), "{ok}");
        }
        for bad in ["", "-a", "A", "a b", "é", &"a".repeat(65)] {
            assert!(!is_slug(bad), "{bad}");
        }
        for ok in ["en", "fr-CA", "zh_Hant_TW", "ast"] {
            assert!(is_locale(ok), "{ok}");
        }
        for bad in ["", "e", "english", "en-", "en-toolongpart", "1a"] {
            assert!(!is_locale(bad), "{bad}");
        }
    }
}
