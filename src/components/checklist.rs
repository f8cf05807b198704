//! The checklist (the onboarding success plan): a panel in the bottom corner listing items
//! that complete when their event is tracked (the core reports `completed_items`, counted from
//! the persisted journal, so progress survives reloads), with a progress bar. The header
//! collapses and expands it. The panel sits in the top layer and opens expanded, so it is
//! seen as soon as it is placed.
use crate::components::common::{body, close, NudgeProps};
use crate::i18n::{tf, Text};
use crate::markdown::{personalize, personalize_url};
use touchpoint_core::campaign::Format;
use touchpoint_core::link;
use yew::prelude::*;

/// A checklist nudge.
#[function_component(Checklist)]
pub fn checklist(p: &NudgeProps) -> Html {
    let open = use_state(|| true);
    let items = match &p.nudge.format {
        Format::Checklist { items } => items.clone(),
        _ => Vec::new(),
    };
    let done = items
        .iter()
        .filter(|i| p.nudge.completed_items.contains(&i.id))
        .count();
    let progress = tf(&p.locale, Text::ItemsDone, &[&done, &items.len()]);
    let list_id = p.id("items");
    let toggle = {
        let open = open.clone();
        Callback::from(move |_| open.set(!*open))
    };
    let rows = items.iter().map(|item| {
        let is_done = p.nudge.completed_items.contains(&item.id);
        let label = personalize(&item.label, &p.vars);
        let url = item.url.as_deref().filter(|_| !is_done);
        let text = match url.map(|u| personalize_url(u, &p.vars)).filter(|u| link::is_safe(u)) {
            Some(url) => html! { <a href={url}>{ label }</a> },
            None => html! { <span>{ label }</span> },
        };
        html! {
            <li class={classes!("tp-item", is_done.then_some("tp-item--done"))} data-item={item.id.clone()}>
                <span class="tp-check" aria-hidden="true">{ if is_done { "✓" } else { "" } }</span>
                { text }
                if is_done { <span class="tp-sr">{ format!(" ({})", p.t(Text::Completed)) }</span> }
            </li>
        }
    });
    html! {
        <section class="tp-card tp-checklist" popover="manual" aria-labelledby={p.id("title")} data-campaign={p.nudge.campaign_id.clone()}>
            <div class="tp-head">
                <h2 class="tp-title" id={p.id("title")}>
                    <button type="button" class="tp-toggle" aria-expanded={(*open).to_string()} aria-controls={list_id.clone()} onclick={toggle}>
                        { p.title() }
                    </button>
                </h2>
                { close(p) }
            </div>
            <p class="tp-progress-label">{ progress.clone() }</p>
            <progress class="tp-progress" max={items.len().to_string()} value={done.to_string()} aria-label={progress}></progress>
            <div id={list_id} hidden={!*open}>
                { body(&p.nudge.content.body, &p.vars) }
                <ul class="tp-items">{ for rows }</ul>
            </div>
        </section>
    }
}
