// The CS workspace's editor end to end (issue 13), in real Chromium against a real
// `touchpoint serve` on SQLite: sign in (a wrong password first), create a campaign from a
// template, make deliberate errors in the form (an unknown phase, an ill-typed condition)
// and see each beside its field, fix them, see an error in the source view as it is typed,
// fix it, see the nudge
// in the preview iframe's shadow root (the real widget, unsaved source), publish, and see it
// on the demo product served by the same process on its next page load, without a restart;
// pause takes it off the demo again, rollback brings back the first version's text, a post
// without the CSRF token is refused, and a viewer cannot edit.
// Screenshots of the list, the editor with an error, the preview and the version diff go to
// docs/screenshots/.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { AxeBuilder } from "@axe-core/playwright";
import { startServer, launchBrowser, createUser, ROOT } from "./harness.mjs";

const PASSWORD = "correct horse battery";
const SHOTS = path.join(ROOT, "docs/screenshots");
let server;
let browser;
before(async () => {
  // No campaign files: the database starts empty, so the demo page shows only ours.
  server = await startServer({ campaigns: mkdtempSync(path.join(tmpdir(), "tp-e2e-none-")) });
  await createUser(server, { email: "ed@example.com", role: "editor", password: PASSWORD });
  await createUser(server, { email: "vi@example.com", role: "viewer", password: PASSWORD });
  browser = await launchBrowser();
  mkdirSync(SHOTS, { recursive: true });
});
after(async () => {
  await browser?.close();
  await server?.stop();
});

test("an editor signs in, creates, fixes, previews and publishes a campaign the demo then shows", async () => {
  const context = await browser.newContext({ reducedMotion: "reduce", viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  const problems = [];
  page.on("pageerror", (e) => problems.push(e.message));

  // A wrong password is refused; the right one signs in.
  await page.goto(`${server.url}/workspace/login`);
  await page.getByLabel("Email").fill("ed@example.com");
  await page.getByLabel("Password").fill("wrong password!");
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.locator("#login-error").waitFor({ state: "visible" });
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByRole("heading", { name: "Campaigns", exact: true }).waitFor();
  assert.match(await page.locator(".empty").innerText(), /No campaigns yet/);

  // New campaign from the announcement template.
  await page.getByRole("link", { name: "New campaign" }).first().click();
  await page.getByLabel("announcement", { exact: true }).check();
  await page.getByLabel("Id").fill("e2e-launch");
  await page.getByLabel("Name").fill("E2E launch");
  await page.getByRole("button", { name: "Create draft" }).click();
  await page.getByRole("status").filter({ hasText: "Campaign created as a draft." }).waitFor();
  const source = page.locator("#source");
  const original = await source.inputValue();
  assert.match(original, /id = "e2e-launch"/);

  // The form, with two deliberate errors: an unknown phase and a condition with a type
  // error. The condition is checked as it is typed (its caret and the traits it reads);
  // Check lists each message beside its field and in a summary at the top.
  await page.getByRole("button", { name: "Form", exact: true }).click();
  await page.getByRole("heading", { name: "E2E launch", exact: true }).waitFor();
  const phases = page.getByLabel("Phases", { exact: true });
  const condition = page.getByLabel("Condition", { exact: true });
  await phases.fill("adoption, onbording");
  await condition.fill("account.seats > 'many'");
  const conditionErrors = page.locator("#f-audience-condition-error li");
  await conditionErrors.first().waitFor({ timeout: 5000 });
  assert.match(await page.locator("#f-audience-condition-uses .caret").innerText(), /\^/);
  assert.match(await page.locator("#f-audience-condition-uses .uses").innerText(), /account\.seats/);
  await page.getByRole("button", { name: "Check", exact: true }).click();
  await page.locator("#summary").waitFor();
  assert.match(await page.locator("#f-audience-phases-error").innerText(), /onbording/);
  assert.equal(await phases.getAttribute("aria-invalid"), "true");
  assert.match(await page.locator("#f-audience-condition-error").innerText(), /need numbers, dates or durations/);
  assert.equal(await condition.getAttribute("aria-invalid"), "true");
  assert.match(await page.locator("#summary").innerText(), /2 problems/);
  await page.screenshot({ path: path.join(SHOTS, "editor-error.png"), fullPage: true });
  // The form with its messages is axe-clean, at 1280 px and at 768 px (the framed preview
  // page is a stand-in host product, not the workspace's page).
  for (const width of [1280, 768]) {
    await page.setViewportSize({ width, height: 900 });
    const result = await new AxeBuilder({ page }).exclude("#preview-frame").analyze();
    const found = result.violations.map((v) => `${v.id}: ${v.help} at ${v.nodes.map((n) => n.target).join(", ")}`);
    assert.deepEqual(found, [], `axe at ${width} px`);
  }
  await page.setViewportSize({ width: 1280, height: 900 });

  // Fixed in the form, with a new title: no problems.
  await phases.fill("");
  await condition.fill("account.seats >= 10");
  await page.locator("#f-content-en-title").fill("E2E launch headline");
  // The form's preview follows the unsaved form as it is typed.
  const formFrame = page.frameLocator("#preview-frame");
  await formFrame.locator(".tp-banner").filter({ hasText: "E2E launch headline" }).waitFor({ timeout: 15000 });
  await page.getByRole("button", { name: "Check", exact: true }).click();
  await page.locator("#form-summary .ok").waitFor();
  assert.equal(await page.locator(".field-error").count(), 0);

  // The source view of the same, unsaved: an error typed there is listed with line:column.
  await page.getByRole("button", { name: "Source", exact: true }).click();
  const fromForm = await source.inputValue();
  assert.match(fromForm, /title = "E2E launch headline"/);
  assert.match(fromForm, /condition = "account.seats >= 10"/);
  const broken = fromForm.replace('kind = "banner"', 'kind = "baner"');
  await source.fill(broken);
  const listed = page.locator("#diagnostics .problems li");
  await listed.first().waitFor({ timeout: 5000 });
  const text = await listed.first().innerText();
  assert.match(text, /format/, text);
  const line = broken.split("\n").findIndex((l) => l.includes('"baner"')) + 1;
  assert.match(text, new RegExp(`^${line}:\\d+`), text);

  // Fixed again: the preview shows the unsaved text.
  await source.fill(fromForm);
  await page.locator("#diagnostics .ok").waitFor({ timeout: 5000 });
  const frame = page.frameLocator("#preview-frame");
  await frame.locator(".tp-banner").filter({ hasText: "E2E launch headline" }).waitFor({ timeout: 15000 });
  await page.locator("#preview-frame").scrollIntoViewIfNeeded();
  await page.screenshot({ path: path.join(SHOTS, "editor-preview.png"), fullPage: true });

  // Publish; the demo product shows it on its next page load.
  await page.getByLabel("Note for this version").fill("first launch");
  await page.getByRole("button", { name: "Publish" }).click();
  await page.getByRole("status").filter({ hasText: "Published" }).waitFor();
  const demo = await context.newPage();
  await demo.goto(`${server.app}/app/?persona=ada`);
  await demo.locator(".tp-banner").filter({ hasText: "E2E launch headline" }).waitFor({ timeout: 15000 });

  // The list and the version diff.
  await page.goto(`${server.url}/workspace/campaigns`);
  assert.match(await page.locator("table.campaigns").innerText(), /E2E launch[\s\S]*live/);
  await page.screenshot({ path: path.join(SHOTS, "campaign-list.png"), fullPage: true });
  await page.goto(`${server.url}/workspace/campaigns/e2e-launch/versions/2`);
  assert.match(await page.locator(".diff .added").first().innerText(), /E2E launch headline/);
  await page.screenshot({ path: path.join(SHOTS, "version-diff.png"), fullPage: true });

  // Pause takes it out of the catalog the demo loads next (no restart), and the banner with it.
  await page.goto(`${server.url}/workspace/campaigns/e2e-launch`);
  await page.getByRole("button", { name: "Pause", exact: true }).click();
  await page.getByRole("status").filter({ hasText: /paused/i }).waitFor();
  const catalog = demo.waitForResponse((r) => new URL(r.url()).pathname === "/v1/campaigns" && r.status() === 200);
  await demo.reload();
  assert.doesNotMatch(await (await catalog).text(), /e2e-launch/, "the paused campaign left the catalog");
  assert.equal(await demo.locator(".tp-banner").filter({ hasText: "E2E launch headline" }).count(), 0);

  // Rollback (asked first) publishes the first version's text again as a new version.
  page.once("dialog", (d) => d.accept());
  await page.getByRole("button", { name: "Roll back to v1" }).click();
  await page.getByRole("status").filter({ hasText: "Rolled back" }).waitFor();
  assert.equal(await page.locator("#source").inputValue(), original, "v1's text is back");
  const rows = page.locator("section.history tbody tr");
  assert.equal(await rows.count(), 3, "the rollback is a new version");
  assert.match(await rows.first().innerText(), /^v3/);

  // A form post without the session's CSRF token is refused and changes nothing.
  const forged = await context.request.post(`${server.url}/workspace/campaigns/e2e-launch/state`, {
    form: { state: "archived" },
    headers: { origin: server.url },
    maxRedirects: 0,
  });
  assert.equal(forged.status(), 403, "no CSRF token, no change");
  await page.reload();
  assert.doesNotMatch(await page.locator(".badge").first().innerText(), /archived/);

  // A viewer reads the campaign but cannot edit it: no save buttons, a read-only source, and
  // a post (even with the viewer's own token) is forbidden.
  const viewerContext = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const viewer = await viewerContext.newPage();
  await viewer.goto(`${server.url}/workspace/login`);
  await viewer.getByLabel("Email").fill("vi@example.com");
  await viewer.getByLabel("Password").fill(PASSWORD);
  await viewer.getByRole("button", { name: "Sign in" }).click();
  await viewer.getByRole("heading", { name: "Campaigns", exact: true }).waitFor();
  await viewer.goto(`${server.url}/workspace/campaigns/e2e-launch`);
  assert.equal(await viewer.locator("#source").getAttribute("readonly"), "");
  assert.equal(await viewer.getByRole("button", { name: "Publish" }).count(), 0);
  const csrf = await viewer.evaluate(async () => (await (await fetch("/workspace/api/me")).json()).csrf_token);
  const refused = await viewerContext.request.post(`${server.url}/workspace/campaigns/e2e-launch/state`, {
    form: { state: "archived", csrf },
    headers: { origin: server.url },
    maxRedirects: 0,
  });
  assert.equal(refused.status(), 403, "a viewer may not change a campaign");
  await viewerContext.close();

  assert.deepEqual(problems, []);
  await context.close();
});
