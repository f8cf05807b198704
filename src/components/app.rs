//! The root component: subscribes to the runtime's state snapshots, renders each nudge on
//! screen with its format's component, and turns gestures into actions. It sets the widget's
//! language and direction (`dir="rtl"` for Arabic) and keeps a polite live region for
//! toasts in the DOM at all times. A banner renders through a portal into its place in the
//! page's flow (the host's slot, or the top of the page; see [`crate::effects::mount`]).
use crate::components::{
    Banner, Checklist, Gesture, Launcher, Modal, NudgeProps, Slideout, Survey, Toast, Tooltip, Tour,
};
use crate::effects::mount;
use crate::i18n::is_rtl;
use crate::markdown::Vars;
use crate::runtime;
use crate::state::{Action, WidgetState};
use std::rc::Rc;
use touchpoint_core::campaign::{BannerPosition, Format, Slot};
use yew::prelude::*;

/// The action a gesture in `campaign_id` means.
pub fn action(campaign_id: String, gesture: Gesture) -> Action {
    match gesture {
        Gesture::Cta(cta_id) => Action::Cta {
            campaign_id,
            cta_id,
        },
        Gesture::Dismiss => Action::Dismiss { campaign_id },
        Gesture::Answer(props) => Action::Answer { campaign_id, props },
        Gesture::Step(step) => Action::TourStep { campaign_id, step },
        Gesture::TourDone => Action::TourDone { campaign_id },
        Gesture::Expire => Action::Expire { campaign_id },
        Gesture::TargetMissing(selector) => Action::TargetMissing {
            campaign_id,
            selector,
        },
        Gesture::Seen => Action::Seen { campaign_id },
    }
}

/// The widget's root.
#[function_component(App)]
pub fn app() -> Html {
    let state = use_state(|| Rc::new(WidgetState::default()));
    {
        let state = state.clone();
        use_effect_with((), move |()| {
            runtime::subscribe(Callback::from(move |s: Rc<WidgetState>| state.set(s)));
        });
    }
    let s: &WidgetState = &state;
    let vars = Rc::new(Vars {
        user: s.user.traits.clone(),
        account: s.account.traits.clone(),
    });
    let locale = AttrValue::from(s.ui_locale().to_owned());
    let props = |slot: Slot| {
        let n = s.in_slot(slot)?.clone();
        let id = n.campaign_id.clone();
        Some(NudgeProps {
            step: s.tour_step(&id),
            answered: s.answered.contains(&id),
            on: Callback::from(move |g| runtime::dispatch(action(id.clone(), g))),
            nudge: n,
            vars: vars.clone(),
            locale: locale.clone(),
            inline: false,
            wait_ms: crate::effects::observe::anchor_wait(),
            toast_ms: crate::components::common::TOAST_MS,
        })
    };
    let overlay = props(Slot::Overlay).map(|p| {
        let k = p.nudge.campaign_id.clone();
        match &p.nudge.format.clone() {
            Format::Modal { .. } => html! { <Modal key={k} ..p /> },
            Format::Tour { .. } => html! { <Tour key={k} ..p /> },
            Format::Survey(_) => html! { <Survey key={k} ..p /> },
            _ => html! { <Slideout key={k} ..p /> },
        }
    });
    let dir = if is_rtl(&locale) { "rtl" } else { "ltr" };
    let banner = props(Slot::Banner).map(|mut p| {
        let bottom = matches!(
            p.nudge.format,
            Format::Banner {
                position: BannerPosition::Bottom
            }
        );
        match mount::banner_root(!bottom) {
            Some(root) => {
                p.inline = true;
                let strip = html! {
                    <div class="tp-ui" {dir} lang={locale.clone()}><Banner ..p /></div>
                };
                create_portal(strip, root)
            }
            None => html! { <Banner ..p /> },
        }
    });
    if banner.is_none() {
        mount::remove_banner_host();
    }
    let anchored = props(Slot::Anchored).map(|p| {
        let k = p.nudge.campaign_id.clone();
        html! { <Tooltip key={k} ..p /> }
    });
    let checklist = props(Slot::Checklist).map(|p| {
        let k = p.nudge.campaign_id.clone();
        html! { <Checklist key={k} ..p /> }
    });
    let toast = props(Slot::Toast).map(|p| {
        let k = p.nudge.campaign_id.clone();
        html! { <Toast key={k} ..p /> }
    });
    let feed: Vec<_> = s.feed().cloned().collect();
    let launcher = (!feed.is_empty()).then(|| {
        html! {
            <Launcher items={feed} unread={s.unread()} vars={vars.clone()} locale={locale.clone()}
                on={Callback::from(|(id, g)| runtime::dispatch(action(id, g)))} />
        }
    });
    html! {
        <div class="tp-ui" {dir} lang={locale.clone()}>
            { for banner }
            { for checklist }
            { for anchored }
            { for launcher }
            { for overlay }
            <div class="tp-toasts" role="status" aria-live="polite">{ for toast }</div>
        </div>
    }
}
