// A fault-injecting HTTP proxy on loopback, put between the browser and the collector so
// that delivery can be tested against the network it meets in the wild (issue 12, and the
// chaos soak of issue 19): requests dropped before they reach the collector, connections
// reset after the collector has answered (the event is stored, the browser never hears of
// it: the case that tests exactly-once storage), answers cut off mid-body, and added
// latency. Faults hit the event-ingest route (`POST /v1/events`) unless told to hit every
// request; the widget files, the catalog and the host pages pass through untouched.
//
// Every decision comes from a seeded generator, so a failing run can be replayed with its
// seed. The proxy counts what it did, announces every faultable request (`batch` events,
// with the request's body) and can hold the next one until the test lets it go — that is
// how a test reloads a page while a batch is provably in flight, without guessing a timing.
// It outlives the collector: while nothing listens upstream it answers 502 (or resets the
// connection), and it needs no restart when the collector comes back on the same address.
import { createServer, request as upstreamRequest } from "node:http";
import { EventEmitter } from "node:events";

/** Headers that describe one hop's connection, not the message; never forwarded. */
const HOP_BY_HOP = new Set([
  "connection", "keep-alive", "proxy-connection", "transfer-encoding", "upgrade", "te", "trailer",
  "proxy-authenticate", "proxy-authorization",
]);

/** A small seeded generator (mulberry32): uniform draws in [0, 1). */
export function seeded(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The fault settings, checked: probabilities in [0, 1] that together stay at most 1. */
export function faultSettings({ drop = 0, reset = 0, truncate = 0, latencyMs = 0, scope = "events", down = "502" } = {}) {
  for (const [name, p] of Object.entries({ drop, reset, truncate })) {
    if (!(typeof p === "number" && p >= 0 && p <= 1)) throw new Error(`proxy: ${name} must be a probability in [0, 1], not ${p}`);
  }
  if (drop + reset + truncate > 1) throw new Error(`proxy: drop + reset + truncate is ${drop + reset + truncate}, over 1`);
  const latency = Array.isArray(latencyMs) ? latencyMs : [0, latencyMs];
  if (latency.length !== 2 || !latency.every((n) => Number.isFinite(n) && n >= 0) || latency[0] > latency[1]) {
    throw new Error(`proxy: latencyMs must be a number or [min, max] of milliseconds, not ${JSON.stringify(latencyMs)}`);
  }
  if (!["events", "all"].includes(scope)) throw new Error(`proxy: scope must be "events" or "all", not ${scope}`);
  if (!["502", "reset"].includes(down)) throw new Error(`proxy: down must be "502" or "reset", not ${down}`);
  return { drop, reset, truncate, latency, scope, down };
}

function emptyCounters() {
  return {
    requests: 0, // every request the proxy received
    faultable: 0, // requests on the faulted route(s)
    forwarded: 0, // requests handed to the collector
    dropped: 0, // connection closed before forwarding
    resetAfterAnswer: 0, // collector answered, connection reset instead of delivering it
    truncated: 0, // collector answered, connection reset halfway through the body
    delayed: 0, // requests held back by added latency
    upstreamDown: 0, // the collector could not be reached (answered 502 or reset)
    held: 0, // requests held for a test (`holdNext`)
    heldDiscarded: 0, // held before forwarding, and the browser had gone when released
    answersLost: 0, // the collector answered but the browser had already gone
    abandoned: 0, // the browser closed a connection before its answer (e.g. a page unload)
    status: {}, // status code → answers delivered to the browser
    routes: {}, // "GET /touchpoint.js" → requests received
  };
}

/** Start a proxy on `host:port` (port 0: any free one) forwarding to `upstream` (a base URL).
 * Resolves to the proxy: `{url, counters(), faults(settings), holdNext(), on(), close()}`. */
export async function startProxy({ upstream, host = "127.0.0.1", port = 0, seed = 1, faults = {} }) {
  const target = new URL(upstream);
  let settings = faultSettings(faults);
  const random = seeded(seed);
  const counters = emptyCounters();
  const events = new EventEmitter();
  const holds = [];
  const taken = new Set();
  const sockets = new Set();
  let nextId = 0;

  const faultable = (req) => settings.scope === "all"
    || (req.method === "POST" && new URL(req.url, "http://proxy").pathname === "/v1/events");

  const server = createServer(async (req, res) => {
    counters.requests++;
    const route = `${req.method} ${new URL(req.url, "http://proxy").pathname}`;
    counters.routes[route] = (counters.routes[route] ?? 0) + 1;
    const id = ++nextId;
    // `gone`: the browser closed the connection before its answer was complete; `cut`:
    // the proxy closed it itself (a fault).
    const ex = { req, res, gone: false, cut: false };
    res.on("close", () => {
      if (res.writableFinished || ex.cut) return;
      ex.gone = true;
      counters.abandoned++;
    });
    let body;
    try {
      body = await readAll(req);
    } catch {
      return; // the browser went away while sending
    }
    const info = { id, method: req.method, path: req.url, body: body.toString("utf8") };
    const isFaultable = faultable(req);
    if (isFaultable) {
      counters.faultable++;
      events.emit("batch", info);
    }
    // A hold with a pattern takes the first request whose route matches it; one without
    // takes the next faultable request.
    const at = holds.findIndex((h) => (h.match ? h.match.test(route) : isFaultable));
    if (at >= 0) {
      const [hold] = holds.splice(at, 1);
      counters.held++;
      taken.add(hold);
      hold.released.then(() => taken.delete(hold));
      await hold.take(info, {
        before: async () => {
          if (ex.gone) {
            counters.heldDiscarded++;
            return;
          }
          await forward(ex, body, "all");
        },
        answer: () => forward(ex, body, "all", hold.released),
      });
      return;
    }
    if (!isFaultable) {
      await forward(ex, body, "all");
      return;
    }
    const [min, max] = settings.latency;
    const delay = max > 0 ? min + random() * (max - min) : 0;
    if (delay > 0) {
      counters.delayed++;
      await new Promise((r) => setTimeout(r, delay));
    }
    const draw = random();
    if (draw < settings.drop) {
      counters.dropped++;
      cut(ex);
      return;
    }
    const deliver = draw < settings.drop + settings.reset ? "none"
      : draw < settings.drop + settings.reset + settings.truncate ? "half" : "all";
    await forward(ex, body, deliver);
  });

  function cut(ex) {
    ex.cut = true;
    ex.req.socket.destroy();
  }

  /** Forward one buffered request and deliver the buffered answer: all of it, none of it
   * (reset after the answer arrived), or its head and half its body; after `beforeDeliver`
   * when given (a hold). */
  async function forward(ex, body, deliver, beforeDeliver) {
    const { req, res } = ex;
    counters.forwarded++;
    let answer;
    try {
      answer = await send(req, body);
    } catch {
      counters.upstreamDown++;
      if (ex.gone) return;
      if (settings.down === "reset") {
        cut(ex);
      } else {
        res.writeHead(502, { "content-type": "text/plain; charset=utf-8", connection: "close" })
          .end("bad gateway: the collector is not answering\n");
      }
      return;
    }
    if (beforeDeliver) await beforeDeliver;
    if (ex.gone) {
      counters.answersLost++;
      return;
    }
    if (deliver === "none") {
      counters.resetAfterAnswer++;
      cut(ex);
      return;
    }
    const headers = { ...answer.headers, "content-length": String(answer.body.length) };
    if (deliver === "half") {
      counters.truncated++;
      res.writeHead(answer.status, headers);
      ex.cut = true;
      res.write(answer.body.subarray(0, Math.floor(answer.body.length / 2)), () => req.socket.destroy());
      return;
    }
    counters.status[answer.status] = (counters.status[answer.status] ?? 0) + 1;
    res.writeHead(answer.status, headers).end(answer.body);
  }

  /** One request to the collector on a fresh connection (a pooled one would outlive a
   * collector restart and fail a request that could have gone through). */
  function send(req, body) {
    return new Promise((resolve, reject) => {
      const headers = {};
      for (const [name, value] of Object.entries(req.headers)) {
        if (!HOP_BY_HOP.has(name)) headers[name] = value;
      }
      headers["content-length"] = String(body.length);
      const out = upstreamRequest({
        host: target.hostname, port: target.port, method: req.method, path: req.url, headers, agent: false,
      }, (up) => {
        readAll(up).then((b) => {
          const h = {};
          for (const [name, value] of Object.entries(up.headers)) {
            if (!HOP_BY_HOP.has(name) && name !== "content-length") h[name] = value;
          }
          resolve({ status: up.statusCode, headers: h, body: b });
        }, reject);
      });
      out.on("error", reject);
      out.end(body);
    });
  }

  server.on("connection", (s) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  server.on("clientError", (_, socket) => socket.destroy());
  await new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, resolve);
  });
  const address = server.address();

  return {
    url: `http://${host}:${address.port}`,
    /** A snapshot of what the proxy did so far. */
    counters: () => structuredClone(counters),
    /** Replace the fault settings (e.g. none while a test reads back, then faults again). */
    faults(next) { settings = faultSettings(next); },
    /** Hold the next faultable request, or with `match` (a RegExp over `"GET /path"`) the
     * next request of a matching route: `arrived` resolves with its `{id, method, path,
     * body}` once it is at the proxy; `release()` lets it go. With `phase: "before"` it waits
     * before the collector sees it (and is discarded if the browser has gone by then); with
     * `phase: "answer"` the collector gets it at once and its answer waits. A held request
     * meets no random fault. `cancel()` withdraws a hold that nothing took. */
    holdNext({ phase = "before", match = null } = {}) {
      if (!["before", "answer"].includes(phase)) throw new Error(`proxy: phase must be "before" or "answer", not ${phase}`);
      if (match !== null && !(match instanceof RegExp)) throw new Error("proxy: match must be a RegExp over \"METHOD /path\"");
      let release;
      const released = new Promise((r) => { release = r; });
      let arrive;
      const arrived = new Promise((r) => { arrive = r; });
      const hold = {
        match,
        released,
        release: () => release(),
        async take(info, run) {
          arrive(info);
          if (phase === "before") {
            await released;
            await run.before();
          } else {
            await run.answer();
          }
        },
      };
      holds.push(hold);
      return {
        arrived,
        release: () => release(),
        cancel: () => {
          const i = holds.indexOf(hold);
          if (i >= 0) holds.splice(i, 1);
          release();
        },
      };
    },
    /** `on("batch", fn)`: every faultable request, as it arrives. */
    on: (name, fn) => events.on(name, fn),
    off: (name, fn) => events.off(name, fn),
    async close() {
      for (const h of holds.splice(0)) h.release();
      for (const h of taken) h.release();
      for (const s of sockets) s.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

function readAll(stream) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    stream.on("data", (c) => chunks.push(c));
    stream.on("end", () => resolve(Buffer.concat(chunks)));
    stream.on("error", reject);
    stream.on("aborted", () => reject(new Error("aborted")));
  });
}
