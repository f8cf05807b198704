// The fault-injecting proxy itself, against a small upstream that counts what reaches it:
// each fault does what chaos.test.mjs relies on (a drop never reaches the collector, a reset
// after the answer does, a hold keeps a request at the proxy until released), it survives the
// upstream going away and coming back, and its settings refuse nonsense by name.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:http";
import { startProxy, faultSettings, seeded } from "./proxy.mjs";

/** An upstream on a free loopback port that answers `{"n": <its count>}` and remembers
 * every request body. `stop()` closes it; `start()` listens again on the same port. */
async function upstream() {
  const seen = [];
  let port = 0;
  let server;
  const start = async () => {
    server = createServer((req, res) => {
      let body = "";
      req.on("data", (d) => { body += d; });
      req.on("end", () => {
        seen.push({ method: req.method, url: req.url, body });
        res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ n: seen.length }));
      });
    });
    await new Promise((r) => server.listen(port, "127.0.0.1", r));
    port = server.address().port;
  };
  await start();
  return {
    get url() { return `http://127.0.0.1:${port}`; },
    seen,
    start,
    stop: () => new Promise((r) => { server.closeAllConnections(); server.close(r); }),
  };
}

/** POST a batch through the proxy: `{status, body}`, or `{error}` when no answer came. */
async function post(proxy, body = "{}", path = "/v1/events?key=pk") {
  try {
    const res = await fetch(`${proxy.url}${path}`, { method: "POST", body });
    return { status: res.status, body: await res.text() };
  } catch (e) {
    return { error: e.cause?.code ?? e.message };
  }
}

test("without faults every request goes through, event route or not", async () => {
  const up = await upstream();
  const proxy = await startProxy({ upstream: up.url });
  try {
    assert.deepEqual(await post(proxy, "a"), { status: 200, body: '{"n":1}' });
    const res = await fetch(`${proxy.url}/healthz`);
    assert.equal(res.status, 200);
    assert.deepEqual(up.seen.map((r) => [r.method, r.url, r.body]), [["POST", "/v1/events?key=pk", "a"], ["GET", "/healthz", ""]]);
    const c = proxy.counters();
    assert.equal(c.requests, 2);
    assert.equal(c.faultable, 1);
    assert.deepEqual(c.status, { 200: 2 });
  } finally {
    await proxy.close();
    await up.stop();
  }
});

test("a drop closes the connection before the collector sees the request", async () => {
  const up = await upstream();
  const proxy = await startProxy({ upstream: up.url, faults: { drop: 1 } });
  try {
    const r = await post(proxy, "lost");
    assert.ok(r.error, `no answer: ${JSON.stringify(r)}`);
    assert.equal(up.seen.length, 0, "the collector never saw it");
    assert.equal(proxy.counters().dropped, 1);
    // Only the event route is faulted by default.
    assert.equal((await fetch(`${proxy.url}/v1/campaigns`)).status, 200);
  } finally {
    await proxy.close();
    await up.stop();
  }
});

test("a reset after the answer: the collector stored it, the client got no answer", async () => {
  const up = await upstream();
  const proxy = await startProxy({ upstream: up.url, faults: { reset: 1 } });
  try {
    const r = await post(proxy, "stored");
    assert.ok(r.error, `no answer: ${JSON.stringify(r)}`);
    assert.deepEqual(up.seen.map((x) => x.body), ["stored"]);
    assert.equal(proxy.counters().resetAfterAnswer, 1);
  } finally {
    await proxy.close();
    await up.stop();
  }
});

test("a truncated answer: head and half the body, then the connection is cut", async () => {
  const up = await upstream();
  const proxy = await startProxy({ upstream: up.url, faults: { truncate: 1 } });
  try {
    const r = await post(proxy, "half");
    assert.ok(r.error, `the body never completes: ${JSON.stringify(r)}`);
    assert.equal(up.seen.length, 1);
    assert.equal(proxy.counters().truncated, 1);
  } finally {
    await proxy.close();
    await up.stop();
  }
});

test("scope all faults every request; latency delays without failing", async () => {
  const up = await upstream();
  const proxy = await startProxy({ upstream: up.url, faults: { drop: 1, scope: "all" } });
  try {
    assert.ok((await fetch(`${proxy.url}/healthz`).then(() => null, (e) => e)) instanceof Error, "a GET is dropped too");
    proxy.faults({ latencyMs: [20, 40] });
    assert.equal((await post(proxy)).status, 200);
    assert.equal(proxy.counters().delayed, 1);
  } finally {
    await proxy.close();
    await up.stop();
  }
});

test("the same seed gives the same faults", async () => {
  const outcomes = async (seed) => {
    const up = await upstream();
    const proxy = await startProxy({ upstream: up.url, seed, faults: { drop: 0.3, reset: 0.3 } });
    try {
      const out = [];
      for (let i = 0; i < 20; i++) out.push((await post(proxy, String(i))).status ?? "x");
      return out.join("");
    } finally {
      await proxy.close();
      await up.stop();
    }
  };
  const a = await outcomes(7);
  assert.equal(await outcomes(7), a);
  assert.match(a, /x/, "some failed");
  assert.match(a, /200/, "some went through");
  const r = seeded(1);
  assert.ok(Array.from({ length: 100 }, r).every((x) => x >= 0 && x < 1));
});

test("the collector away: 502 (or a reset), and requests go through again when it is back", async () => {
  const up = await upstream();
  const proxy = await startProxy({ upstream: up.url });
  try {
    await up.stop();
    const r = await post(proxy);
    assert.equal(r.status, 502);
    proxy.faults({ down: "reset" });
    assert.ok((await post(proxy)).error, "reset while down");
    await up.start();
    assert.equal((await post(proxy, "back")).status, 200);
    assert.equal(proxy.counters().upstreamDown, 2);
  } finally {
    await proxy.close();
    await up.stop();
  }
});

test("holdNext before: the request waits at the proxy until released, then goes through", async () => {
  const up = await upstream();
  const proxy = await startProxy({ upstream: up.url });
  try {
    const hold = proxy.holdNext({ phase: "before" });
    const announced = [];
    proxy.on("batch", (b) => announced.push(b.body));
    const answer = post(proxy, "held");
    const info = await hold.arrived;
    assert.equal(info.body, "held");
    assert.deepEqual(announced, ["held"]);
    assert.equal(up.seen.length, 0, "not forwarded while held");
    hold.release();
    assert.equal((await answer).status, 200);
    assert.equal(up.seen.length, 1);
  } finally {
    await proxy.close();
    await up.stop();
  }
});

test("holdNext before: a client that has gone by the release is never forwarded", async () => {
  const up = await upstream();
  const proxy = await startProxy({ upstream: up.url });
  try {
    const hold = proxy.holdNext({ phase: "before" });
    const abort = new AbortController();
    const answer = fetch(`${proxy.url}/v1/events`, { method: "POST", body: "gone", signal: abort.signal }).catch((e) => e);
    await hold.arrived;
    abort.abort();
    await answer;
    // The proxy learns of the closed socket asynchronously; wait for it, then release.
    for (let i = 0; i < 250 && proxy.counters().abandoned === 0; i++) await new Promise((r) => setTimeout(r, 20));
    assert.equal(proxy.counters().abandoned, 1, "the proxy saw the client go");
    hold.release();
    for (let i = 0; i < 250 && proxy.counters().heldDiscarded === 0; i++) await new Promise((r) => setTimeout(r, 20));
    assert.equal(proxy.counters().heldDiscarded, 1);
    assert.equal(up.seen.length, 0);
  } finally {
    await proxy.close();
    await up.stop();
  }
});

test("holdNext answer: the collector has it at once, the answer waits for the release", async () => {
  const up = await upstream();
  const proxy = await startProxy({ upstream: up.url });
  try {
    const hold = proxy.holdNext({ phase: "answer" });
    let answered = false;
    const answer = post(proxy, "stored first").then((r) => { answered = true; return r; });
    await hold.arrived;
    for (let i = 0; i < 100 && up.seen.length === 0; i++) await new Promise((r) => setTimeout(r, 20));
    assert.equal(up.seen.length, 1, "stored before the answer is let go");
    assert.equal(answered, false);
    hold.release();
    assert.equal((await answer).status, 200);
    const unused = proxy.holdNext();
    unused.cancel();
    assert.equal((await post(proxy)).status, 200, "a cancelled hold holds nothing");
  } finally {
    await proxy.close();
    await up.stop();
  }
});

test("holdNext with a pattern holds a matching route, faultable or not", async () => {
  const up = await upstream();
  const proxy = await startProxy({ upstream: up.url });
  try {
    const hold = proxy.holdNext({ match: /^GET \/glue\.[0-9a-f]+\.js$/ });
    assert.equal((await post(proxy, "not held")).status, 200, "a batch passes a hold for another route");
    const answer = fetch(`${proxy.url}/glue.abc123.js`).then((r) => r.status, (e) => e);
    const info = await hold.arrived;
    assert.equal(info.path, "/glue.abc123.js");
    await up.stop();
    hold.release();
    assert.equal(await answer, 502, "released into an outage: the collector's absence shows");
    assert.deepEqual(proxy.counters().routes, { "POST /v1/events": 1, "GET /glue.abc123.js": 1 });
    assert.throws(() => proxy.holdNext({ match: "/glue" }), /match must be a RegExp/);
  } finally {
    await proxy.close();
  }
});

test("fault settings that make no sense are refused by name", () => {
  assert.throws(() => faultSettings({ drop: 1.5 }), /drop must be a probability/);
  assert.throws(() => faultSettings({ drop: 0.6, reset: 0.6 }), /over 1/);
  assert.throws(() => faultSettings({ latencyMs: [50, 10] }), /latencyMs/);
  assert.throws(() => faultSettings({ scope: "some" }), /scope/);
  assert.throws(() => faultSettings({ down: "404" }), /down/);
});
