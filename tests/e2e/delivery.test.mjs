// Delivery under faults, in real Chromium against a real collector: whatever happens to the
// network, the collector process, the page or the tabs, every event a page records is stored
// exactly once (issue 5: "nothing lost, nothing stored twice"). Each test starts its own
// server with a fresh database and counts the stored rows through the admin API.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import path from "node:path";
import { startServer, launchBrowser, eventually, watchConsole, ROOT } from "./harness.mjs";

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

let browser;
before(async () => {
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
});

/** A fresh server and browser context (so a fresh localStorage); closed after `fn`. */
async function scenario(fn) {
  const server = await startServer({ campaigns: path.join(ROOT, "tests/e2e/fixtures/campaigns") });
  const context = await browser.newContext();
  try {
    await fn({ server, context });
  } finally {
    await context.close();
    await server.stop();
  }
}

/** Open the demo app and wait until the widget has taken over from the queue stub. */
async function open(context, server) {
  const page = await context.newPage();
  const problems = watchConsole(page);
  await page.goto(`${server.app}/app/`);
  await ready(page);
  return { page, problems };
}

async function ready(page) {
  await page.waitForFunction(() => document.querySelector("touchpoint-widget") !== null, null, { timeout: 15000 });
}

/** Record `n` track events in `page`, `perTick` per macrotask (so timers and sends interleave). */
async function track(page, n, { perTick = n, label = "e2e", options } = {}) {
  await page.evaluate(async ({ n, perTick, label, options }) => {
    for (let i = 0; i < n; i++) {
      window.touchpoint.track(label, { i }, options);
      if ((i + 1) % perTick === 0) await new Promise((r) => setTimeout(r, 20));
    }
  }, { n, perTick, label, options });
}

async function stored(server, type = "track") {
  return (await server.events({ type, limit: 1 })).total;
}

/** Wait for exactly `n` stored events of `type`, then make sure no extra one arrives. */
async function expectStoredOnce(server, n, ms = 60000, type = "track") {
  await eventually(async () => (await stored(server, type)) >= n, ms, `${n} stored ${type} events`);
  await sleep(1500);
  assert.equal(await stored(server, type), n, `exactly ${n} ${type} events stored`);
}

/** The events of `type` still queued in this origin's localStorage (any type when null). */
async function queued(page, type = null) {
  return page.evaluate((type) => Object.keys(localStorage)
    .filter((k) => k.includes(":q:"))
    .filter((k) => type === null || JSON.parse(localStorage.getItem(k).slice(1)).type === type)
    .length, type);
}

test("(a) a 10 s network cut while 200 events happen: all stored once after it heals", async () => {
  await scenario(async ({ server, context }) => {
    const { page } = await open(context, server);
    // Let the demo banner's impression through first, so the queue holds only the 200.
    await eventually(async () => (await stored(server, "impression")) >= 1, 10000, "the impression");
    let blocked = 0;
    await page.route("**/v1/events**", (r) => { blocked++; return r.abort(); });
    const cutAt = Date.now();
    for (let i = 0; i < 10; i++) {
      await track(page, 20, { perTick: 5 });
      await sleep(500);
    }
    await sleep(Math.max(0, 10000 - (Date.now() - cutAt)));
    assert.equal(await stored(server), 0, "nothing got through the cut");
    assert.ok(blocked > 0, "the widget tried to send during the cut");
    assert.equal(await queued(page, "track"), 200, "all 200 wait in localStorage");
    await page.unroute("**/v1/events**");
    await expectStoredOnce(server, 200);
    await eventually(async () => (await queued(page)) === 0, 5000, "the queue to empty");
  });
});

test("(b) the collector is killed and restarted mid-stream: all stored once", async () => {
  await scenario(async ({ server, context }) => {
    const { page } = await open(context, server);
    await track(page, 60, { perTick: 10 });
    await eventually(async () => (await stored(server)) > 0, 10000, "the first events to arrive");
    await track(page, 40, { perTick: 10 });
    await server.restart(); // SIGKILL: batches in flight die with it
    await track(page, 60, { perTick: 10 });
    await server.restart();
    await track(page, 40, { perTick: 10 });
    await expectStoredOnce(server, 200);
    await eventually(async () => (await queued(page)) === 0, 5000, "the queue to empty");
  });
});

test("(c) the page is reloaded 10 times mid-flush: all stored once", async () => {
  await scenario(async ({ server, context }) => {
    const { page } = await open(context, server);
    // Reload before the batch timer, while a batch or a pagehide keepalive flush is in flight,
    // and just after one was answered.
    const delays = [0, 1100, 50, 1000, 300, 1200, 0, 900, 1050, 600];
    for (const delay of delays) {
      await track(page, 20, { perTick: 20 });
      await sleep(delay);
      await page.reload();
      await ready(page);
    }
    await expectStoredOnce(server, 200);
    await eventually(async () => (await queued(page)) === 0, 5000, "the queue to empty");
  });
});

test("(d) two tabs producing at once: all stored once, one tab sends", async () => {
  await scenario(async ({ server, context }) => {
    const a = await open(context, server);
    const b = await open(context, server);
    const senders = new Set();
    for (const [name, p] of [["a", a.page], ["b", b.page]]) {
      p.on("request", (r) => { if (r.url().includes("/v1/events")) senders.add(name); });
    }
    await Promise.all([
      track(a.page, 100, { perTick: 5, label: "tab-a" }),
      track(b.page, 100, { perTick: 5, label: "tab-b" }),
    ]);
    await expectStoredOnce(server, 200);
    await eventually(async () => (await queued(a.page)) === 0, 5000, "the queue to empty");
    // The demo page's own impressions also went out; all through the lease holder.
    assert.equal(senders.size, 1, `one tab sent while both lived: ${[...senders]}`);
    assert.deepEqual([...a.problems, ...b.problems], [], "no console warnings");
  });
});

test("the sending tab dies with events queued: the other tab takes over", async () => {
  await scenario(async ({ server, context }) => {
    const a = await open(context, server);
    await eventually(async () => (await stored(server, "impression")) >= 1, 10000, "a's impression");
    // `a` holds the lease now; cut it off so nothing it sends gets through, even on pagehide.
    await a.page.route("**/v1/events**", (r) => r.abort());
    const b = await open(context, server);
    await track(b.page, 30, { label: "orphan" });
    await track(a.page, 30, { label: "orphan" });
    await sleep(1500);
    assert.equal(await stored(server), 0, "the lease holder could not send");
    await a.page.close();
    await expectStoredOnce(server, 60, 20000);
  });
});

test("consent: none records nothing, essential keeps service events, and it is remembered", async () => {
  await scenario(async ({ server, context }) => {
    const { page } = await open(context, server);
    await page.route("**/v1/events**", (r) => r.abort());
    await track(page, 5, { label: "before" });
    await page.evaluate(() => window.touchpoint.consent("none"));
    assert.equal(await queued(page, "track"), 0, "none clears the queue");
    await track(page, 5, { label: "ignored" });
    assert.equal(await queued(page, "track"), 0, "none records nothing");
    await page.evaluate(() => window.touchpoint.consent("essential"));
    await page.reload();
    await ready(page);
    await track(page, 3, { label: "service" });
    await track(page, 4, { label: "marketing", options: { category: "marketing" } });
    assert.equal(await queued(page, "track"), 3, "essential, remembered across a reload, drops marketing");
    await page.unroute("**/v1/events**");
    await expectStoredOnce(server, 3, 20000);
  });
});

test("429 with Retry-After: the widget waits as told, then everything is stored once", async () => {
  await scenario(async ({ server, context }) => {
    const { page } = await open(context, server);
    await eventually(async () => (await stored(server, "impression")) >= 1, 10000, "the impression");
    const attempts = [];
    await page.route("**/v1/events**", (r) => {
      attempts.push(Date.now());
      if (attempts.length <= 2) {
        return r.fulfill({
          status: 429,
          // As the collector answers (crates/server/tests/collector.rs): a page on another
          // origin can read Retry-After only because CORS exposes it.
          headers: {
            "retry-after": "2",
            "content-type": "application/json",
            "access-control-allow-origin": r.request().headers().origin ?? "*",
            "access-control-expose-headers": "ETag, Retry-After",
          },
          body: JSON.stringify({ error: { code: "rate_limited", message: "slow down" } }),
        });
      }
      return r.continue();
    });
    await track(page, 10);
    await expectStoredOnce(server, 10, 20000);
    assert.ok(attempts.length >= 3, `retried: ${attempts.length} attempts`);
    for (const i of [1, 2]) {
      const gap = attempts[i] - attempts[i - 1];
      assert.ok(gap >= 1900, `attempt ${i + 1} came ${gap} ms after the one before, Retry-After said 2 s`);
    }
  });
});

test("a refused batch (400) is dropped with one console warning naming the server's reason", async () => {
  await scenario(async ({ server, context }) => {
    const { page, problems } = await open(context, server);
    await eventually(async () => (await stored(server, "impression")) >= 1, 10000, "the impression");
    let refused = 0;
    await page.route("**/v1/events**", (r) => {
      refused++;
      return r.fulfill({
        status: 400,
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ error: { code: "invalid_event", message: "events[0].type: no such kind" } }),
      });
    });
    await track(page, 5);
    await eventually(async () => refused >= 1 && (await queued(page, "track")) === 0, 10000, "the refused batch to be dropped");
    await sleep(1500);
    assert.equal(refused, 1, "a refused batch is not retried");
    const warnings = problems.filter((p) => p.includes("[touchpoint]"));
    assert.equal(warnings.length, 1, `one warning: ${JSON.stringify(problems)}`);
    assert.match(warnings[0], /events\[0\]\.type: no such kind/);
  });
});

test("hiding the page flushes at once, before the batch timer", async () => {
  await scenario(async ({ server, context }) => {
    const { page } = await open(context, server);
    await eventually(async () => (await stored(server, "impression")) >= 1, 10000, "the impression");
    await sleep(1200); // let any pending batch go; the next 3 events would wait 1 s
    await track(page, 3);
    const sent = page.waitForRequest((r) => r.url().includes("/v1/events"), { timeout: 400 });
    await page.evaluate(() => {
      Object.defineProperty(document, "hidden", { value: true, configurable: true });
      document.dispatchEvent(new Event("visibilitychange"));
    });
    await sent; // well before the 1 s batch timer
    await expectStoredOnce(server, 3, 10000);
  });
});

/** The sending lease in this origin's localStorage (`null` when absent). */
const lease = (page) => page.evaluate(() => JSON.parse(localStorage.getItem("touchpoint:pk_demo:lease") ?? "null"));

test("a page going away with a batch in flight never claims the lease again; the next page sends at once (issue 12)", async () => {
  await scenario(async ({ server, context }) => {
    // In every page: note each failed batch a task after it failed (by then the widget's own
    // error path has run), the lease as the page found it, and when it first sent.
    await context.addInitScript(() => {
      window.__start = { at: performance.now(), wall: Date.now(), lease: localStorage.getItem("touchpoint:pk_demo:lease") };
      window.__failed = 0;
      const fetch = window.fetch;
      window.fetch = function (input, init) {
        const sending = String(input).includes("/v1/events");
        if (sending && window.__firstSend === undefined) window.__firstSend = performance.now();
        const p = fetch.call(this, input, init);
        if (sending) p.catch(() => setTimeout(() => { window.__failed++; }, 0));
        return p;
      };
    });
    const { page } = await open(context, server);
    await eventually(async () => (await lease(page))?.owner, 10000, "the page to hold the lease");
    const held = [];
    await page.route("**/v1/events**", (r) => { held.push(r); }); // no answer comes
    await track(page, 60);
    await eventually(() => held.length >= 1, 10000, "a batch in flight");

    // The mechanism, deterministically: pagehide gives the lease up, then the batch in flight
    // fails (an unload aborts it), and its error path must not claim the lease back.
    await page.evaluate(() => window.dispatchEvent(new PageTransitionEvent("pagehide", { persisted: false })));
    assert.equal(await lease(page), null, "pagehide released the lease");
    const failed = await page.evaluate(() => window.__failed);
    for (const r of held.splice(0)) await r.abort().catch(() => {});
    await page.waitForFunction((n) => window.__failed > n, failed, { timeout: 10000 });
    assert.equal(await lease(page), null, "the departing page did not claim the lease again");

    // A real reload with a batch in flight: the next page finds no live lease of the departed
    // one, and sends as soon as its own claim has settled (the stall was 5 s).
    await page.unroute("**/v1/events**");
    await page.reload();
    await ready(page);
    await eventually(async () => (await queued(page)) === 0, 20000, "the backlog to go");
    const departed = (await eventually(() => lease(page), 10000, "a lease holder")).owner;
    await page.route("**/v1/events**", (r) => { held.push(r); });
    await track(page, 120);
    await eventually(() => held.length >= 1, 10000, "a batch in flight");
    await page.unroute("**/v1/events**");
    await page.reload();
    await ready(page);
    const next = await (await page.waitForFunction(() => window.__firstSend !== undefined && window.__start, null, { timeout: 20000 })).jsonValue();
    const firstSend = await page.evaluate(() => window.__firstSend);
    const found = JSON.parse(next.lease ?? "null");
    assert.ok(!found || found.owner !== departed || found.until <= next.wall, `the next page found the departed page's live lease: ${next.lease}`);
    const delay = firstSend - next.at;
    console.log(`first send of the next page: ${delay.toFixed(0)} ms after its start`);
    assert.ok(delay < 4000, `the next page's first send came ${delay.toFixed(0)} ms after it started (a held lease stalls 5 s)`);
    await expectStoredOnce(server, 180, 30000);
  });
});

test("dropped events are counted once: two tabs past the bound, a lost answer, the rest stored (issue 12)", async () => {
  await scenario(async ({ server, context }) => {
    const a = await open(context, server);
    const b = await open(context, server);
    await eventually(async () => (await stored(server, "impression")) >= 1 && (await queued(a.page)) === 0, 15000, "the pages' own first events to go");
    for (const p of [a.page, b.page]) await p.route("**/v1/events**", (r) => r.abort());
    await Promise.all([
      track(a.page, 700, { perTick: 50, label: "drop-a" }),
      track(b.page, 700, { perTick: 50, label: "drop-b" }),
    ]);
    // The lease holder holds the bound at its next look (once a second while it backs off)
    // and queues one report of what it dropped.
    const report = () => a.page.evaluate(() => Object.keys(localStorage).some((k) => k.includes(":q:") && localStorage.getItem(k).includes("touchpoint:dropped")));
    await eventually(report, 15000, "a drop report in the queue");
    // The first request carrying the report reaches the collector, and its answer is lost.
    let lost = 0;
    for (const p of [a.page, b.page]) {
      await p.unroute("**/v1/events**");
      await p.route("**/v1/events**", async (r) => {
        if (lost === 0 && (r.request().postData() ?? "").includes("touchpoint:dropped")) {
          lost++;
          await r.fetch();
          return r.abort();
        }
        return r.continue();
      });
      await p.evaluate(() => window.dispatchEvent(new Event("online"))); // no backoff wait
    }
    await eventually(async () => (await queued(a.page)) === 0, 60000, "the queue to empty");
    await sleep(1500);
    const tracks = (await server.events({ type: "track", limit: 5000 })).events;
    const kept = tracks.filter((e) => e.name === "drop-a" || e.name === "drop-b").length;
    const reported = tracks.filter((e) => e.name === "touchpoint:dropped").reduce((n, e) => n + e.props.count, 0);
    assert.equal(lost, 1, "one answer was lost");
    assert.ok(reported >= 400, `at least the 400 past the bound were reported dropped: ${reported}`);
    assert.equal(kept + reported, 1400, `stored ${kept} + reported dropped ${reported}: each event once`);
    const stats = await (await fetch(`${server.url}/v1/admin/stats`, { headers: { authorization: "Bearer e2e-admin" } })).json();
    assert.equal(stats.dropped, reported, "the collector counted the resent report once");
    const warnings = (problems) => problems.filter((p) => p.includes("event queue is full")).length;
    assert.ok(warnings(a.problems) <= 1 && warnings(b.problems) <= 1, "one warning per page at most");
    assert.equal(warnings(a.problems) + warnings(b.problems), 1, "the tab that dropped warned");
  });
});

test("the widget's files failing at first: the loader retries them, and what was tracked meanwhile is stored (issue 12)", async () => {
  await scenario(async ({ server, context }) => {
    const kind = (url) => (/\/touchpoint_widget\.[0-9a-f]+\.js$/.test(url.pathname) ? "glue"
      : url.pathname.endsWith(".wasm") ? "wasm"
        : /\/touchpoint\.[0-9a-f]+\.css$/.test(url.pathname) ? "css" : null);
    const failed = { glue: 0, wasm: 0, css: 0 };
    await context.route((url) => kind(url) !== null, (r) => {
      const k = kind(new URL(r.request().url()));
      if (failed[k] < 2) {
        failed[k]++;
        return r.abort("connectionrefused");
      }
      return r.continue();
    });
    const page = await context.newPage();
    const problems = watchConsole(page);
    await page.goto(`${server.app}/app/`);
    await page.evaluate(() => window.touchpoint.track("during_outage", {}));
    await page.waitForFunction(() => document.querySelector("touchpoint-widget") !== null, null, { timeout: 60000 });
    assert.deepEqual(failed, { glue: 2, wasm: 2, css: 2 }, "each file failed twice, then loaded");
    // The stylesheet applies (the element exists before its stylesheet has loaded).
    await page.waitForFunction(() => {
      const root = document.querySelector("touchpoint-widget").shadowRoot.querySelector(".tp-root");
      return root && getComputedStyle(root).getPropertyValue("--_radius").trim() === "8px";
    }, null, { timeout: 20000 });
    await expectStoredOnce(server, 1, 20000);
    assert.deepEqual(problems.filter((p) => p.includes("[touchpoint]")), [], "no warning: the widget is on");
  });
});
