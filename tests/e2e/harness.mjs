// Shared end-to-end harness: start a real `touchpoint serve` on a free loopback port with a
// fresh SQLite file, launch Debian's Chromium through playwright-core, and read back what the
// server stored through its admin API.
//
// Every test file runs in two set-ups, chosen by `TOUCHPOINT_E2E_ORIGIN` (`cargo xtask test`
// runs the suite once in each):
// - `same`: the collector serves the widget, the API and the demo host pages (one origin);
// - `cross`: as a vendor embeds it — the host pages on their own origin (`127.0.0.1:<A>`,
//   see host.mjs, with a strict CSP header), the widget files and the API on the Touchpoint
//   host (`127.0.0.2:<B>`), whose environment lists the host's origin in `allowed_origins`.
// Tests open host pages at `server.app` and talk to the collector at `server.url`.
//
// With `proxy: {seed, faults}` the browser reaches the collector only through the
// fault-injecting proxy of proxy.mjs, on the collector's address but another port: the
// widget files and the API come from the proxy's origin (same: the host pages too), while
// `server.url` stays the collector itself, so the tests' own reads are never faulted.
import { spawn } from "node:child_process";
import { mkdtempSync, mkdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { chromium } from "playwright-core";
import { startHost } from "./host.mjs";
import { startProxy } from "./proxy.mjs";

export const ROOT = process.env.TOUCHPOINT_ROOT ?? path.resolve(import.meta.dirname, "../..");
const BIN = process.env.TOUCHPOINT_BIN ?? path.join(ROOT, "target/debug/touchpoint");
export const OUTPUT = path.join(ROOT, "tests/e2e/output");
const ADMIN = "e2e-admin";

/** `same` or `cross` (see the top of this file). */
export const MODE = process.env.TOUCHPOINT_E2E_ORIGIN ?? "same";
if (!["same", "cross"].includes(MODE)) throw new Error(`TOUCHPOINT_E2E_ORIGIN must be same or cross, not ${MODE}`);

/** Start a server; resolves once it prints its address. `restart()` kills it (SIGKILL, like a
 * crash) and starts it again on the same address and database. In the cross-origin set-up a
 * host product server starts first, on its own origin, and the collector's configuration
 * allows exactly that origin. `database` is a SQLite file (default: a fresh one) or a
 * `postgres://` URL; `proxy` puts the fault-injecting proxy in front (see the top). */
export async function startServer({ campaigns = path.join(ROOT, "campaigns"), database, proxy } = {}) {
  const dir = mkdtempSync(path.join(tmpdir(), "tp-e2e-"));
  const db = database ?? path.join(dir, "events.db");
  let widget = null;
  const host = MODE === "cross" ? await startHost({ root: ROOT, widget: () => widget }) : null;
  const config = host ? path.join(dir, "touchpoint.toml") : null;
  if (config) {
    writeFileSync(config, [
      "[[environments]]",
      'name = "e2e-cross-origin"',
      'key = "pk_demo"',
      `allowed_origins = [${JSON.stringify(host.origin)}]`,
      "",
    ].join("\n"));
  }
  const address = host ? "127.0.0.2" : "127.0.0.1";
  let proc;
  let front = null;
  try {
    proc = await spawnServer({ bind: `${address}:0`, db, campaigns, config });
    if (proxy) front = await startProxy({ upstream: proc.url, host: address, ...proxy });
  } catch (e) {
    await proc?.kill("SIGTERM");
    await host?.close();
    throw e;
  }
  const url = proc.url;
  const logs = [];
  let down = false;
  widget = front?.url ?? url;
  return {
    /** The collector itself (the admin API; never behind the proxy). */
    url,
    /** Where the host product's pages are (`${server.app}/app/`). */
    app: host?.origin ?? widget,
    /** The widget's origin, for a host page's CSP (`script-src 'self' ${server.widgetOrigin}`). */
    widgetOrigin: widget,
    /** The fault-injecting proxy the browser goes through, when asked for. */
    proxy: front,
    mode: MODE,
    db,
    /** Everything the collector wrote (stdout and stderr), over all its restarts. */
    log: () => [...logs, down ? "" : proc.log()].join(""),
    async stop() {
      await front?.close();
      await proc.kill("SIGTERM");
      await host?.close();
    },
    /** Crash the server (SIGKILL) and start it again on the same port and database, after
     * `downMs` without it. */
    async restart({ downMs = 0 } = {}) {
      await this.kill();
      if (downMs > 0) await new Promise((r) => setTimeout(r, downMs));
      await this.start();
    },
    /** Crash the server (SIGKILL) and leave it down until `start()`. */
    async kill() {
      await proc.kill("SIGKILL");
      logs.push(proc.log());
      down = true;
    },
    /** Start the server killed by `kill()` again, on the same port and database. */
    async start() {
      if (!down) throw new Error("start(): the server is running; kill() it first");
      const bind = new URL(url).host;
      let lastError;
      // The port is free as soon as the process is gone; retry briefly in case it is not yet.
      for (let i = 0; i < 20; i++) {
        try {
          proc = await spawnServer({ bind, db, campaigns, config });
          down = false;
          return;
        } catch (e) {
          lastError = e;
          await new Promise((r) => setTimeout(r, 250));
        }
      }
      throw lastError;
    },
    /** Stored events matching the filters, from the admin API (which reads the database). */
    async events(filters = {}) {
      const q = new URLSearchParams(filters).toString();
      const res = await fetch(`${url}/v1/admin/events?${q}`, { headers: { authorization: `Bearer ${ADMIN}` } });
      if (!res.ok) throw new Error(`admin API answered ${res.status}: ${await res.text()}`);
      return res.json();
    },
    /** The collector's counters (`/v1/admin/stats`; they restart with the process). */
    async stats() {
      const res = await fetch(`${url}/v1/admin/stats`, { headers: { authorization: `Bearer ${ADMIN}` } });
      if (!res.ok) throw new Error(`admin API answered ${res.status}: ${await res.text()}`);
      return res.json();
    },
    /** The events clients said their queues dropped, summed over the collector's log lines
     * (`a client queue dropped events before this batch ... dropped=N`), over all restarts. */
    droppedReported() {
      return droppedInLog(this.log());
    },
  };
}

/** Sum the `dropped=N` of the collector's "a client queue dropped events" warnings. */
export function droppedInLog(log) {
  let total = 0;
  for (const line of log.split("\n")) {
    if (!line.includes("dropped events")) continue;
    const m = line.match(/\bdropped[=:]\s*"?(\d+)/);
    if (m) total += Number(m[1]);
  }
  return total;
}

/** Every collector still running; killed when this process exits, however it exits (a test
 * that timed out or threw leaves no server behind). */
const children = new Set();
process.on("exit", () => {
  for (const child of children) child.kill("SIGKILL");
});

async function spawnServer({ bind, db, campaigns, config }) {
  const child = spawn(
    BIN,
    ["serve", "--bind", bind, "--database-url", db, "--campaigns", campaigns,
      "--dist", path.join(ROOT, "dist"), "--www", path.join(ROOT, "www"), "--admin-token", ADMIN,
      ...(config ? ["--config", config] : [])],
    { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, RUST_LOG: "warn" } },
  );
  children.add(child);
  child.on("exit", () => children.delete(child));
  // Both streams: the address is printed on stdout, and so are tracing's log lines.
  let log = "";
  child.stderr.on("data", (d) => { log += d; });
  child.stdout.on("data", (d) => { log += d; });
  const url = await new Promise((resolve, reject) => {
    let out = "";
    const timer = setTimeout(() => reject(new Error(`server did not start in 20 s:\n${log}`)), 20000);
    child.stdout.on("data", (d) => {
      out += d;
      const m = out.match(/listening on (http:\/\/[\d.:]+)/);
      if (m) { clearTimeout(timer); resolve(m[1]); }
    });
    child.on("exit", (code) => { clearTimeout(timer); reject(new Error(`server exited ${code}:\n${log}`)); });
  });
  return {
    url,
    log: () => log,
    async kill(signal) {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const gone = new Promise((r) => child.once("exit", r));
      child.kill(signal);
      await gone;
    },
  };
}

/** Debian's Chromium, headless, with the network-quiet flags these machines need. */
export async function launchBrowser() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
      "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"],
  });
}

/** Poll `fn` until it returns a truthy value or `ms` pass. */
export async function eventually(fn, ms = 10000, what = "condition") {
  const end = Date.now() + ms;
  let last;
  while (Date.now() < end) {
    last = await fn();
    if (last) return last;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out after ${ms} ms waiting for ${what}; last value: ${JSON.stringify(last)}`);
}

/** Record page errors and console warnings/errors so a test can assert there were none. */
export function watchConsole(page) {
  const messages = [];
  page.on("console", (m) => { if (m.type() === "error" || m.type() === "warning") messages.push(`${m.type()}: ${m.text()}`); });
  page.on("pageerror", (e) => messages.push(`pageerror: ${e.message}`));
  return messages;
}

export function outputPath(name) {
  mkdirSync(OUTPUT, { recursive: true });
  return path.join(OUTPUT, name);
}

/** Add a workspace user to the server's database with `touchpoint admin create-user`, the
 * password on stdin (as a script would give it). */
export async function createUser(server, { email, role, password }) {
  const child = spawn(BIN, ["admin", "--database-url", server.db, "create-user", "--email", email, "--role", role],
    { stdio: ["pipe", "pipe", "pipe"] });
  let out = "";
  child.stdout.on("data", (d) => { out += d; });
  child.stderr.on("data", (d) => { out += d; });
  child.stdin.end(`${password}\n`);
  const code = await new Promise((r) => child.on("exit", r));
  if (code !== 0) throw new Error(`create-user exited ${code}: ${out}`);
}
