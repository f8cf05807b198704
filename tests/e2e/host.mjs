// The vendor's own product on its own origin, as a new customer runs Touchpoint: the demo
// host pages (`www/`) served by a small static server on one loopback address, with the
// README's snippet pointing at the Touchpoint host (the collector, on another address), and
// a strict Content-Security-Policy header on every page. The policy allows exactly what the
// README tells a vendor to allow: the widget origin in `script-src`, `style-src` and
// `connect-src`, `'wasm-unsafe-eval'`, and the page's own inline scripts and styles by hash
// only (the inline queue stub is allowed by its sha256, never by `'unsafe-inline'`).
import { createServer } from "node:http";
import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import path from "node:path";

const TYPES = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".json": "application/json",
};

/** `'sha256-…'` of an inline script or style body, as CSP computes it. */
export function cspHash(text) {
  return `'sha256-${createHash("sha256").update(text, "utf8").digest("base64")}'`;
}

/** The bodies of the page's inline `<script>` (without `src`) and `<style>` elements. */
export function inlineBodies(html) {
  const scripts = [...html.matchAll(/<script(?![^>]*\bsrc=)[^>]*>([\s\S]*?)<\/script>/g)].map((m) => m[1]);
  const styles = [...html.matchAll(/<style[^>]*>([\s\S]*?)<\/style>/g)].map((m) => m[1]);
  return { scripts, styles };
}

/** The policy a vendor sends with a page that embeds the widget from `widget`. */
export function strictPolicy(widget, html = "") {
  const { scripts, styles } = inlineBodies(html);
  return [
    "default-src 'self'",
    `script-src 'self' ${widget} 'wasm-unsafe-eval' ${scripts.map(cspHash).join(" ")}`.trim(),
    `style-src 'self' ${widget} ${styles.map(cspHash).join(" ")}`.trim(),
    `connect-src 'self' ${widget}`,
    "img-src 'self' data:",
    "base-uri 'none'",
    "object-src 'none'",
    "frame-ancestors 'none'",
  ].join("; ");
}

/** The page as the vendor serves it: the snippet's widget URLs point at the Touchpoint host,
 * and a page's own `<meta>` policy names the widget origin beside `'self'`. */
export function embed(html, widget) {
  return html
    .replaceAll('src="/touchpoint.js"', `src="${widget}/touchpoint.js"`)
    .replaceAll('src="/stub.js"', `src="${widget}/stub.js"`)
    .replace(/(<meta http-equiv="Content-Security-Policy" content=")([^"]*)"/, (_, head, policy) =>
      `${head}${policy.replace(/\b(script-src|style-src|connect-src) 'self'/g, `$1 'self' ${widget}`)}"`);
}

/** Start the host product on `127.0.0.1:<free port>`; `widget()` gives the Touchpoint host's
 * origin at request time (the collector starts after the host, so that its config can name
 * the host's origin in `allowed_origins`). */
export async function startHost({ root, widget }) {
  const www = path.join(root, "www");
  const server = createServer(async (req, res) => {
    const url = new URL(req.url, "http://host");
    let file = url.pathname === "/" ? "/app/" : url.pathname;
    if (file.endsWith("/")) file += "index.html";
    // Client-side routes of the demo app (`/app/reports`) are the app's index page.
    if (file.startsWith("/app/") && !path.extname(file)) file = "/app/index.html";
    const full = path.join(www, path.normalize(file));
    if (!full.startsWith(www + path.sep)) {
      res.writeHead(404).end();
      return;
    }
    let body;
    try {
      body = await readFile(full);
    } catch {
      res.writeHead(404, { "content-type": "text/plain" }).end("not found");
      return;
    }
    const type = TYPES[path.extname(full)] ?? "application/octet-stream";
    const headers = { "content-type": type, "cache-control": "no-cache" };
    if (type.startsWith("text/html")) {
      const html = embed(body.toString("utf8"), widget());
      headers["content-security-policy"] = strictPolicy(widget(), html);
      body = Buffer.from(html, "utf8");
    }
    res.writeHead(200, headers).end(body);
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address();
  return {
    origin: `http://127.0.0.1:${port}`,
    close: () => new Promise((resolve) => { server.closeAllConnections(); server.close(resolve); }),
  };
}
