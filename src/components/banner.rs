//! The banner: a strip with a title, a short Markdown body, calls to action and a close
//! button. It never covers the host's UI (issue 9): it renders in the page's flow, in the
//! host's `data-touchpoint-slot="banner"` element or at the very top of the page (see
//! [`crate::effects::mount::banner_root`]); only a bottom banner on a page without a slot is
//! an overlay, fixed to the bottom edge in the top layer.
use crate::components::common::{body, close, ctas, NudgeProps};
use touchpoint_core::campaign::{BannerPosition, Format};
use yew::prelude::*;

/// A banner nudge.
#[function_component(Banner)]
pub fn banner(p: &NudgeProps) -> Html {
    let n = &p.nudge;
    let bottom = matches!(
        n.format,
        Format::Banner {
            position: BannerPosition::Bottom
        }
    );
    let overlay = !p.inline;
    let class = classes!(
        "tp-banner",
        bottom.then_some("tp-banner--bottom"),
        overlay.then_some("tp-banner--overlay")
    );
    html! {
        <section {class} popover={overlay.then_some("manual")} role="region"
            aria-label={p.title()} data-campaign={n.campaign_id.clone()}>
            <div class="tp-banner__text">
                <strong class="tp-banner__title">{ p.title() }</strong>
                <span class="tp-banner__body">{ body(&n.content.body, &p.vars) }</span>
            </div>
            { ctas(p) }
            { close(p) }
        </section>
    }
}
