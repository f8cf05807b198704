// The walking skeleton, end to end: the demo page's snippet loads the widget, which fetches
// campaigns, decides, and shows a banner inside its shadow root; clicking the CTA stores
// exactly one `cta` event in the server's SQLite database.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { startServer, launchBrowser, eventually, watchConsole, outputPath, ROOT } from "./harness.mjs";
import { cspHash, inlineBodies } from "./host.mjs";

let server;
let browser;
before(async () => {
  server = await startServer({ campaigns: path.join(ROOT, "tests/e2e/fixtures/campaigns") });
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await server?.stop();
});

test("banner from script tag to database", async () => {
  const page = await browser.newPage();
  const problems = watchConsole(page);
  page.on("response", (r) => { if (r.status() >= 400) problems.push(`HTTP ${r.status()} ${r.url()}`); });
  await page.goto(`${server.app}/app/`);

  const banner = page.locator("touchpoint-banner .tp-banner");
  await banner.waitFor({ state: "visible", timeout: 15000 });
  assert.equal(await banner.getAttribute("data-campaign"), "welcome-banner");
  assert.match(await banner.innerText(), /Welcome to Ledgerly!/);
  // Banners have their own shadow host in the page's flow, here inside the demo's slot (issue 9).
  const inShadow = await page.evaluate(() => {
    const host = document.querySelector("[data-touchpoint-slot] > touchpoint-banner");
    return Boolean(host?.shadowRoot?.querySelector(".tp-banner")) && !document.querySelector(".tp-banner");
  });
  assert.ok(inShadow, "the banner lives in its own shadow root in the host's slot, not in the host DOM");
  await page.screenshot({ path: outputPath("skeleton-banner.png"), animations: "disabled" });

  await banner.getByRole("button", { name: "Create an invoice" }).click();
  await banner.waitFor({ state: "detached", timeout: 5000 });

  const stored = await eventually(async () => {
    const r = await server.events({ campaign_id: "welcome-banner", type: "cta" });
    return r.total >= 1 && r;
  }, 10000, "the cta event to be stored");
  // Give a (wrong) second send a moment to arrive before asserting exactly one.
  await new Promise((r) => setTimeout(r, 500));
  const cta = await server.events({ campaign_id: "welcome-banner", type: "cta" });
  assert.equal(cta.total, 1, `exactly one cta event: ${JSON.stringify(cta.events)}`);
  assert.equal(stored.events[0].user_id, "u_ada", "the event carries the identified user");
  const impressions = await server.events({ campaign_id: "welcome-banner", type: "impression" });
  assert.equal(impressions.total, 1, "exactly one impression");
  // Issue 9: every event carries the tab's session id (it was always null).
  const session = impressions.events[0].session_id;
  assert.match(session ?? "", /^s-[0-9a-f-]{36}$/, "a session id on the impression");
  assert.equal(stored.events[0].session_id, session, "the same session for the click");
  assert.deepEqual(problems, [], "no console errors or warnings");
});

test("dist is served with the right content types and precompressed encodings", async () => {
  // The names come from the build's manifest: the glue, wasm and stylesheet are content-hashed.
  const manifest = JSON.parse(readFileSync(path.join(ROOT, "dist/manifest.json"), "utf8"));
  assert.deepEqual(Object.keys(manifest).sort(), ["css", "glue", "loader", "stub", "wasm"]);
  const served = await fetch(`${server.url}/manifest.json`);
  assert.equal(served.status, 200);
  assert.deepEqual(await served.json(), manifest, "the collector serves the manifest it was built with");
  const year = "public, max-age=31536000, immutable";
  const minutes = "public, max-age=300";
  const cases = [
    [manifest.loader, "text/javascript; charset=utf-8", minutes],
    [manifest.stub, "text/javascript; charset=utf-8", minutes],
    [manifest.glue, "text/javascript; charset=utf-8", year],
    [manifest.wasm, "application/wasm", year],
    [manifest.css, "text/css; charset=utf-8", year],
  ];
  for (const [file, type, cache] of cases) {
    if (cache === year) assert.match(file, /\.[0-9a-f]{8,16}\.(js|wasm|css)$/, `${file} is content-hashed`);
    const onDisk = readFileSync(path.join(ROOT, "dist", file));
    for (const encoding of ["br", "gzip"]) {
      // Loaded by a vendor's page on another origin.
      const headers = { "accept-encoding": encoding, origin: "https://app.vendor.example" };
      const res = await fetch(`${server.url}/${file}`, { headers });
      const what = `${file} (${encoding})`;
      assert.equal(res.status, 200, what);
      assert.equal(res.headers.get("content-type"), type, what);
      assert.equal(res.headers.get("content-encoding"), encoding, `${what} served ${encoding}`);
      assert.equal(res.headers.get("access-control-allow-origin"), "*", what);
      assert.equal(res.headers.get("cross-origin-resource-policy"), "cross-origin", what);
      assert.equal(res.headers.get("cache-control"), cache, what);
      assert.equal(res.headers.get("vary"), "Accept-Encoding", what);
      // fetch decodes the coding: the bytes are the built file's.
      assert.ok(Buffer.from(await res.arrayBuffer()).equals(onDisk), `${what}: the built bytes`);
      const etag = res.headers.get("etag");
      assert.match(etag ?? "", /^"[0-9a-f]+(-br|-gz)?"$/, `${what}: a strong ETag, got ${etag}`);

      const again = await fetch(`${server.url}/${file}`, { headers: { ...headers, "if-none-match": etag } });
      assert.equal(again.status, 304, `${what} revalidates`);
      assert.equal(again.headers.get("etag"), etag, what);
      assert.equal(again.headers.get("access-control-allow-origin"), "*", what);
      assert.equal((await again.arrayBuffer()).byteLength, 0, what);
    }
  }
  const loader = readFileSync(path.join(ROOT, "dist", manifest.loader), "utf8");
  for (const name of [manifest.glue, manifest.wasm, manifest.css]) {
    assert.ok(loader.includes(name), `the loader asks for ${name}`);
  }
  assert.ok(!loader.includes("__TOUCHPOINT_"), "no placeholder is left in the loader");
  const old = await fetch(`${server.url}/touchpoint_widget_bg.wasm`);
  assert.equal(old.status, 404, "no unhashed copy is served");
  const demo = await fetch(`${server.url}/app/`);
  assert.equal(demo.headers.get("cache-control"), "no-cache", "the demo host product is not cached");
});

test("an outage on a later visit starts from the catalog cached on the last one", async (t) => {
  // A server of its own: the first test's click is in the shared one's history.
  const own = await startServer({ campaigns: path.join(ROOT, "tests/e2e/fixtures/campaigns") });
  t.after(() => own.stop());
  const context = await browser.newContext();
  const page = await context.newPage();
  const banner = page.locator("touchpoint-banner .tp-banner");
  await page.goto(`${own.app}/app/`);
  await banner.waitFor({ state: "visible", timeout: 15000 });
  const cached = await page.evaluate(() => localStorage.getItem("touchpoint:pk_demo:catalog"));
  assert.ok(cached && JSON.parse(cached).version === 1, "the compiled catalog is remembered");

  // The collector is unreachable for campaigns now; the next visit still shows the banner.
  await page.route("**/v1/campaigns*", (route) => route.abort("connectionrefused"));
  const problems = watchConsole(page);
  await page.reload();
  await banner.waitFor({ state: "visible", timeout: 15000 });
  assert.ok(problems.some((m) => m.includes("using the ones cached on an earlier visit")), problems.join("\n"));
  await context.close();

  // Without a cached copy the same outage shows nothing: the cache is what made the difference.
  const fresh = await browser.newContext();
  const cold = await fresh.newPage();
  await cold.route("**/v1/campaigns*", (route) => route.abort("connectionrefused"));
  const coldProblems = watchConsole(cold);
  await cold.goto(`${own.app}/app/`);
  await eventually(async () => coldProblems.some((m) => m.includes("cannot load campaigns")), 15000, "the load warning");
  assert.equal(await cold.locator("touchpoint-banner .tp-banner").count(), 0);
  await fresh.close();
});

test("the README's snippet is the demo's, and the CSP hash the README gives is its hash", () => {
  const readme = readFileSync(path.join(ROOT, "README.md"), "utf8");
  const block = readme.match(/Paste into the host page's[\s\S]*?```html\n([\s\S]*?)```/)[1].trim().split("\n");
  assert.equal(block.length, 2, "two lines: the stub and the loader");
  const stub = block[0].match(/^<script>([\s\S]*)<\/script>$/)[1];
  assert.equal(stub, readFileSync(path.join(ROOT, "www/sdk/stub.js"), "utf8").trim().split("\n").pop(), "the inline stub is stub.js");
  const demo = readFileSync(path.join(ROOT, "www/app/index.html"), "utf8");
  assert.deepEqual(inlineBodies(demo).scripts, [stub], "the demo pastes the README's stub as is");
  assert.ok(demo.includes(block[1].replace("https://YOUR-TOUCHPOINT-HOST/", "/").replace("pk_live_...", "pk_demo")), "and its loader tag");
  const documented = readme.match(/'sha256-[A-Za-z0-9+/=]+'/g);
  assert.ok(documented?.length >= 1, "the README names the stub's hash");
  for (const h of documented) assert.equal(h, cspHash(stub), "the documented hash is the stub's");
});

test("without a queue stub, a synchronous loader tag queues the host's first calls itself", async (t) => {
  // A server and browser context of their own: u_ada already used the shared one's banner.
  const own = await startServer({ campaigns: path.join(ROOT, "tests/e2e/fixtures/campaigns") });
  t.after(() => own.stop());
  const context = await browser.newContext();
  t.after(() => context.close());
  const page = await context.newPage();
  const problems = watchConsole(page);
  await page.goto(`${own.app}/app/nostub.html`);
  const banner = page.locator("touchpoint-banner .tp-banner");
  await banner.waitFor({ state: "visible", timeout: 15000 });
  assert.match(await banner.innerText(), /Welcome to Ledgerly!/);
  // demo.js called touchpoint.identify before the widget had loaded: the page view is the
  // identified user's.
  const pages = await eventually(async () => {
    const r = await own.events({ type: "identify", user_id: "u_ada" });
    return r.total >= 1 && r;
  }, 10000, "the identify event");
  assert.ok(pages.total >= 1);
  assert.deepEqual(problems, [], "no console errors or warnings");
});
