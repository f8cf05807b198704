//! What every format shares: its props, the gestures it reports, Markdown content as virtual
//! DOM, the CTA row and close button, a card's head and the floating card itself (one copy
//! of their virtual DOM code for every format), keyboard handling (Esc, focus trap),
//! placement next to a host element and keeping floating formats in the top layer. Positions
//! are written through the CSSOM (`style.setProperty`), which a strict `style-src` CSP
//! allows, never as `style` attributes.
use crate::i18n::{t, Text};
use crate::markdown::{self, Block, Inline, Vars};
use std::rc::Rc;
use touchpoint_core::context::Traits;
use touchpoint_core::Nudge;
use wasm_bindgen::JsCast;
use web_sys::{Element, HtmlElement};
use yew::prelude::*;

/// What the user did in a nudge.
#[derive(Debug, Clone, PartialEq)]
pub enum Gesture {
    /// Used the CTA with this id.
    Cta(String),
    /// Closed it.
    Dismiss,
    /// Answered a survey.
    Answer(Traits),
    /// Went to a tour step.
    Step(u32),
    /// Finished a tour.
    TourDone,
    /// A toast's time ran out.
    Expire,
    /// Its host element never appeared (the selector).
    TargetMissing(String),
    /// It is displayed where the user can see it (once per showing; see the README's "When
    /// a nudge counts as seen").
    Seen,
}

/// [`Gesture::Seen`], as the one `fn` type every anchored format's "found" callback reforms
/// with (one `Callback::reform` in the wasm).
pub const SEEN: fn(()) -> Gesture = |()| Gesture::Seen;

/// Props of every format component.
#[derive(Properties, PartialEq, Clone)]
pub struct NudgeProps {
    /// The nudge to show.
    pub nudge: Nudge,
    /// Personalisation values.
    #[prop_or_default]
    pub vars: Rc<Vars>,
    /// Locale of the widget's own strings.
    #[prop_or(AttrValue::Static("en"))]
    pub locale: AttrValue,
    /// Called with each gesture.
    #[prop_or_default]
    pub on: Callback<Gesture>,
    /// Tour: the current step.
    #[prop_or_default]
    pub step: u32,
    /// Survey: already answered (show the thank-you).
    #[prop_or_default]
    pub answered: bool,
    /// Banner: rendered in the page's flow (the host's slot or the top of the page) rather
    /// than as an overlay in the top layer.
    #[prop_or_default]
    pub inline: bool,
    /// Anchored formats: how long to wait for the host element.
    #[prop_or(crate::effects::observe::ANCHOR_WAIT_MS)]
    pub wait_ms: u32,
    /// Toast: how long it stays while neither hovered nor focused.
    #[prop_or(TOAST_MS)]
    pub toast_ms: u32,
}

/// How long a toast stays on screen by default.
pub const TOAST_MS: u32 = 6000;

impl NudgeProps {
    /// The title with tokens filled in.
    pub fn title(&self) -> String {
        markdown::personalize(&self.nudge.content.title, &self.vars)
    }

    /// A widget string in the user's locale.
    pub fn t(&self, text: Text) -> &'static str {
        t(&self.locale, text)
    }

    /// A DOM id unique to this campaign and `part`.
    pub fn id(&self, part: &str) -> String {
        let slug: String = self
            .nudge
            .campaign_id
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
            .collect();
        format!("tp-{slug}-{part}")
    }
}

fn inline(node: &Inline) -> Html {
    match node {
        Inline::Text(t) => html! { { t.clone() } },
        Inline::Strong(c) => html! { <strong>{ for c.iter().map(inline) }</strong> },
        Inline::Em(c) => html! { <em>{ for c.iter().map(inline) }</em> },
        Inline::Code(c) => html! { <code>{ c.clone() }</code> },
        Inline::Break => html! { <br/> },
        Inline::Link { href, children } => {
            let external = href.starts_with("http");
            html! {
                <a href={href.clone()} target={external.then_some("_blank")}
                   rel={external.then_some("noopener noreferrer")}>
                    { for children.iter().map(inline) }
                </a>
            }
        }
    }
}

/// Markdown content as virtual DOM.
pub fn body(src: &str, vars: &Vars) -> Html {
    if src.trim().is_empty() {
        return html! {};
    }
    let blocks = markdown::parse(src, vars).into_iter().map(|b| match b {
        Block::Para(c) => html! { <p>{ for c.iter().map(inline) }</p> },
        Block::List { ordered, items } => {
            let items = items
                .iter()
                .map(|i| html! { <li>{ for i.iter().map(inline) }</li> });
            if ordered {
                html! { <ol>{ for items }</ol> }
            } else {
                html! { <ul>{ for items }</ul> }
            }
        }
    });
    html! { <div class="tp-md">{ for blocks }</div> }
}

/// The nudge's CTA buttons (first primary): only those the campaign defines (issue 9: no
/// option the campaign did not ask for).
pub fn ctas(p: &NudgeProps) -> Html {
    if p.nudge.content.ctas.is_empty() {
        return html! {};
    }
    let buttons = p.nudge.content.ctas.iter().enumerate().map(|(i, cta)| {
        let class = if i == 0 {
            "tp-btn tp-btn--primary"
        } else {
            "tp-btn"
        };
        button(
            class,
            &markdown::personalize(&cta.label, &p.vars),
            &p.on,
            Gesture::Cta(cta.id.clone()),
            Some(cta.id.clone()),
        )
    });
    html! { <div class="tp-actions">{ for buttons }</div> }
}

/// A floating card in the top layer, a dialog labelled by its title (`title_id`), whose
/// Esc calls `on_escape`; a tour names its `step`. One function for the slideout, survey,
/// tooltip and tour cards, so their shared virtual DOM code is in the wasm once.
pub fn card(
    p: &NudgeProps,
    class: Classes,
    node: NodeRef,
    title_id: String,
    on_escape: Callback<()>,
    step: Option<String>,
    children: Html,
) -> Html {
    html! {
        <div {class} popover="manual" ref={node.clone()} role="dialog" aria-labelledby={title_id}
            data-campaign={p.nudge.campaign_id.clone()} data-step={step}
            onkeydown={keys(node, false, on_escape)}>
            { children }
        </div>
    }
}

/// A card's head: its title as the heading `id` names (for `aria-labelledby`), and the ×
/// button. One function for every format that has it, so its virtual DOM code is in the wasm
/// once.
pub fn head(p: &NudgeProps, id: String) -> Html {
    html! {
        <div class="tp-head">
            <h2 class="tp-title" {id}>{ p.title() }</h2>
            { close(p) }
        </div>
    }
}

/// A click handler that reports `g`: one closure type for every gesture button.
fn clicks(on: &Callback<Gesture>, g: Gesture) -> Callback<MouseEvent> {
    let on = on.clone();
    Callback::from(move |_| on.emit(g.clone()))
}

/// A button labelled `label` that reports `g` (a CTA names itself in `data-cta`): one
/// function for the CTAs and the tour's steps, so their virtual DOM code is in the wasm once.
pub fn button(
    class: &'static str,
    label: &str,
    on: &Callback<Gesture>,
    g: Gesture,
    cta: Option<String>,
) -> Html {
    html! {
        <button type="button" {class} data-cta={cta} onclick={clicks(on, g)}>{ label }</button>
    }
}

/// The × button.
pub fn close(p: &NudgeProps) -> Html {
    html! {
        <button type="button" class="tp-close" aria-label={p.t(Text::Close)}
            onclick={clicks(&p.on, Gesture::Dismiss)}>
            <span aria-hidden="true">{ "×" }</span>
        </button>
    }
}

const FOCUSABLE: &str =
    "button:not([disabled]), [href], input:not([disabled]), textarea, select, [tabindex]:not([tabindex='-1'])";

/// The element focused inside the widget's shadow root (or the document's, outside one).
pub fn active_in(node: &Element) -> Option<Element> {
    let root = node.get_root_node();
    if let Some(shadow) = root.dyn_ref::<web_sys::ShadowRoot>() {
        shadow.active_element()
    } else {
        web_sys::window()?.document()?.active_element()
    }
}

/// The focusable elements inside `node`, in order.
pub fn focusables(node: &Element) -> Vec<HtmlElement> {
    let Ok(list) = node.query_selector_all(FOCUSABLE) else {
        return Vec::new();
    };
    (0..list.length())
        .filter_map(|i| list.get(i)?.dyn_into::<HtmlElement>().ok())
        .collect()
}

/// Focus the first focusable element inside `node` (or `node` itself).
pub fn focus_first(node: &Element) {
    if let Some(first) = focusables(node).first() {
        let _ = first.focus();
    } else if let Some(n) = node.dyn_ref::<HtmlElement>() {
        let _ = n.focus();
    }
}

/// A keydown handler: Esc calls `on_escape`; with `trap` (the modal), Tab and Shift-Tab
/// cycle inside the node and Esc is left to the `<dialog>`'s own `cancel` event, so it
/// dismisses exactly once.
pub fn keys(node: NodeRef, trap: bool, on_escape: Callback<()>) -> Callback<KeyboardEvent> {
    Callback::from(move |e: KeyboardEvent| match e.key().as_str() {
        "Escape" | "Esc" if !trap => {
            e.prevent_default();
            e.stop_propagation();
            on_escape.emit(());
        }
        "Tab" if trap => {
            let Some(el) = node.cast::<Element>() else {
                return;
            };
            let items = focusables(&el);
            let (Some(first), Some(last)) = (items.first(), items.last()) else {
                e.prevent_default();
                return;
            };
            let active = active_in(&el);
            let is = |x: &HtmlElement| {
                active
                    .as_ref()
                    .is_some_and(|a| a == x.unchecked_ref::<Element>())
            };
            let inside = active.as_ref().is_some_and(|a| el.contains(Some(a)));
            if e.shift_key() && (is(first) || !inside) {
                e.prevent_default();
                let _ = last.focus();
            } else if !e.shift_key() && (is(last) || !inside) {
                e.prevent_default();
                let _ = first.focus();
            }
        }
        _ => {}
    })
}

/// A CSS pixel length, rounded. Integer formatting on purpose: float formatting pulls
/// several kilobytes of `core::fmt` float code into the wasm.
fn px(v: f64) -> String {
    #[allow(clippy::cast_possible_truncation)]
    let v = v.round() as i32;
    format!("{v}px")
}

fn set_style(el: &HtmlElement, name: &str, value: &str) {
    let _ = el.style().set_property(name, value);
}

/// The element's effective CSS zoom (`currentCSSZoom`; 1 where unknown). Positions are
/// measured in viewport pixels, but lengths set on an element under a zoomed `<html>` are
/// multiplied by its zoom, so they are divided by it first (issue 9).
fn zoom(el: &HtmlElement) -> f64 {
    js_sys::Reflect::get(el, &"currentCSSZoom".into())
        .ok()
        .and_then(|z| z.as_f64())
        .filter(|z| *z > 0.0)
        .unwrap_or(1.0)
}

/// Place `card` next to `anchor` (below, or above when there is no room below; clamped to
/// the viewport horizontally), and hide it while the anchor is scrolled out of view.
pub fn place(card: &HtmlElement, anchor: &Element) {
    let Some(w) = web_sys::window() else {
        return;
    };
    let vw = w.inner_width().ok().and_then(|v| v.as_f64()).unwrap_or(0.0);
    let vh = w
        .inner_height()
        .ok()
        .and_then(|v| v.as_f64())
        .unwrap_or(0.0);
    let r = anchor.get_bounding_client_rect();
    let c = card.get_bounding_client_rect();
    let gap = 12.0;
    let margin = 8.0;
    let below = r.bottom() + gap;
    let flip = below + c.height() > vh - margin && r.top() - gap - c.height() >= margin;
    let top = if flip {
        r.top() - gap - c.height()
    } else {
        below
    };
    let centre = r.left() + r.width() / 2.0;
    let left = (centre - c.width() / 2.0)
        .min(vw - c.width() - margin)
        .max(margin);
    let z = zoom(card);
    set_style(card, "top", &px(top / z));
    set_style(card, "left", &px(left / z));
    set_style(card, "--tp-arrow-x", &px((centre - left) / z));
    let off = r.bottom() < 0.0 || r.top() > vh || (r.width() == 0.0 && r.height() == 0.0);
    let cl = card.class_list();
    let _ = cl.toggle_with_force("tp-above", flip);
    let _ = cl.toggle_with_force("tp-offscreen", off);
}

/// Place a hotspot dot on the anchor's top-end corner.
pub fn place_dot(dot: &HtmlElement, anchor: &Element, rtl: bool) {
    let r = anchor.get_bounding_client_rect();
    let x = if rtl { r.left() } else { r.right() };
    let z = zoom(dot);
    set_style(dot, "top", &px(r.top() / z - 6.0));
    set_style(dot, "left", &px(x / z - 6.0));
}
