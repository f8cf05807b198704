//! The modal: a centred `<dialog>` opened with `showModal()`, so it sits in the browser's top
//! layer over a `::backdrop` that dims the whole viewport whatever the host's styles (a
//! transformed `body` once shrank a backdrop div to the body's box, issue 9), and the page
//! behind it is inert. `aria-modal`; focus moves in on open, Tab and Shift-Tab stay inside,
//! Esc (the dialog's `cancel` event) dismisses exactly once, and focus returns to where it
//! was on close. The page keeps scrolling unless the campaign asks for a scroll lock
//! (`format.scroll_lock = true`, see [`crate::effects::scroll`]).
use crate::components::common::{body, ctas, focus_first, head, keys, Gesture, NudgeProps};
use touchpoint_core::campaign::Format;
use wasm_bindgen::JsCast;
use web_sys::{Element, HtmlElement};
use yew::prelude::*;

/// A modal nudge.
#[function_component(Modal)]
pub fn modal(p: &NudgeProps) -> Html {
    let dialog = use_node_ref();
    {
        let dialog = dialog.clone();
        let lock = matches!(p.nudge.format, Format::Modal { scroll_lock: true });
        use_effect_with((), move |()| {
            let held = if lock {
                crate::effects::scroll::lock()
            } else {
                None
            };
            let before = web_sys::window()
                .and_then(|w| w.document())
                .and_then(|d| d.active_element());
            let opened = dialog.cast::<Element>();
            if let Some(d) = &opened {
                crate::effects::layer::open_modal(d);
                focus_first(d);
            }
            move || {
                // Closed first: while it is open the rest of the page is inert and cannot
                // take focus back.
                if let Some(d) = &opened {
                    crate::effects::layer::close_modal(d);
                }
                drop(held);
                if let Some(e) = before.and_then(|e| e.dyn_into::<HtmlElement>().ok()) {
                    let _ = e.focus();
                }
            }
        });
    }
    let title_id = p.id("title");
    let body_id = p.id("body");
    // The dialog would close itself on Esc; the widget decides instead (one dismissal).
    let on_cancel = p.on.reform(|e: Event| {
        e.prevent_default();
        Gesture::Dismiss
    });
    html! {
        <dialog class="tp-card tp-modal" role="dialog" aria-modal="true" aria-labelledby={title_id.clone()}
            aria-describedby={body_id.clone()} ref={dialog.clone()} tabindex="-1"
            data-campaign={p.nudge.campaign_id.clone()} oncancel={on_cancel}
            onkeydown={keys(dialog, true, Callback::noop())}>
            { head(p, title_id) }
            <div id={body_id}>{ body(&p.nudge.content.body, &p.vars) }</div>
            { ctas(p) }
        </dialog>
    }
}
