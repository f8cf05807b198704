//! The root component: subscribes to the runtime's state snapshots and renders the nudges on
//! screen.
use crate::components::Banner;
use crate::runtime;
use crate::state::{Action, WidgetState};
use std::rc::Rc;
use yew::prelude::*;

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
    let Some(nudge) = state.banner().cloned() else {
        return html! {};
    };
    let id = nudge.campaign_id.clone();
    let on_cta = {
        let id = id.clone();
        Callback::from(move |cta_id| {
            runtime::dispatch(Action::Cta {
                campaign_id: id.clone(),
                cta_id,
            })
        })
    };
    let on_dismiss = Callback::from(move |()| {
        runtime::dispatch(Action::Dismiss {
            campaign_id: id.clone(),
        })
    });
    html! { <Banner {nudge} {on_cta} {on_dismiss} /> }
}
