// Delivery under chaos (issue 12; the soak of issue 19 reuses it): two tabs on one origin
// track numbered events at a steady pace through the host API while the fault-injecting
// proxy (proxy.mjs) drops requests and resets connections after the collector has answered,
// the collector is killed and restarted (once while a page is loading the widget), and the
// sending page is reloaded while its batch is provably in flight (the proxy holds it until
// the reload has begun). Kills and reloads take turns, each at a planned share of the
// events, so every run meets the same kinds of trouble whatever the machine's load. Then, once the
// queues have drained, the rows in the real database are counted — not what the widget says:
// every tracked event stored, none twice, and the drops the clients reported equal to the
// real loss. A second case tracks at a high pace without faults.
//
// Sizes come from the environment, so one file is both the quick check in `cargo xtask test`
// (the defaults below) and the long soak behind `cargo xtask soak`:
//   TOUCHPOINT_CHAOS_EVENTS (1000)  TOUCHPOINT_CHAOS_RATE (50 per tab per second)
//   TOUCHPOINT_CHAOS_FAULTS (0.3: half dropped, half reset after the answer)
//   TOUCHPOINT_CHAOS_KILLS (1)      TOUCHPOINT_CHAOS_RELOADS (4)
//   TOUCHPOINT_CHAOS_LOAD_KILLS (1: how many of the kills hit a page while it loads the
//   widget, its browser cache cleared first, as on a first visit or after a release)
//   TOUCHPOINT_CHAOS_DOWN_MS (1000: how long each kill keeps the collector away)
//   TOUCHPOINT_CHAOS_LATENCY_MS (50: up to this much added to each event request)
//   TOUCHPOINT_CHAOS_FAST_EVENTS (2000)  TOUCHPOINT_CHAOS_FAST_RATE (250 per tab per second)
//   TOUCHPOINT_CHAOS_DATABASE (a postgres:// URL; default a fresh SQLite file)
//   TOUCHPOINT_CHAOS_SEED (the proxy's fault sequence; default random, printed)
//   TOUCHPOINT_CHAOS_CASES (chaos,fast)  TOUCHPOINT_CHAOS_STALL_MS (45000: drain gives up
//   after this long without a new row)  TOUCHPOINT_CHAOS_DRAIN_MS (240000: at most, in all)
// Each case prints a table and one `chaos result {...}` JSON line (`cargo xtask soak` reads
// the lines), and leaves the whole result and the collector's log in
// tests/e2e/output/chaos-<origin>-<case>.{json,log}.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import path from "node:path";
import { startServer, launchBrowser, MODE, ROOT, outputPath } from "./harness.mjs";

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** A number from the environment, or `fallback`; anything else is an error naming it. */
function setting(name, fallback, { integer = true, max = Infinity } = {}) {
  const raw = process.env[name];
  if (raw === undefined || raw === "") return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < 0 || n > max || (integer && !Number.isInteger(n))) {
    throw new Error(`${name}=${JSON.stringify(raw)}: expected ${integer ? "a whole number" : "a number"} from 0 to ${max}`);
  }
  return n;
}

const SEED = setting("TOUCHPOINT_CHAOS_SEED", Math.floor(Math.random() * 2 ** 31));
const DATABASE = process.env.TOUCHPOINT_CHAOS_DATABASE || undefined;
const STALL_MS = setting("TOUCHPOINT_CHAOS_STALL_MS", 45000);
const DRAIN_MS = setting("TOUCHPOINT_CHAOS_DRAIN_MS", 240000);
const CASES = (process.env.TOUCHPOINT_CHAOS_CASES || "chaos,fast").split(",").map((c) => c.trim());
for (const c of CASES) if (!["chaos", "fast"].includes(c)) throw new Error(`TOUCHPOINT_CHAOS_CASES: no case ${c} (chaos, fast)`);

const CHAOS = {
  name: "chaos",
  events: setting("TOUCHPOINT_CHAOS_EVENTS", 1000),
  rate: setting("TOUCHPOINT_CHAOS_RATE", 50),
  faults: setting("TOUCHPOINT_CHAOS_FAULTS", 0.3, { integer: false, max: 1 }),
  kills: setting("TOUCHPOINT_CHAOS_KILLS", 1),
  loadKills: setting("TOUCHPOINT_CHAOS_LOAD_KILLS", 1),
  reloads: setting("TOUCHPOINT_CHAOS_RELOADS", 4),
  downMs: setting("TOUCHPOINT_CHAOS_DOWN_MS", 1000),
  latencyMs: setting("TOUCHPOINT_CHAOS_LATENCY_MS", 50),
};
const FAST = {
  name: "fast",
  events: setting("TOUCHPOINT_CHAOS_FAST_EVENTS", 2000),
  rate: setting("TOUCHPOINT_CHAOS_FAST_RATE", 250),
  faults: 0,
  kills: 0,
  loadKills: 0,
  reloads: 0,
  downMs: 0,
  latencyMs: 0,
};
for (const c of [CHAOS, FAST]) if (c.rate === 0 && c.events > 0) throw new Error(`${c.name}: a rate of 0 would never finish`);
if (CHAOS.loadKills > CHAOS.kills) throw new Error(`TOUCHPOINT_CHAOS_LOAD_KILLS (${CHAOS.loadKills}) is more than TOUCHPOINT_CHAOS_KILLS (${CHAOS.kills})`);

let browser;
before(async () => {
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
});

/** A bound on a whole case: generous, only there so a hung run ends with a message. */
function bound(c) {
  const tracking = c.events / (2 * Math.max(c.rate, 1));
  return (tracking * 4 + (c.kills + c.reloads) * 40 + 120) * 1000 + DRAIN_MS;
}

// The instruments first: the drops a client reports are read from the collector's log, and
// the proxy stands between the browser's origin and the collector.
test("the collector's log counts the drops a client reports, across a restart", async () => {
  const server = await startServer({ campaigns: path.join(ROOT, "tests/e2e/fixtures/campaigns"), proxy: {} });
  try {
    const batch = (n, dropped) => fetch(`${server.widgetOrigin}/v1/events?key=pk_demo`, {
      method: "POST",
      headers: { origin: server.app },
      body: JSON.stringify({
        events: [{ id: `0190f3a0-0000-7000-8000-${String(n).padStart(12, "0")}`, type: "track", ts: Date.now(), name: "x", anonymous_id: "a" }],
        dropped,
      }),
    });
    assert.equal((await batch(1, 7)).status, 200);
    await server.restart();
    assert.equal((await batch(2, 5)).status, 200);
    assert.equal((await batch(3, 0)).status, 200);
    assert.equal(server.droppedReported(), 12, `the collector logged: ${server.log()}`);
    assert.equal(server.proxy.counters().faultable, 3, "the batches went through the proxy");
  } finally {
    await server.stop();
  }
});

for (const c of [CHAOS, FAST]) {
  const title = c.name === "chaos"
    ? `chaos: 2 tabs × ${c.rate}/s, ${Math.round(c.faults * 100)}% faults, ${c.kills} kills, ${c.reloads} reloads mid-flush, ${c.events} events: all stored once, drops reported = lost`
    : `fast: 2 tabs × ${c.rate}/s asked, no faults, ${c.events} events: all stored once, nothing lost`;
  test(title, { skip: !CASES.includes(c.name), timeout: bound(c) }, () => runCase(c));
}

/** One case from start to verdict; every process and page is closed even when it fails. */
async function runCase(c) {
  const run = `${Date.now().toString(36)}${Math.floor(Math.random() * 1e6).toString(36)}`;
  const user = `u_chaos_${run}`;
  const half = c.faults / 2;
  const server = await startServer({
    campaigns: path.join(ROOT, "tests/e2e/fixtures/campaigns"),
    database: DATABASE,
    proxy: { seed: SEED, faults: { drop: half, reset: half, latencyMs: [0, c.latencyMs] } },
  });
  const context = await browser.newContext();
  try {
    const result = await chaos({ c, server, context, run, user });
    report(c, result);
    verdict(c, result);
  } finally {
    await context.close().catch(() => {});
    await server.stop();
    // The collector's own log (warnings, over all its lives), beside the result.
    writeFileSync(outputPath(`chaos-${MODE}-${c.name}.log`), server.log());
  }
}

/** Drive the case and count the database's rows. */
async function chaos({ c, server, context, run, user }) {
  const url = `${server.app}/app/?persona=chaos&run=${run}`;
  // Which page sent a given batch body (the proxy tells the body, Playwright the page).
  const senders = new Map();
  // When any tab sent a batch, and when each mid-flush reload had its new page: the wait
  // from one to the next is the stall issue 12 saw (reported, not asserted: it is a time).
  const sends = [];
  const reloadedAt = [];
  const tabs = [];
  for (const name of ["a", "b"]) {
    const page = await context.newPage();
    const tab = { name, page, lock: Promise.resolve(), loads: 0, warnings: [] };
    // The widget's own console lines ("[touchpoint] ..."), for a failure's diagnosis.
    page.on("console", (m) => {
      if (m.text().includes("[touchpoint]") && tab.warnings.length < 20) tab.warnings.push(m.text().slice(0, 300));
    });
    page.on("request", (r) => {
      if (r.method() !== "POST" || !r.url().includes("/v1/events")) return;
      sends.push(performance.now());
      const body = r.postData();
      if (body === null) return;
      senders.set(body, tab);
      if (senders.size > 500) senders.delete(senders.keys().next().value);
    });
    await page.goto(url, { waitUntil: "domcontentloaded" });
    if (!(await widgetReady(page))) throw new Error(`tab ${name}: the widget did not start on the first load`);
    tabs.push(tab);
  }

  const plan = disruptions(c);
  // The trackers never run more than a second's worth of events past a disruption that has
  // not finished, so a reload always finds batches flowing and none waits for a pace it
  // cannot see.
  const slack = Math.max(10, 2 * c.rate);
  const state = {
    next: 0,
    tracked: 0,
    gate: plan.length > 0 ? plan[0].at + slack : Infinity,
    aborted: null,
    startedAt: performance.now(),
  };
  const done = {
    kills: 0, loadKills: 0, loadKillsMissed: 0, reloadsInFlight: 0, reloadsIdle: 0, heldBefore: 0, heldAnswer: 0, unreadyLoads: 0,
  };
  const disrupt = (async () => {
    for (let k = 0; k < plan.length; k++) {
      const d = plan[k];
      while (state.tracked < d.at && !state.aborted) await sleep(10);
      if (state.aborted) return;
      state.gate = state.tracked + slack;
      if (d.kind === "kill") {
        await server.restart({ downMs: c.downMs });
        done.kills++;
      } else if (d.kind === "kill-load") {
        await killDuringLoad({ server, tab: tabs[1], downMs: c.downMs, done });
        done.kills++;
      } else {
        reloadedAt.push(await reloadMidFlush({ server, tabs, senders, index: d.n, done }));
      }
      state.gate = k + 1 < plan.length ? Math.max(plan[k + 1].at, state.tracked) + slack : Infinity;
    }
  })().catch((e) => {
    state.aborted ??= e;
    throw e;
  });
  const share = (i) => Math.floor(c.events / 2) + (i === 0 ? c.events % 2 : 0);
  let tracked;
  try {
    tracked = await Promise.all(tabs.map((tab, i) => drive({ tab, share: share(i), rate: c.rate, run, state }).catch((e) => {
      state.aborted ??= e;
      throw e;
    })));
  } finally {
    await disrupt.catch(() => {});
  }
  if (state.aborted) throw state.aborted;
  const trackedAt = performance.now();

  const seqs = tracked.flat();
  const count = async () => (await server.events({ type: "track", user_id: user, limit: 1 })).total;
  const drained = await drain(count, seqs.length);
  // No batch for 2 s: nothing more is on its way (a late second copy would show now).
  await quiet(server.proxy, 2000, 30000);
  const rows = (await server.events({ type: "track", user_id: user, limit: seqs.length + 1000 })).events
    .filter((e) => e.name === "chaos" && e.props?.run === run);
  const stats = await server.stats();
  const finishedAt = performance.now();
  const storage = await storageSummary(tabs[0].page);

  const trackedSet = new Set(seqs);
  const perSeq = new Map();
  for (const e of rows) perSeq.set(e.props.seq, (perSeq.get(e.props.seq) ?? 0) + 1);
  const ids = new Set(rows.map((e) => e.id));
  const lost = seqs.filter((s) => !perSeq.has(s)).sort((x, y) => x - y);
  const lostByTab = Object.fromEntries(tabs.map((t, i) => [t.name, tracked[i].filter((s) => !perSeq.has(s)).length]));
  const twice = [...perSeq].filter(([, n]) => n > 1).map(([s]) => s).sort((x, y) => x - y);
  const strangers = [...perSeq.keys()].filter((s) => !trackedSet.has(s));
  const trackingSeconds = (trackedAt - state.startedAt) / 1000;
  const gaps = reloadedAt.map((t) => sends.find((x) => x > t)).map((x, i) => (x === undefined ? null : Math.round(x - reloadedAt[i])));
  return {
    case: c.name,
    mode: MODE,
    database: DATABASE ? "postgres" : "sqlite",
    seed: SEED,
    tracked: seqs.length,
    stored: rows.length,
    lost: lost.length,
    lostByTab,
    twice: rows.length - perSeq.size,
    droppedReported: server.droppedReported(),
    rateAsked: 2 * c.rate,
    rateReached: Math.round(seqs.length / Math.max(trackingSeconds, 0.001)),
    trackingSeconds: round(trackingSeconds),
    drainSeconds: round((drained.at - trackedAt) / 1000),
    drained: drained.ok,
    elapsedSeconds: round((finishedAt - state.startedAt) / 1000),
    proxy: server.proxy.counters(),
    collector: stats,
    ...done,
    firstSendAfterReloadMs: gaps,
    storage,
    warnings: Object.fromEntries(tabs.map((t) => [t.name, t.warnings])),
    lostSeqs: lost,
    twiceSeqs: twice,
    strangers,
    distinctIds: ids.size,
  };
}

/** What the origin's localStorage holds at the end, for a failure's diagnosis only (the
 * widget's storage layout is its own business; nothing is asserted on it): how many keys of
 * each kind under `touchpoint:<key>:`, and the lease. */
async function storageSummary(page) {
  return page.evaluate(() => {
    const kinds = {};
    let lease = null;
    for (const k of Object.keys(localStorage)) {
      const m = k.match(/^touchpoint:[^:]+:([^:]+)/);
      const kind = m ? m[1] : "(other)";
      kinds[kind] = (kinds[kind] ?? 0) + 1;
      if (kind === "lease") lease = localStorage.getItem(k);
    }
    return { kinds, lease, now: Date.now() };
  }).catch((e) => ({ error: e.message }));
}

/** When to kill the collector and when to reload, spread evenly over the events. */
function disruptions(c) {
  const plan = [];
  for (let i = 0; i < c.kills; i++) {
    plan.push({ kind: i < c.loadKills ? "kill-load" : "kill", at: Math.floor((c.events * (i + 1)) / (c.kills + 1)), n: i });
  }
  for (let i = 0; i < c.reloads; i++) plan.push({ kind: "reload", at: Math.floor((c.events * (i + 1)) / (c.reloads + 1)), n: i });
  return plan.sort((x, y) => x.at - y.at || (x.kind === "reload" ? 1 : -1));
}

/** Run `fn` alone on a tab: a reload and a tracking call never overlap, so every call the
 * driver counts as tracked reached a live page. */
function exclusive(tab, fn) {
  const next = tab.lock.then(fn);
  tab.lock = next.catch(() => {});
  return next;
}

/** Track this tab's share at `rate` per second: a credit grows with the time that passed
 * (at most a tenth of a second's worth, so a pause is not made up in a burst) and each call
 * spends it. Every event carries a sequence number unique over both tabs. */
async function drive({ tab, share, rate, run, state }) {
  const mine = [];
  const burst = Math.max(1, Math.ceil(rate / 10));
  let credit = 0;
  let last = performance.now();
  while (mine.length < share) {
    if (state.aborted) throw new Error(`tab ${tab.name}: stopped, another part of the run failed`);
    const now = performance.now();
    credit = Math.min(burst, credit + (rate * (now - last)) / 1000);
    last = now;
    const room = Math.max(0, state.gate - state.tracked);
    const n = Math.min(Math.floor(credit), share - mine.length, room);
    if (n > 0) {
      credit -= n;
      const seqs = Array.from({ length: n }, () => state.next++);
      await exclusive(tab, () => tab.page.evaluate(({ seqs, run, name }) => {
        for (const seq of seqs) window.touchpoint.track("chaos", { run, seq, tab: name });
      }, { seqs, run, name: tab.name })).catch((e) => {
        throw new Error(`tab ${tab.name}: tracking seq ${seqs[0]}–${seqs.at(-1)} failed: ${e.message}`);
      });
      mine.push(...seqs);
      state.tracked += n;
    }
    await sleep(10);
  }
  return mine;
}

/** Whether the widget took over on this page within `ms`. */
async function widgetReady(page, ms = 20000) {
  try {
    await page.waitForFunction(() => document.querySelector("touchpoint-widget") !== null, null, { timeout: ms });
    return true;
  } catch {
    return false;
  }
}

/** Reload the page that sent the next batch while the proxy holds that batch: before the
 * collector sees it (even-numbered reloads) or after it stored it and before its answer
 * reaches the page (odd-numbered). Resolves with the moment the new page had loaded. */
async function reloadMidFlush({ server, tabs, senders, index, done }) {
  const phase = index % 2 === 0 ? "before" : "answer";
  const hold = server.proxy.holdNext({ phase });
  const info = await Promise.race([hold.arrived, sleep(30000).then(() => null)]);
  let tab = tabs[index % tabs.length];
  if (info === null) {
    hold.cancel();
    done.reloadsIdle++;
  } else {
    done.reloadsInFlight++;
    done[phase === "before" ? "heldBefore" : "heldAnswer"]++;
    for (let i = 0; i < 50 && !senders.has(info.body); i++) await sleep(20);
    tab = senders.get(info.body) ?? tab;
  }
  try {
    await exclusive(tab, async () => {
      await tab.page.reload({ waitUntil: "domcontentloaded", timeout: 30000 });
      await tab.page.waitForFunction(() => typeof window.touchpoint?.track === "function", null, { timeout: 10000 });
    });
  } finally {
    hold.release();
  }
  const at = performance.now();
  tab.loads++;
  if (!(await widgetReady(tab.page))) done.unreadyLoads++;
  return at;
}

/** The collector dies while a page loads the widget: the tab's browser cache is cleared
 * (a first visit, or the first after a release), the page reloaded, and its request for
 * the widget's JS glue held at the proxy until the collector is gone, so it fails for sure;
 * the collector comes back `downMs` later. The page keeps being tracked meanwhile. */
async function killDuringLoad({ server, tab, downMs, done }) {
  const hold = server.proxy.holdNext({ phase: "before", match: /^GET \/touchpoint_widget\.[^/]*\.js$/ });
  const cdp = await tab.page.context().newCDPSession(tab.page);
  await cdp.send("Network.clearBrowserCache");
  await cdp.detach();
  try {
    await exclusive(tab, async () => {
      await tab.page.reload({ waitUntil: "domcontentloaded", timeout: 30000 });
      await tab.page.waitForFunction(() => typeof window.touchpoint?.track === "function", null, { timeout: 10000 });
    });
    tab.loads++;
    const info = await Promise.race([hold.arrived, sleep(30000).then(() => null)]);
    if (info === null) done.loadKillsMissed++;
    else done.loadKills++;
    await server.kill();
  } finally {
    hold.release();
  }
  await sleep(downMs);
  await server.start();
  if (!(await widgetReady(tab.page, 30000))) done.unreadyLoads++;
}

/** Wait until `want` rows are stored; give up after STALL_MS without a new one, or DRAIN_MS. */
async function drain(count, want) {
  const start = Date.now();
  let best = -1;
  let progressAt = start;
  for (;;) {
    const n = await count();
    const now = Date.now();
    if (n >= want) return { ok: true, at: performance.now() };
    if (n > best) {
      best = n;
      progressAt = now;
    }
    if (now - progressAt > STALL_MS || now - start > DRAIN_MS) return { ok: false, at: performance.now() };
    await sleep(250);
  }
}

/** Wait until the proxy has seen no event request for `quietMs` (at most `ms`). */
async function quiet(proxy, quietMs, ms) {
  const end = Date.now() + ms;
  let seen = proxy.counters().faultable;
  let since = Date.now();
  while (Date.now() < end) {
    await sleep(100);
    const now = proxy.counters().faultable;
    if (now !== seen) {
      seen = now;
      since = Date.now();
    } else if (Date.now() - since >= quietMs) {
      return;
    }
  }
}

const round = (x) => Math.round(x * 10) / 10;

function report(c, r) {
  const p = r.proxy;
  const faults = `${p.dropped} dropped + ${p.resetAfterAnswer} reset`;
  const rows = [
    ["case", `${r.case} (${r.mode}-origin, ${r.database}, seed ${r.seed})`],
    ["tracked", `${r.tracked} (asked ${r.rateAsked}/s, reached ${r.rateReached}/s over ${r.trackingSeconds} s)`],
    ["stored", `${r.stored}${r.drained ? "" : " (drain gave up)"}`],
    ["lost", `${r.lost} (${Object.entries(r.lostByTab).map(([t, n]) => `tab ${t}: ${n}`).join(", ")})`],
    ["twice", String(r.twice)],
    ["dropped reported", String(r.droppedReported)],
    ["proxy faults", `${faults} of ${p.faultable} event requests (${p.delayed} delayed, ${p.upstreamDown} while the collector was down)`],
    ["kills / reloads", `${r.kills} (${r.loadKills} during a page's load) / ${r.reloadsInFlight} mid-flush (${r.heldBefore} held before the collector, ${r.heldAnswer} after it answered), ${r.reloadsIdle} idle`],
    ["left in storage", JSON.stringify(r.storage)],
    ["widget warnings", Object.entries(r.warnings).map(([t, w]) => `tab ${t}: ${w.length ? w.join(" | ") : "none"}`).join("; ")],
    ["first send after", `each reload: ${r.firstSendAfterReloadMs.map((g) => (g === null ? "none" : `${g} ms`)).join(", ") || "-"}`],
    ["elapsed", `${r.elapsedSeconds} s (drain ${r.drainSeconds} s)`],
  ];
  const width = Math.max(...rows.map(([k]) => k.length));
  console.log(rows.map(([k, v]) => `  ${k.padEnd(width)}  ${v}`).join("\n"));
  const { lostSeqs, twiceSeqs, ...line } = r;
  console.log(`chaos result ${JSON.stringify({ ...line, lostSeqs: lostSeqs.slice(0, 100), twiceSeqs: twiceSeqs.slice(0, 100) })}`);
  writeFileSync(outputPath(`chaos-${r.mode}-${r.case}.json`), JSON.stringify(r, null, 2));
}

const few = (xs) => (xs.length > 40 ? `${xs.slice(0, 40).join(", ")}, … (${xs.length} in all)` : xs.join(", "));

function verdict(c, r) {
  // First, that the run was the run asked for: a chaos test without chaos proves nothing.
  if (c.faults > 0) {
    assert.ok(r.proxy.dropped > 0 && r.proxy.resetAfterAnswer > 0,
      `the proxy injected faults (dropped ${r.proxy.dropped}, reset after answer ${r.proxy.resetAfterAnswer})`);
  }
  assert.equal(r.kills, c.kills, "every planned collector kill happened");
  assert.equal(r.loadKillsMissed, 0, "every kill meant for a page's load caught the widget's glue request");
  assert.equal(r.reloadsInFlight + r.reloadsIdle, c.reloads, "every planned reload happened");
  assert.equal(r.reloadsIdle, 0, `every reload came while a batch was in flight (${r.reloadsIdle} found none within 30 s)`);
  assert.equal(r.tracked, c.events, "every event was tracked");
  assert.deepEqual(r.strangers, [], "no stored event carries a sequence number that was never tracked");
  // Then the promise: at-least-once from the browser, exactly-once storage, honest drops.
  const where = Object.entries(r.lostByTab).map(([t, n]) => `tab ${t}: ${n}`).join(", ");
  assert.equal(r.lost, 0, `${r.lost} of ${r.tracked} tracked events never stored (${where}; ${r.unreadyLoads} page loads where the widget never started): seq ${few(r.lostSeqs)}`);
  assert.equal(r.twice, 0, `${r.twice} extra copies stored: seq ${few(r.twiceSeqs)}`);
  assert.equal(r.distinctIds, r.stored, "every stored row has its own event id");
  assert.equal(r.droppedReported, r.lost, `the clients reported ${r.droppedReported} dropped events; ${r.lost} were lost`);
  assert.equal(r.unreadyLoads, 0, `the widget started after every reload (${r.unreadyLoads} loads without it)`);
}
