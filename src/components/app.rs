//! The root component: subscribes to the runtime's state snapshots and renders the nudges of
//! the current decision.
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
    let Some(campaign) = state.banner().cloned() else {
        return html! {};
    };
    let on_cta = Callback::from(|cta| runtime::dispatch(Action::Cta { cta }));
    let on_dismiss = Callback::from(|()| runtime::dispatch(Action::Dismiss));
    html! { <Banner {campaign} {on_cta} {on_dismiss} /> }
}
