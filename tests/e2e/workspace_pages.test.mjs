// Every page of the CS workspace as a product (issue 13, item 6), in real Chromium against a
// real `touchpoint serve` on SQLite: signed in as an admin and as a viewer, each page — sign-in,
// the list empty, filtered to nothing and with rows, new campaign, duplicate, the editor and its form, a
// version with its diff, users, API tokens, audit log, the preview page, an error page — has
// zero axe-core violations (WCAG 2.0 A/AA and 2.1 AA) at 1280×800 and at 768×1024 (and in the
// dark scheme), and no horizontal scrolling at 768 px. A keyboard user reaches the skip link and each page's main
// action with Tab and sees where the focus is; every destructive action asks first, and
// dismissing the question changes nothing.
//
// The workspace is served by the collector itself in both of the harness's set-ups (only the
// demo host moves to its own origin in `cross`), so this file runs once, in `same`.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { AxeBuilder } from "@axe-core/playwright";
import { startServer, launchBrowser, createUser, MODE } from "./harness.mjs";

const PASSWORD = "correct horse battery";
const VIEWPORTS = [{ width: 1280, height: 800 }, { width: 768, height: 1024 }];
// Each page is checked light at both widths and dark at the wider one (colours do not depend
// on the width; the layout does not depend on the scheme).
const PASSES = [
  { viewport: VIEWPORTS[0], colorScheme: "light" },
  { viewport: VIEWPORTS[1], colorScheme: "light" },
  { viewport: VIEWPORTS[0], colorScheme: "dark" },
];
const SKIP = MODE === "cross" && "the workspace is the collector's own origin in both set-ups; run once, same-origin";
let server;
let browser;
before(async () => {
  if (SKIP) return;
  server = await startServer({ campaigns: mkdtempSync(path.join(tmpdir(), "tp-e2e-none-")) });
  await createUser(server, { email: "admin@example.com", role: "admin", password: PASSWORD });
  await createUser(server, { email: "viewer@example.com", role: "viewer", password: PASSWORD });
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await server?.stop();
});

/** A fresh context signed in as `email` (or signed out with `null`). */
async function session(email) {
  const context = await browser.newContext({ reducedMotion: "reduce", viewport: VIEWPORTS[0] });
  const page = await context.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(e.message));
  if (email) {
    await page.goto(`${server.url}/workspace/login`);
    await page.getByLabel("Email").fill(email);
    await page.getByLabel("Password").fill(PASSWORD);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByRole("heading", { name: "Campaigns", exact: true }).waitFor();
  }
  return { context, page, errors };
}

/** The session's CSRF token, for the JSON API calls that set up data. */
async function csrf(page) {
  const res = await page.request.get(`${server.url}/workspace/api/me`);
  return (await res.json()).csrf_token;
}

/** POST JSON to the workspace API as the page's session. */
async function api(page, route, body) {
  const res = await page.request.post(`${server.url}${route}`, {
    headers: { origin: server.url, "x-csrf-token": await csrf(page) },
    data: body,
  });
  assert.ok(res.ok(), `${route} answered ${res.status()}: ${await res.text()}`);
  return res.json();
}

/** axe (WCAG 2.0 A and AA, 2.1 AA) and the horizontal-scroll check at each viewport, on the
 * page already at `url`. Returns every problem as a line, so one run lists them all. */
async function audit(page, name) {
  const problems = [];
  for (const { viewport, colorScheme } of PASSES) {
    await page.setViewportSize(viewport);
    await page.emulateMedia({ colorScheme });
    const result = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa", "wcag21aa"]).analyze();
    for (const v of result.violations) {
      problems.push(`${name} @${viewport.width} ${colorScheme}: ${v.id} (${v.impact}) ${v.help} at ${v.nodes.map((n) => JSON.stringify(n.target)).join(", ")}`);
    }
    if (viewport.width === 768) {
      const { scroll, inner } = await page.evaluate(() => ({
        scroll: document.documentElement.scrollWidth,
        inner: window.innerWidth,
      }));
      if (scroll > inner) problems.push(`${name} @768: scrolls sideways (scrollWidth ${scroll} > innerWidth ${inner})`);
    }
  }
  await page.setViewportSize(VIEWPORTS[0]);
  await page.emulateMedia({ colorScheme: "light" });
  return problems;
}

/** Visit each `[name, path, status]` and audit it; the pages' answers must be `status`. */
async function visitAll(page, pages) {
  const problems = [];
  for (const [name, route, status = 200] of pages) {
    const res = await page.goto(`${server.url}${route}`);
    assert.equal(res.status(), status, `${name}: ${route}`);
    problems.push(...(await audit(page, name)));
  }
  return problems;
}

/** What has the focus: its tag and accessible text, and whether a focus ring shows. */
function focus(page) {
  return page.evaluate(() => {
    const el = document.activeElement;
    if (!el || el === document.body) return { text: "", visible: false };
    const style = getComputedStyle(el);
    const box = el.getBoundingClientRect();
    return {
      text: (el.getAttribute("aria-label") || el.textContent || el.value || "").trim(),
      tag: el.tagName.toLowerCase(),
      visible: style.outlineStyle !== "none" && parseFloat(style.outlineWidth) >= 2
        && box.width > 0 && box.height > 0 && box.bottom > 0 && box.right > 0,
    };
  });
}

/** Press Tab until the focus is on `text`; every stop on the way must show its focus. */
async function tabTo(page, text, max = 60) {
  const seen = [];
  for (let i = 0; i < max; i++) {
    await page.keyboard.press("Tab");
    const f = await focus(page);
    seen.push(f.text);
    assert.ok(f.visible, `focus on ${f.tag} "${f.text}" is not visible (after ${seen.join(" → ")})`);
    if (f.text === text || (text instanceof RegExp && text.test(f.text))) return;
  }
  throw new Error(`Tab never reached "${text}": ${seen.join(" → ")}`);
}

/** Click `button` and expect a confirmation whose text matches `question`; dismiss it and
 * expect to stay on the same page. */
async function confirmAsked(page, button, question) {
  const before = page.url();
  let onDialog;
  const asked = new Promise((resolve) => {
    onDialog = async (d) => {
      const message = d.message();
      const type = d.type();
      await d.dismiss();
      resolve({ message, type });
    };
    page.once("dialog", onDialog);
  });
  // Not a race with the page's timers: a confirmation opens on the click or never, and
  // without one the form goes through, so this only bounds the wait for a failure.
  let timer;
  const never = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no confirmation before ${before}'s destructive action`)), 10000);
  });
  await button.click();
  const dialog = await Promise.race([asked, never]).finally(() => {
    clearTimeout(timer);
    page.off("dialog", onDialog);
  });
  assert.equal(dialog.type, "confirm");
  assert.match(dialog.message, question);
  await page.waitForLoadState();
  assert.equal(page.url(), before, "dismissing the question keeps the page");
}

test("every workspace page is axe-clean at 1280 and 768 px, keyboard operable, and asks before destroying", { skip: SKIP }, async () => {
  const problems = [];

  // Signed out: the sign-in page, with and without an error.
  const anon = await session(null);
  problems.push(...(await visitAll(anon.page, [["sign-in", "/workspace/login"]])));
  await anon.page.getByLabel("Email").fill("admin@example.com");
  await anon.page.getByLabel("Password").fill("not the password");
  await anon.page.getByRole("button", { name: "Sign in" }).click();
  await anon.page.locator("#login-error").waitFor();
  problems.push(...(await audit(anon.page, "sign-in refused")));
  await anon.context.close();

  const { context, page, errors } = await session("admin@example.com");
  // The skip link is the first stop and moves the focus to the content.
  await tabTo(page, "Skip to content");
  await page.keyboard.press("Enter");
  assert.equal(await page.evaluate(() => document.activeElement?.id), "main");
  await tabTo(page, "New campaign");

  problems.push(...(await visitAll(page, [
    ["list, empty", "/workspace/campaigns"],
    ["new campaign", "/workspace/campaigns/new"],
  ])));

  // A campaign with two versions, so there is a diff, a rollback and a filterable list.
  await page.goto(`${server.url}/workspace/campaigns/new`);
  await tabTo(page, "Create draft");
  await page.getByLabel("announcement", { exact: true }).check();
  await page.getByLabel("Id").fill("launch");
  await page.getByLabel("Name").fill("Launch");
  await page.getByRole("button", { name: "Create draft" }).click();
  await page.getByRole("status").filter({ hasText: "Campaign created as a draft." }).waitFor();
  const v1 = await (await page.request.get(`${server.url}/workspace/api/campaigns/launch/versions/1`)).json();
  const source = v1.source ?? v1.version?.source;
  assert.ok(source, JSON.stringify(v1));
  await api(page, "/workspace/api/campaigns/launch/versions", {
    source: source.replace("New: something worth knowing", "Launch week"),
    note: "retitled",
  });
  await api(page, "/workspace/api/campaigns/launch/versions", {
    source: source.replace("New: something worth knowing", "Launch week, again"),
    note: "retitled again",
  });
  const preview = await api(page, "/workspace/api/campaigns/launch/preview", { source });
  assert.ok(preview.url, JSON.stringify(preview));
  // An API token, so the tokens page has a row to revoke.
  await page.goto(`${server.url}/workspace/tokens`);
  await page.getByLabel("Name").fill("ci");
  await page.getByRole("button", { name: "Create token" }).click();
  await page.locator("#new-token").waitFor();

  problems.push(...(await visitAll(page, [
    ["list", "/workspace/campaigns"],
    ["list, filtered to nothing", "/workspace/campaigns?goal=renewal&owner=nobody"],
    ["list, filtered", "/workspace/campaigns?goal=announcement&stage=service"],
    ["editor", "/workspace/campaigns/launch"],
    ["editor's form", "/workspace/campaigns/launch/form"],
    ["version with diff", "/workspace/campaigns/launch/versions/2"],
    ["version compared", "/workspace/campaigns/launch/versions/3?against=1"],
    ["duplicate", "/workspace/campaigns/launch/duplicate"],
    ["users", "/workspace/users"],
    ["tokens", "/workspace/tokens"],
    ["audit log", "/workspace/audit"],
    ["preview page", preview.url],
    ["preview page, expired", "/workspace/campaigns/launch/preview"],
    ["error page", "/workspace/campaigns/no-such-campaign", 404],
  ])));

  // Keyboard: each page's main action is reachable with Tab, its focus visible.
  for (const [route, action] of [
    ["/workspace/campaigns", /^Duplicate Launch/],
    ["/workspace/campaigns/launch/duplicate", "Create draft copy"],
    ["/workspace/campaigns/launch/versions/1", "Roll back to v1"],
    ["/workspace/users", "Add user"],
    ["/workspace/tokens", "Create token"],
  ]) {
    await page.goto(`${server.url}${route}`);
    await tabTo(page, action);
  }

  // A duplicate made from the list's row.
  await page.goto(`${server.url}/workspace/campaigns`);
  await page.getByRole("link", { name: "Duplicate Launch" }).click();
  assert.equal(await page.getByLabel("Id").inputValue(), "launch-copy");
  await page.getByLabel("Name").fill("Launch copy");
  await page.getByRole("button", { name: "Create draft copy" }).click();
  await page.getByRole("status").filter({ hasText: "Campaign duplicated" }).waitFor();
  assert.match(page.url(), /\/workspace\/campaigns\/launch-copy\?done=campaign_duplicated$/);
  await page.goto(`${server.url}/workspace/campaigns?status=draft`);
  assert.match(await page.locator("table.campaigns").innerText(), /Launch copy[\s\S]*draft/);

  // Destructive actions ask first; dismissing changes nothing.
  await page.goto(`${server.url}/workspace/campaigns/launch/versions/1`);
  await confirmAsked(page, page.getByRole("button", { name: "Roll back to v1" }), /v1/);
  await page.goto(`${server.url}/workspace/campaigns/launch`);
  await confirmAsked(page, page.getByRole("button", { name: /^Archive/ }), /Archive/);
  await page.goto(`${server.url}/workspace/tokens`);
  await confirmAsked(page, page.getByRole("button", { name: /^Revoke/ }), /Revoke ci/);
  await page.goto(`${server.url}/workspace/users`);
  const viewerRow = page.getByRole("row").filter({ hasText: "viewer@example.com" });
  await viewerRow.getByLabel(/New password/).fill("another long password");
  await confirmAsked(page, viewerRow.getByRole("button", { name: /^Reset/ }), /viewer@example.com/);
  await confirmAsked(page, viewerRow.getByRole("button", { name: /^Disable/ }), /viewer@example.com/);
  const versions = await (await page.request.get(`${server.url}/workspace/api/campaigns/launch`)).json();
  assert.equal(JSON.stringify(versions).includes("rollback to v1"), false, "no rollback happened");
  assert.equal(await page.getByRole("row").filter({ hasText: "viewer@example.com" }).getByRole("cell", { name: "active" }).count(), 1);
  await context.close();

  // A viewer: the pages they may read, and the refusal of one they may not.
  const viewer = await session("viewer@example.com");
  await tabTo(viewer.page, "Skip to content");
  problems.push(...(await visitAll(viewer.page, [
    ["viewer: list", "/workspace/campaigns"],
    ["viewer: editor", "/workspace/campaigns/launch"],
    ["viewer: editor's form", "/workspace/campaigns/launch/form"],
    ["viewer: version", "/workspace/campaigns/launch/versions/2"],
    ["viewer: refused page", "/workspace/users", 403],
  ])));
  await viewer.context.close();

  assert.deepEqual(problems, [], problems.join("\n"));
  assert.deepEqual([...errors, ...viewer.errors], []);
});
