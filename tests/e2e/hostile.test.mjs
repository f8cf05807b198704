// Issue 9, the widget's side of embedding on a vendor's real product, in real Chromium:
// - no host style can displace or hide a nudge: every floating format under each hostile
//   host style of www/app/hostile-matrix.css (a transformed or filtered body, zoom, no
//   overflow, RTL, a long scrolled page, containment, global !important resets) lies
//   entirely inside the viewport, has a size, is what the user hits at its centre, and the
//   modal's backdrop covers the whole viewport; one screenshot per style in docs/screenshots/;
// - banners never cover the host's navigation, with the host's slot and without one;
// - a catalog served straight from the API with a `javascript:` CTA runs no script when the
//   CTA is clicked, and `{{…}}` tokens in CTA URLs are filled percent-encoded.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import path from "node:path";
import { startServer, launchBrowser, eventually, watchConsole, ROOT } from "./harness.mjs";

const SHOTS = path.join(ROOT, "docs/screenshots");
const RUN = Date.now().toString(36);
const VIEWPORT = { width: 960, height: 640 };
let server;
let browser;
before(async () => {
  server = await startServer({ campaigns: path.join(ROOT, "tests/e2e/fixtures/formats") });
  browser = await launchBrowser();
  mkdirSync(SHOTS, { recursive: true });
});
after(async () => {
  await browser?.close();
  await server?.stop();
});

/** The base URL of host pages (in cross-origin mode not the collector's). */
const app = () => server.app ?? server.url;

/** A fresh browser context (own storage) on a demo page as `persona`. */
async function open(persona, { query = "", page: file = "/app/", run = RUN } = {}) {
  const context = await browser.newContext({ reducedMotion: "reduce", viewport: VIEWPORT });
  const page = await context.newPage();
  const problems = watchConsole(page);
  page.on("response", (r) => { if (r.status() >= 400) problems.push(`HTTP ${r.status()} ${r.url()}`); });
  await page.goto(`${app()}${file}?persona=${persona}&run=${run}${query}`);
  return { context, page, problems };
}

const HOSTILE = ["transform", "filter", "zoom-body", "zoom-html", "overflow", "rtl", "tall", "contain", "will-change", "important"];

// `anchor`: what the nudge points at (a long page is scrolled to it); `then`: a second part
// that a click on the first opens; `page`: a page other than the demo's (which has the slot).
const FLOATING = [
  { name: "modal", persona: "modal", selector: ".tp-modal" },
  { name: "slideout", persona: "slideout", selector: ".tp-slideout" },
  { name: "tooltip", persona: "tooltip", selector: ".tp-tooltip", anchor: "#new-invoice" },
  { name: "hotspot", persona: "hotspot", selector: ".tp-hotspot", anchor: "#who", then: ".tp-tooltip" },
  { name: "tour", persona: "tour", selector: ".tp-tour", anchor: "#new-invoice" },
  { name: "checklist", persona: "checklist", selector: ".tp-checklist" },
  { name: "survey-nps", persona: "nps", selector: ".tp-survey" },
  { name: "survey-text", persona: "text", selector: ".tp-survey" },
  { name: "toast", persona: "toast", selector: ".tp-toast" },
  { name: "launcher-feed", persona: "feed", selector: ".tp-launcher", then: "#tp-feed" },
  { name: "banner-bottom", persona: "banner-bottom", selector: ".tp-banner", query: "&slot=none" },
  // Top banners are in the page's flow, not floating: on a long page they are where the
  // page starts, so the check scrolls there first.
  { name: "banner-in-slot", persona: "banner", selector: "[data-touchpoint-slot] .tp-banner", inFlow: true },
  { name: "banner-top-of-page", persona: "banner", selector: "touchpoint-banner .tp-banner", query: "&slot=none", inFlow: true },
];

/** Where `locator`'s element is and whether it is what the user sees and hits there. */
async function judge(page, locator) {
  const box = await locator.boundingBox();
  assert.ok(box, "has a box");
  const centre = { x: box.x + box.width / 2, y: box.y + box.height / 2 };
  const seen = await locator.evaluate((el, c) => {
    // The hit test of the element's own (shadow) root: the widget's parts retarget to their
    // host in the document's.
    const hit = el.getRootNode().elementFromPoint(c.x, c.y);
    return {
      visible: el.checkVisibility({ opacityProperty: true, visibilityProperty: true }),
      hitInside: !!hit && (hit === el || el.contains(hit)),
      hit: hit ? `${hit.tagName.toLowerCase()}.${hit.className}` : "nothing",
    };
  }, centre);
  return { box, ...seen };
}

function assertInside(what, { box, visible, hitInside, hit }) {
  const { width: vw, height: vh } = VIEWPORT;
  const where = JSON.stringify(box);
  assert.ok(box.width >= 1 && box.height >= 1, `${what}: has a size ${where}`);
  assert.ok(box.x >= -0.5 && box.y >= -0.5 && box.x + box.width <= vw + 0.5 && box.y + box.height <= vh + 0.5,
    `${what}: entirely inside the ${vw}x${vh} viewport: ${where}`);
  assert.ok(visible, `${what}: visible`);
  assert.ok(hitInside, `${what}: the element at its centre is inside it, not ${hit}`);
}

/** An anchored nudge is next to what it points at: a card above or below it, overlapping it
 * horizontally; a hotspot's dot on its top-end corner. */
async function assertBeside(what, locator, anchor) {
  const [a, n] = [await anchor.boundingBox(), await locator.boundingBox()];
  const where = JSON.stringify({ anchor: a, nudge: n });
  if (n.width < 40) {
    const corner = [[a.x + a.width, a.y], [a.x, a.y]];
    const near = corner.some(([x, y]) => Math.abs(n.x + n.width / 2 - x) <= 12 && Math.abs(n.y + n.height / 2 - y) <= 12);
    assert.ok(near, `${what}: the dot is on its anchor's corner: ${where}`);
    return;
  }
  assert.ok(n.y >= a.y + a.height - 0.5 || n.y + n.height <= a.y + 0.5, `${what}: above or below its anchor: ${where}`);
  assert.ok(n.x < a.x + a.width && n.x + n.width > a.x, `${what}: overlapping its anchor horizontally: ${where}`);
}

/** The modal's ::backdrop covers the viewport: at every corner and edge, the hit is the dialog. */
async function assertBackdropCoversViewport(what, page) {
  const { width: vw, height: vh } = VIEWPORT;
  const points = [[1, 1], [vw - 2, 1], [1, vh - 2], [vw - 2, vh - 2], [vw / 2, 1], [vw / 2, vh - 2], [1, vh / 2], [vw - 2, vh / 2]];
  const hits = await page.locator("touchpoint-widget .tp-modal").evaluate((dialog, pts) => pts.map(([x, y]) => {
    const hit = dialog.getRootNode().elementFromPoint(x, y);
    return hit === dialog ? "backdrop" : `${x},${y}: ${hit?.tagName}.${hit?.className}`;
  }), points);
  assert.deepEqual(hits.filter((h) => h !== "backdrop"), [], `${what}: the backdrop is hit at every corner and edge`);
  const dim = await page.locator("touchpoint-widget .tp-modal").evaluate((d) => getComputedStyle(d, "::backdrop").backgroundColor);
  assert.notEqual(dim, "rgba(0, 0, 0, 0)", `${what}: the backdrop dims`);
}

for (const hostile of HOSTILE) {
  test(`hostile host style "${hostile}": every floating nudge is inside the viewport, visible and on top (issue 9)`, async () => {
    for (const f of FLOATING) {
      const what = `${f.name} under ${hostile}`;
      const { context, page, problems } = await open(f.persona, { query: `&hostile=${hostile}${f.query ?? ""}`, run: `${RUN}-${hostile}` });
      if (hostile === "tall") {
        // Scrolled down to the content (or to what the nudge points at) before the nudge shows.
        await page.evaluate((sel) => document.querySelector(sel).scrollIntoView({ block: "center" }), f.anchor ?? "#new-invoice");
        assert.ok(await page.evaluate(() => scrollY) > 1000 || f.anchor === "#who", `${what}: the page is scrolled down`);
      }
      const el = page.locator(`${f.inFlow ? "" : "touchpoint-widget "}${f.selector}`).first();
      await el.waitFor({ state: "visible", timeout: 15000 });
      if (f.inFlow) await el.evaluate((e) => e.scrollIntoView({ block: "nearest" }));
      // A toast closes by itself after 6 s unless hovered: hold it while it is judged.
      if (f.name === "toast") {
        const b = await el.boundingBox();
        await page.mouse.move(b.x + b.width / 2, b.y + b.height / 2);
      }
      await page.waitForTimeout(100);
      assertInside(what, await judge(page, el));
      if (f.anchor) await assertBeside(what, el, page.locator(f.anchor));
      if (f.name === "modal") {
        await assertBackdropCoversViewport(what, page);
        await page.screenshot({ path: path.join(SHOTS, `hostile-${hostile}.png`) });
      }
      if (f.then) {
        await el.click();
        const then = page.locator(`touchpoint-widget ${f.then}`).first();
        await then.waitFor({ state: "visible", timeout: 5000 });
        await page.waitForTimeout(100);
        assertInside(`${what} (opened)`, await judge(page, then));
        if (f.anchor) await assertBeside(`${what} (opened)`, then, page.locator(f.anchor));
      }
      assert.deepEqual(problems, [], `${what}: no console problems`);
      await context.close();
    }
  });
}

test("a banner never covers the host's navigation: in the host's slot, and at the top of a page without one (issue 9)", async () => {
  for (const { query, selector, where } of [
    { query: "", selector: "[data-touchpoint-slot] .tp-banner", where: "slot" },
    { query: "&slot=none", selector: "touchpoint-banner .tp-banner", where: "top of the page" },
  ]) {
    const { context, page, problems } = await open("banner", { query, run: `${RUN}-nav-${where.length}` });
    const banner = page.locator(selector);
    await banner.waitFor({ state: "visible", timeout: 15000 });
    await page.waitForTimeout(100);
    assertInside(`banner (${where})`, await judge(page, banner));
    const links = await page.locator("header nav a").evaluateAll((as) => as.map((a) => a.id));
    assert.equal(links.length, 3);
    for (const id of links) {
      const b = await page.locator(`#${id}`).boundingBox();
      const hit = await page.evaluate(({ x, y }) => document.elementFromPoint(x, y)?.id ?? "nothing", { x: b.x + b.width / 2, y: b.y + b.height / 2 });
      assert.equal(hit, id, `banner (${where}): the centre of the nav link #${id} is the link`);
    }
    const [header, strip] = [await page.locator("header").boundingBox(), await banner.boundingBox()];
    assert.ok(strip.y >= header.y + header.height - 0.5 || strip.y + strip.height <= header.y + 0.5, `banner (${where}) and header do not overlap: ${JSON.stringify({ header, strip })}`);
    if (where === "slot") {
      const slot = await page.locator("[data-touchpoint-slot]").boundingBox();
      assert.ok(strip.x >= slot.x - 0.5 && strip.y >= slot.y - 0.5 && strip.x + strip.width <= slot.x + slot.width + 0.5 && strip.y + strip.height <= slot.y + slot.height + 0.5,
        `the banner is inside the slot's box: ${JSON.stringify({ slot, strip })}`);
    } else {
      assert.equal(await page.evaluate(() => document.body.firstElementChild.tagName), "TOUCHPOINT-BANNER", "the first child of the body");
      // Closed: the page gets its first child back.
      await banner.locator(".tp-close").click();
      await banner.waitFor({ state: "detached", timeout: 5000 });
      assert.equal(await page.evaluate(() => document.querySelector("touchpoint-banner")), null, "no empty host left behind");
    }
    assert.deepEqual(problems, [], `banner (${where}): no console problems`);
    await context.close();
  }
});

test("the modal is a top-layer <dialog>: Esc dismisses it exactly once and focus comes back (issue 9)", async () => {
  const run = `${RUN}-esc`;
  const { context, page, problems } = await open("modal", { query: "&hostile=transform", run });
  const modal = page.locator("touchpoint-widget .tp-modal");
  await modal.waitFor({ state: "visible", timeout: 15000 });
  assert.ok(await modal.evaluate((d) => d.tagName === "DIALOG" && d.matches(":modal")), "opened with showModal()");
  assert.ok(await page.evaluate(() => document.querySelector("touchpoint-widget").shadowRoot.activeElement?.classList.contains("tp-close")), "focus moved in");
  await page.keyboard.press("Escape");
  await modal.waitFor({ state: "detached", timeout: 5000 });
  await page.keyboard.press("Escape");
  assert.equal(await page.evaluate(() => document.activeElement === document.body), true, "focus is back on the page");
  const user_id = `u_modal_${run}`;
  await eventually(async () => (await server.events({ campaign_id: "f-modal", type: "dismiss", user_id })).total >= 1, 10000, "the dismissal");
  // The sender batches for 1 s: a second dismissal would have arrived well within 3 s more.
  await page.waitForTimeout(3000);
  assert.equal((await server.events({ campaign_id: "f-modal", type: "dismiss", user_id })).total, 1, "exactly one dismissal");
  assert.deepEqual(problems, []);
  await context.close();
});

/** The real catalog for these fixtures with `f-banner`'s CTAs replaced by `ctas`: a catalog
 * as the API could serve it, never validated by this server (an older one, or a forgery). */
async function catalogWith(ctas) {
  const res = await fetch(`${server.url}/v1/campaigns?key=pk_demo`);
  assert.equal(res.status, 200);
  const catalog = await res.json();
  const banner = catalog.campaigns.find((c) => c.id === "f-banner");
  assert.ok(banner, "f-banner is in the catalog");
  banner.content.en.ctas = ctas;
  return { ...catalog, campaigns: [banner] };
}

/** Serve `catalog` instead of the collector's, on every catalog request of `context`. */
async function serveCatalog(context, catalog) {
  await context.route("**/v1/campaigns*", (route) => route.fulfill({
    status: 200,
    contentType: "application/json",
    headers: { "access-control-allow-origin": route.request().headers().origin ?? "*", "cache-control": "no-store" },
    body: JSON.stringify(catalog),
  }));
}

test("a javascript: CTA from the API runs no script when clicked and warns once (issue 9)", async () => {
  const ctas = [
    { id: "js", label: "Open", action: "open_url", url: "javascript:window.x=1" },
    { id: "meet", label: "Meet", action: "book_meeting", url: " JaVa\tScRiPt:window.x=2" },
  ];
  for (const cta of ["js", "meet"]) {
    const context = await browser.newContext({ reducedMotion: "reduce", viewport: VIEWPORT });
    await serveCatalog(context, await catalogWith(ctas));
    const page = await context.newPage();
    const problems = watchConsole(page);
    await page.goto(`${app()}/app/?persona=banner&run=${RUN}-js-${cta}`);
    const button = page.locator(`.tp-banner [data-cta=${cta}]`);
    await button.waitFor({ state: "visible", timeout: 15000 });
    const before = page.url();
    await button.click();
    const warning = await eventually(() => problems.find((p) => p.includes("[touchpoint] refused to open")), 5000, "the refusal warning");
    assert.match(warning, /^warning: /);
    await page.waitForTimeout(300);
    assert.equal(await page.evaluate(() => window.x), undefined, `${cta}: no script ran`);
    assert.equal(page.url(), before, `${cta}: no navigation`);
    assert.equal(problems.length, 1, `${cta}: one warning, nothing else: ${problems.join("\n")}`);
    await context.close();
  }
});

test("{{…}} tokens in a CTA URL are filled percent-encoded, with the | default form (issue 9)", async () => {
  const ctas = [
    { id: "site", label: "Your site", action: "open_url", url: "#/site/{{user.first_name}}?via={{user.nope | the banner}}" },
  ];
  const context = await browser.newContext({ reducedMotion: "reduce", viewport: VIEWPORT });
  await serveCatalog(context, await catalogWith(ctas));
  const page = await context.newPage();
  const problems = watchConsole(page);
  await page.goto(`${app()}/app/?persona=banner&run=${RUN}-tokens&name=${encodeURIComponent("Ada L./x?y#z")}`);
  const button = page.locator(".tp-banner [data-cta=site]");
  await button.waitFor({ state: "visible", timeout: 15000 });
  await button.click();
  const hash = await eventually(() => page.evaluate(() => location.hash || false), 5000, "the navigation");
  assert.equal(hash, "#/site/Ada%20L.%2Fx%3Fy%23z?via=the%20banner");
  assert.deepEqual(problems, []);
  await context.close();
});
