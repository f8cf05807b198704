// How Touchpoint measures, end to end on the demo host page (issue 11): a feed item counts as
// seen only when the open launcher shows it, a held-out tooltip only when its element
// appears, the first page view carries the identity the host queued in the stub before the
// widget arrived, and consent gates what is shown, not only what is sent. What the collector
// stored is the evidence, read through its admin API.
//
// Absence is proven, never waited for: `settled()` tracks a marker event and waits until
// the collector has stored it. The widget records every event into one ordered queue and
// sends it oldest first, one batch at a time, so once the marker is stored everything the
// page recorded before it is stored too; an event missing then was never recorded.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import path from "node:path";
import { startServer, launchBrowser, eventually, watchConsole, ROOT } from "./harness.mjs";

const RUN = Date.now().toString(36);
let server;
let browser;
before(async () => {
  server = await startServer({ campaigns: path.join(ROOT, "tests/e2e/fixtures/formats") });
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await server?.stop();
});

/** A fresh browser context on the demo page as `persona` (user `u_<persona>_<run>`). */
async function open(persona, run) {
  const context = await browser.newContext({ reducedMotion: "reduce", viewport: { width: 960, height: 640 } });
  const page = await context.newPage();
  const problems = watchConsole(page);
  await page.goto(`${server.app}/app/?persona=${persona}&run=${run}`);
  await page.locator("touchpoint-widget .tp-ui").waitFor({ state: "attached", timeout: 15000 });
  return { context, page, problems, user: `u_${persona}_${run}` };
}

/** Track `marker` in the page and wait until the collector stored it (see the top). */
async function settled(page, user, marker) {
  await page.evaluate((name) => window.touchpoint.track(name), marker);
  await eventually(async () => {
    const r = await server.events({ type: "track", user_id: user, limit: 1000 });
    return r.events.some((e) => e.name === marker);
  }, 15000, `the marker ${marker}`);
}

/** The campaigns of the stored events of `type` for `user`, sorted. */
async function stored(type, user) {
  const r = await server.events({ type, user_id: user, limit: 1000 });
  return r.events.map((e) => e.campaign_id).sort();
}

test("a feed item in a closed launcher is no impression; opening it counts the items in view once (issue 11)", async () => {
  const { context, page, problems, user } = await open("feed", `${RUN}-seen`);
  const launcher = page.locator("touchpoint-widget .tp-launcher");
  await launcher.waitFor({ state: "visible", timeout: 15000 });
  assert.match(await launcher.getAttribute("aria-label"), /2 unread/, "both items are in the launcher");
  await settled(page, user, "while_closed");
  assert.deepEqual(await stored("impression", user), [], "a closed launcher: nobody saw its items");

  // Put the second item far below the first, out of the open panel's view (a long feed, as
  // on a small screen). Through the CSSOM, which the strict CSP of the cross-origin page allows.
  await page.evaluate(() => {
    document.querySelector("touchpoint-widget").shadowRoot.querySelector(".tp-feed-item + .tp-feed-item").style.marginTop = "3000px";
  });
  await launcher.click();
  const items = page.locator("touchpoint-widget .tp-feed-item");
  await items.first().waitFor({ state: "visible", timeout: 5000 });
  const [first, second] = [await items.nth(0).getAttribute("data-campaign"), await items.nth(1).getAttribute("data-campaign")];
  await eventually(async () => (await stored("impression", user)).length > 0, 10000, "the impression of the item in view");
  await settled(page, user, "opened");
  assert.deepEqual(await stored("impression", user), [first], "exactly one: the item in view");
  assert.match(await launcher.getAttribute("aria-label"), /1 unread/, "seen is read; the other is not");

  // Scrolled into view inside the panel: now the second one counts.
  await items.nth(1).scrollIntoViewIfNeeded();
  await eventually(async () => (await stored("impression", user)).length > 1, 10000, "the second impression");
  // Closed and opened again: the same showing, nothing more.
  await launcher.click();
  await page.locator("touchpoint-widget #tp-feed").waitFor({ state: "hidden", timeout: 5000 });
  await launcher.click();
  await page.locator("touchpoint-widget #tp-feed").waitFor({ state: "visible", timeout: 5000 });
  await settled(page, user, "reopened");
  assert.deepEqual(await stored("impression", user), [first, second].sort(), "one impression per item");
  assert.deepEqual(problems, []);
  await context.close();
});

test("the first page view carries the user and account the host queued in the stub (issue 11)", async () => {
  // The demo page calls identify(user, traits, {account}) synchronously, before the async
  // loader has arrived: the call waits in the stub's queue.
  const { context, page, problems, user } = await open("identity", `${RUN}-identity`);
  const anonymous = await eventually(() => page.evaluate(() => localStorage.getItem("touchpoint:pk_demo:anonymous_id")), 5000, "the anonymous id");
  await settled(page, user, "loaded");
  // Every page view of this browser, whoever it was recorded for.
  const all = (await server.events({ type: "page", limit: 1000 })).events.filter((e) => e.anonymous_id === anonymous);
  assert.ok(all.length >= 1, "the automatic page view was recorded");
  for (const e of all) {
    assert.equal(e.user_id, user, `page ${e.name} names the user`);
    assert.equal(e.account_id, "acme", `page ${e.name} names the account`);
  }
  assert.equal(all.length, 1, "one page view for one load");
  const identified = (await server.events({ type: "identify", user_id: user })).events;
  assert.equal(identified.length, 1, "the queued identify, replayed once");
  assert.deepEqual(problems, []);
  await context.close();
});

test("after consent(\"essential\") a marketing campaign is not rendered; consent(\"none\") shows and records nothing (issue 11)", async () => {
  const { context, page, problems, user } = await open("consent", `${RUN}-consent`);
  const upsell = page.locator("touchpoint-banner .tp-banner[data-campaign='f-consent-upsell']");
  const tip = page.locator("touchpoint-widget .tp-slideout[data-campaign='f-consent-tip']");
  await upsell.waitFor({ state: "visible", timeout: 15000 });
  await tip.waitFor({ state: "visible", timeout: 15000 });
  // Both impressions stored first: consent("essential") deletes marketing events still queued.
  await settled(page, user, "all");

  await page.evaluate(() => window.touchpoint.consent("essential"));
  await upsell.waitFor({ state: "detached", timeout: 5000 });
  assert.ok(await tip.isVisible(), "the service campaign stays");
  // Remembered: a reload shows the service slideout, decided with the banner in one pass, and
  // never the marketing banner.
  await page.reload();
  await tip.waitFor({ state: "visible", timeout: 15000 });
  assert.equal(await page.locator("touchpoint-banner .tp-banner").count(), 0, "the marketing banner is not rendered");
  await settled(page, user, "essential");
  assert.deepEqual(await stored("impression", user), ["f-consent-tip", "f-consent-tip", "f-consent-upsell"], "the banner's one view was before consent changed");

  await page.evaluate(() => {
    window.touchpoint.consent("none");
    window.touchpoint.track("while_none");
  });
  await tip.waitFor({ state: "detached", timeout: 5000 });
  assert.equal(await page.locator("touchpoint-widget .tp-card, touchpoint-banner .tp-banner").count(), 0, "nothing on screen");
  await page.evaluate(() => window.touchpoint.consent("all"));
  await settled(page, user, "all_again");
  const tracked = (await server.events({ type: "track", user_id: user, limit: 1000 })).events.map((e) => e.name);
  assert.ok(!tracked.includes("while_none"), `nothing recorded under none: ${tracked}`);
  assert.deepEqual(problems, []);
  await context.close();
});

test("a held-out tooltip counts its would-be view when its element appears, and none when it never does (issue 11)", async () => {
  // Everyone is in f-held's holdout. Its element is not on the page until the test adds it.
  const { context, page, problems, user } = await open("held", `${RUN}-held`);
  await settled(page, user, "placed");
  assert.deepEqual(await stored("impression", user), [], "placed, its element absent: no would-be view yet");
  await page.evaluate(() => {
    const target = document.createElement("button");
    target.id = "tp-e2e-held-target";
    target.textContent = "Held target";
    document.body.append(target);
  });
  await eventually(async () => (await stored("impression", user)).length > 0, 15000, "the would-be view");
  await settled(page, user, "found");
  const views = (await server.events({ type: "impression", user_id: user })).events;
  assert.deepEqual(views.map((e) => [e.campaign_id, e.holdout]), [["f-held", true]], "one would-be view, held out");
  assert.equal(await page.locator("touchpoint-widget .tp-card, touchpoint-widget .tp-hotspot").count(), 0, "the stand-in renders nothing");
  assert.deepEqual(problems, []);
  await context.close();

  // Another visitor, whose page never gets the element: the stand-in gives up, no view.
  const missing = await open("held", `${RUN}-held-missing`);
  await missing.page.evaluate(() => {
    window.__missing = [];
    window.touchpoint.on("target_missing", (e) => window.__missing.push(e.campaign_id));
  });
  await eventually(() => missing.page.evaluate(() => window.__missing[0]), 20000, "target_missing");
  await settled(missing.page, missing.user, "gave_up");
  assert.deepEqual(await stored("impression", missing.user), [], "its element never appeared: never would have been seen");
  await missing.context.close();
});

test("a goal the vendor's backend tracks converts the exposure, and the widget stops the campaign on the next load (issue 11)", async () => {
  const { context, page, problems, user } = await open("convert", `${RUN}-convert`);
  const banner = page.locator("touchpoint-banner .tp-banner[data-campaign='f-convert']");
  await banner.waitFor({ state: "visible", timeout: 15000 });
  await settled(page, user, "shown");
  // The billing backend reports the new seat: server to server, no Origin, the user id only.
  const res = await fetch(`${server.url}/v1/events?key=pk_demo`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ events: [{ id: crypto.randomUUID().replace(/^(.{14})./, "$17"), type: "track", ts: Date.now(), user_id: user, name: "seat_added" }] }),
  });
  assert.equal(res.status, 200, await res.text());
  const report = await (await fetch(`${server.url}/v1/admin/conversions?campaign_id=f-convert`, { headers: { authorization: "Bearer e2e-admin" } })).json();
  const mine = report.environments.flatMap((e) => e.windows).filter((w) => w.party.id === user);
  assert.equal(mine.length, 1, JSON.stringify(report));
  assert.ok(mine[0].conversion, "the exposure window converted");
  await page.reload();
  await page.locator("touchpoint-widget .tp-ui").waitFor({ state: "attached", timeout: 15000 });
  await settled(page, user, "reloaded");
  assert.equal(await banner.count(), 0, "stopped after its conversion");
  assert.deepEqual(await stored("impression", user), ["f-convert"], "one view, before the conversion");
  assert.deepEqual(problems, []);
  await context.close();
});
