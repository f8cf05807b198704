// Benchmark (issue 12): what one `touchpoint.track()`, `page()` and `identify()` costs the
// host page's main thread, in real Chromium with the release widget from `cargo xtask build`,
// against a real collector — with an empty queue, and with 900 events queued (the collector
// unreachable from the page, as in an outage, so the queue cannot drain).
//
// Three figures per row, medians over `CALLS` samples, each sample in its own task with the
// page idle in between (a host does not call in a tight loop):
// - `call`: the synchronous time inside one call (`performance.now()` around it; Chromium
//   coarsens that clock to 0.1 ms on a page that is not cross-origin isolated, so this column
//   moves in steps of 0.1 ms);
// - `of 10`: the same, for 10 calls in a row divided by 10 (finer than the clock's step; the
//   calls' deferred work runs after the 10, outside the figure, as it does after one call);
// - `task`: the main thread's busy time per call as Chromium's own counters see it
//   (`Performance.getMetrics` TaskDuration over the whole run, divided by the calls): the
//   call plus everything it sets off on the main thread afterwards (microtasks, the sender's
//   timer, rendering), minus nothing — the floor row shows what the harness itself adds.
// The floor: one bare `localStorage.setItem` of one event's JSON, measured the same way.
//
// Run: `cargo xtask bench` (which builds the widget and the collector first), or, after
// `cargo xtask build` and `cargo build -p touchpoint-server`:
//   TOUCHPOINT_BIN=$CARGO_TARGET_DIR/debug/touchpoint TOUCHPOINT_ROOT=$PWD node tests/e2e/track-cost.bench.mjs
// Not a test (no assertion on time: CI is a loaded 2-core machine); it prints a table.
import { startServer, launchBrowser, ROOT } from "./harness.mjs";
import path from "node:path";

const CALLS = Number(process.env.TP_BENCH_CALLS ?? 60);
const QUEUED = 900;

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

async function taskMs(cdp) {
  const { metrics } = await cdp.send("Performance.getMetrics");
  return 1000 * metrics.find((m) => m.name === "TaskDuration").value;
}

/** Time `CALLS` calls of `what` ("track" | "page" | "identify" | "floor") in `page`. */
async function measure(page, cdp, what) {
  const before = await taskMs(cdp);
  const samples = await page.evaluate(async ({ what, calls }) => {
    const idle = () => new Promise((r) => setTimeout(r, 25));
    const out = [];
    const json = JSON.stringify({ id: "0190a000-0000-7000-8000-000000000000", type: "track", name: "bench", props: { i: 1 } });
    const one = (i) => {
      if (what === "track") window.touchpoint.track("bench_event", { i, plan: "growth" });
      else if (what === "page") window.touchpoint.page();
      else if (what === "identify") window.touchpoint.identify("u_bench", { first_name: "Ada", persona: "bench" }, { account: { id: "acme" } });
      else localStorage.setItem(`bench:floor:${i}`, json);
    };
    const single = [];
    const tens = [];
    for (let i = 0; i < calls; i++) {
      let t0 = performance.now();
      one(i);
      single.push(performance.now() - t0);
      await idle();
      t0 = performance.now();
      for (let k = 0; k < 10; k++) one(1000 + 10 * i + k);
      tens.push((performance.now() - t0) / 10);
      await idle();
    }
    if (what === "floor") for (const k of Object.keys(localStorage).filter((k) => k.startsWith("bench:floor:"))) localStorage.removeItem(k);
    return { single, tens };
  }, { what, calls: CALLS });
  const after = await taskMs(cdp);
  // The idle gaps cost the thread a timer task each; the floor row carries the same.
  return { call: median(samples.single), ten: median(samples.tens), task: (after - before) / (11 * CALLS) };
}

async function ready(page) {
  await page.waitForFunction(() => document.querySelector("touchpoint-widget") !== null, null, { timeout: 30000 });
}

/** The events of this origin's queue in localStorage (today's layout and its predecessor's). */
const queuedCount = (page) => page.evaluate(() => Object.keys(localStorage).filter((k) => /^touchpoint:[^:]+:q[:0-9]/.test(k)).length);

async function scenario(browser, server, { queued }) {
  const context = await browser.newContext();
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send("Performance.enable", { timeDomain: "threadTicks" });
  if (queued) await page.route("**/v1/events**", (r) => r.abort());
  await page.goto(`${server.app}/app/?persona=bench`);
  await ready(page);
  if (queued) {
    // Fill the queue as a host would: by tracking (the journal fills up on the way, too).
    await page.evaluate(async (n) => {
      for (let i = 0; i < n; i++) {
        window.touchpoint.track("backlog", { i });
        if (i % 50 === 49) await new Promise((r) => setTimeout(r, 0));
      }
    }, QUEUED);
    const n = await queuedCount(page);
    if (n < QUEUED) throw new Error(`only ${n} events queued, wanted ${QUEUED}`);
  } else {
    await new Promise((r) => setTimeout(r, 1500)); // let the page's own first events go
  }
  const rows = {};
  for (const what of ["floor", "track", "page", "identify"]) rows[what] = await measure(page, cdp, what);
  rows.queuedAfter = await queuedCount(page);
  await context.close();
  return rows;
}

const server = await startServer({ campaigns: path.join(ROOT, "campaigns") });
const browser = await launchBrowser();
try {
  const empty = await scenario(browser, server, { queued: false });
  const full = await scenario(browser, server, { queued: true });
  const f = (x) => x.toFixed(3).padStart(8);
  console.log(`\ntrack()/page()/identify() main-thread cost, release widget, Chromium (${server.mode}-origin), median of ${CALLS} calls`);
  console.log(`${"call".padEnd(34)}${"empty queue".padStart(30)}${`${QUEUED} queued`.padStart(30)}`);
  const heads = ["call ms", "of 10 ms", "task ms"].map((h) => h.padStart(10)).join("");
  console.log(`${"".padEnd(34)}${heads}${heads}`);
  const label = { floor: "floor: localStorage.setItem(1 event)", track: "track(name, props)", page: "page()", identify: "identify(id, traits, {account})" };
  for (const what of ["floor", "track", "page", "identify"]) {
    const e = empty[what];
    const q = full[what];
    console.log(`${label[what].padEnd(34)}${[e.call, e.ten, e.task, q.call, q.ten, q.task].map((x) => `  ${f(x)}`).join("")}`);
  }
  const ratio = (r, k) => (r.track[k] / r.floor[k]).toFixed(1).padStart(10);
  console.log(`${"ratio track/floor".padEnd(34)}${"".padStart(10)}${ratio(empty, "ten")}${ratio(empty, "task")}${"".padStart(10)}${ratio(full, "ten")}${ratio(full, "task")}`);
  console.log(`events queued at the end: ${empty.queuedAfter} / ${full.queuedAfter}`);
} finally {
  await browser.close();
  await server.stop();
}
