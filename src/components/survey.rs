//! Surveys: NPS (0–10, then a follow-up question), CSAT (1–5), single choice and free text.
//! A card in the bottom corner, in the top layer; every control is a native button, radio or
//! textarea, so Tab, Shift-Tab, Enter and Space work, and Esc closes. The answer is reported as a
//! `survey_response` event (`props.score` and `props.comment`, or `props.answer`); then a
//! thank-you replaces the form and takes focus.
use crate::components::common::{self, head, Gesture, NudgeProps};
use crate::i18n::Text;
use crate::markdown::personalize;
use touchpoint_core::campaign::{Format, SurveyKind};
use touchpoint_core::context::Traits;
use web_sys::{Element, HtmlInputElement, HtmlTextAreaElement};
use yew::prelude::*;

/// A survey nudge.
#[function_component(Survey)]
pub fn survey(p: &NudgeProps) -> Html {
    let score = use_state(|| None::<u32>);
    let choice = use_state(|| None::<String>);
    let comment = use_state(String::new);
    let card = use_node_ref();
    {
        let card = card.clone();
        use_effect_with(p.answered, move |answered| {
            if *answered {
                if let Some(b) = card
                    .cast::<Element>()
                    .and_then(|c| c.query_selector(".tp-close").ok().flatten())
                    .and_then(|b| wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlElement>(b).ok())
                {
                    let _ = b.focus();
                }
            }
        });
    }
    let Format::Survey(s) = &p.nudge.format else {
        return html! {};
    };
    let title_id = p.id("title");
    let q_id = p.id("question");
    let question = personalize(&s.question, &p.vars);
    let on_escape = p.on.reform(|()| Gesture::Dismiss);
    let content = if p.answered {
        html! { <p class="tp-thanks" role="status">{ p.t(Text::ThankYou) }</p> }
    } else {
        let scale = |from: u32, to: u32, low: Text, high: Text| {
            let buttons = (from..=to).map(|n| {
                let score = score.clone();
                let pressed = *score == Some(n);
                html! {
                    <button type="button" class={classes!("tp-score", pressed.then_some("tp-score--on"))}
                        aria-pressed={pressed.to_string()} onclick={Callback::from(move |_| score.set(Some(n)))}>
                        { n.to_string() }
                    </button>
                }
            });
            html! {
                <div class="tp-scale" role="group" aria-labelledby={q_id.clone()}>
                    <div class="tp-scores">{ for buttons }</div>
                    <div class="tp-scale-labels" aria-hidden="true">
                        <span>{ p.t(low) }</span><span>{ p.t(high) }</span>
                    </div>
                </div>
            }
        };
        let follow_up = |label: &'static str| {
            let comment = comment.clone();
            let id = p.id("comment");
            html! {
                <div class="tp-field">
                    <label for={id.clone()}>{ label }</label>
                    <textarea id={id} rows="3" value={(*comment).clone()}
                        oninput={Callback::from(move |e: InputEvent| comment.set(e.target_unchecked_into::<HtmlTextAreaElement>().value()))} />
                </div>
            }
        };
        let (controls, ready) = match &s.survey {
            SurveyKind::Nps => (
                html! { <>
                    { scale(0, 10, Text::NotLikely, Text::VeryLikely) }
                    if score.is_some() { { follow_up(p.t(Text::FollowUp)) } }
                </> },
                score.is_some(),
            ),
            SurveyKind::Csat => (
                scale(1, 5, Text::Unsatisfied, Text::Satisfied),
                score.is_some(),
            ),
            SurveyKind::SingleChoice { choices } => {
                let name = p.id("choice");
                let radios = choices.iter().enumerate().map(|(i, c)| {
                    let choice = choice.clone();
                    let value = c.clone();
                    let id = format!("{name}-{i}");
                    html! {
                        <div class="tp-choice">
                            <input type="radio" id={id.clone()} name={name.clone()} value={c.clone()}
                                checked={choice.as_deref() == Some(c.as_str())}
                                onchange={Callback::from(move |e: Event| {
                                    if e.target_unchecked_into::<HtmlInputElement>().checked() {
                                        choice.set(Some(value.clone()));
                                    }
                                })} />
                            <label for={id}>{ personalize(c, &p.vars) }</label>
                        </div>
                    }
                });
                (
                    html! { <div class="tp-choices" role="radiogroup" aria-labelledby={q_id.clone()}>{ for radios }</div> },
                    choice.is_some(),
                )
            }
            SurveyKind::FreeText => (follow_up(p.t(Text::YourAnswer)), !comment.trim().is_empty()),
        };
        let submit = {
            let (on, kind) = (p.on.clone(), s.survey.clone());
            let (score, choice, comment) = (score.clone(), choice.clone(), comment.clone());
            Callback::from(move |e: SubmitEvent| {
                e.prevent_default();
                let mut props = Traits::new();
                match &kind {
                    SurveyKind::Nps | SurveyKind::Csat => {
                        let Some(s) = *score else { return };
                        props.insert("score".into(), s.into());
                        if !comment.trim().is_empty() {
                            props.insert("comment".into(), comment.trim().into());
                        }
                    }
                    SurveyKind::SingleChoice { .. } => {
                        let Some(c) = (*choice).clone() else { return };
                        props.insert("answer".into(), c.into());
                    }
                    SurveyKind::FreeText => {
                        if comment.trim().is_empty() {
                            return;
                        }
                        props.insert("answer".into(), comment.trim().into());
                    }
                }
                on.emit(Gesture::Answer(props));
            })
        };
        html! {
            <form class="tp-form" onsubmit={submit}>
                <p class="tp-question" id={q_id.clone()}>{ question }</p>
                { controls }
                <div class="tp-actions">
                    <button type="submit" class="tp-btn tp-btn--primary" disabled={!ready}>{ p.t(Text::Submit) }</button>
                </div>
            </form>
        }
    };
    let children = html! { <>{ head(p, title_id.clone()) }{ content }</> };
    common::card(
        p,
        "tp-card tp-survey".into(),
        card,
        title_id,
        on_escape,
        None,
        children,
    )
}
