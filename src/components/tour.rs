//! The multi-step tour: one card per step, anchored to the step's element (or centred when
//! the element is not on this page), with "Step 2 of 5", Back, Next and Done. The current
//! step is kept in the widget's persisted progress, so a tour continues across pages and
//! reloads. The card sits in the top layer. The tour is seen when its first step is
//! displayed: next to its element, or centred when the element never appears; each step
//! after that is reported by the reducer as a `cta` with its step number.
use crate::components::anchor::{use_anchor, use_follow, Anchor};
use crate::components::common::{self, body, button, close, place, Gesture, NudgeProps, SEEN};
use crate::i18n::{tf, Text};
use crate::markdown::personalize;
use std::rc::Rc;
use touchpoint_core::campaign::Format;
use touchpoint_core::Arm;
use web_sys::HtmlElement;
use yew::prelude::*;

/// How long a step waits for its element before showing centred.
const STEP_WAIT_MS: u32 = 2500;

/// The step's element never appeared: it shows centred, so it is seen. A fn pointer of the
/// tooltip's `on_missing` type, so that one `Callback::reform` serves both.
const SEEN_CENTRED: fn(String) -> Gesture = |_| Gesture::Seen;

/// A tour nudge.
#[function_component(Tour)]
pub fn tour(p: &NudgeProps) -> Html {
    let (steps, wait_ms) = match &p.nudge.format {
        Format::Tour {
            steps,
            wait_seconds,
        } => (
            steps.clone(),
            wait_seconds.map_or(STEP_WAIT_MS, |s| s.saturating_mul(1000)),
        ),
        _ => (Vec::new(), STEP_WAIT_MS),
    };
    let total = u32::try_from(steps.len()).unwrap_or(u32::MAX);
    let at = p.step.min(total.saturating_sub(1));
    let step = steps.get(at as usize).cloned();
    let selector = step.as_ref().map(|s| s.anchor.clone()).unwrap_or_default();
    // Its element found, or (then the step shows centred) never found: seen.
    let anchor = use_anchor(
        &selector,
        wait_ms,
        p.on.reform(SEEN),
        p.on.reform(SEEN_CENTRED),
    );
    let card = use_node_ref();
    let found = match &anchor {
        Anchor::Found(e) => Some(e.clone()),
        _ => None,
    };
    {
        let card = card.clone();
        use_follow(
            found.clone(),
            at,
            Rc::new(move |a| {
                if let Some(c) = card.cast::<HtmlElement>() {
                    place(&c, a);
                    // An anchor that exists but is not laid out (a hidden view of the host's
                    // app): show the step centred rather than not at all.
                    let r = a.get_bounding_client_rect();
                    let hidden = r.width() == 0.0 && r.height() == 0.0;
                    let _ = c
                        .class_list()
                        .toggle_with_force("tp-tour--floating", hidden);
                    if hidden {
                        let _ = c.class_list().remove_1("tp-offscreen");
                    }
                }
            }),
        );
    }
    let Some(step) = step else {
        return html! {};
    };
    // A holdout member's stand-in renders nothing: it only reports when the first step
    // would have been displayed.
    if anchor == Anchor::Waiting || p.nudge.arm == Arm::Holdout {
        return html! {};
    }
    let title_id = p.id("title");
    let last = at + 1 >= total;
    let on = &p.on;
    let back = (at > 0).then(|| button("tp-btn", p.t(Text::Back), on, Gesture::Step(at - 1), None));
    let primary = "tp-btn tp-btn--primary";
    let next = if last {
        button(primary, p.t(Text::Done), on, Gesture::TourDone, None)
    } else {
        button(primary, p.t(Text::Next), on, Gesture::Step(at + 1), None)
    };
    let class = classes!(
        "tp-card",
        "tp-tour",
        found.is_none().then_some("tp-tour--floating")
    );
    let children = html! { <>
        if found.is_some() { <span class="tp-arrow" aria-hidden="true"></span> }
        <div class="tp-head">
            <p class="tp-step">{ tf(&p.locale, Text::StepOf, &[&(at + 1), &total]) }</p>
            { close(p) }
        </div>
        <h2 class="tp-title" id={title_id.clone()}>{ personalize(&step.title, &p.vars) }</h2>
        { body(&step.body, &p.vars) }
        <div class="tp-actions">{ for back }{ next }</div>
    </> };
    let on_escape = p.on.reform(|()| Gesture::Dismiss);
    common::card(
        p,
        class,
        card,
        title_id,
        on_escape,
        Some(at.to_string()),
        children,
    )
}
