/*! Touchpoint loader. Loaded with <script async src=".../touchpoint.js" data-key="pk_...">.
 * It finds its own script tag, loads the WebAssembly widget from the same folder, swaps the
 * queue stub's methods for real ones, and replays the calls the stub recorded, in order.
 * It never throws into the host page: on any failure it warns once and stays off. */
// The widget's files (JS glue, wasm, stylesheet) are retried with backoff (1, 2, 4, 8 and
// 16 s: about half a minute) when they fail, as in a collector outage during the page's
// load; the stub keeps recording calls meanwhile, in the page's memory (a tab closed before
// the widget starts loses them). Only if they never arrive does it warn and stay off.
(function () {
  "use strict";
  var w = window;
  var tp = (w.touchpoint = w.touchpoint || { q: [] });
  if (tp.loaded) return;
  tp.loaded = true;
  var methods = ["identify", "page", "track", "show", "hide", "on", "off", "reset", "consent"];
  var warned = false;
  function fail(e) {
    if (!warned) {
      warned = true;
      try { console.warn("[touchpoint] disabled:", e); } catch (_) { /* no console */ }
    }
  }
  // `get(n)` for tries n = 0, 1, …, waiting 2^n s after each failure, five retries at most.
  function retry(get, n) {
    return get(n).catch(function (e) {
      if (n > 4) throw e;
      return new Promise(function (r) { setTimeout(r, 1000 << n); }).then(function () { return retry(get, n + 1); });
    });
  }
  try {
    var me = document.currentScript || document.querySelector("script[data-key][src*='touchpoint.js']");
    var base = new URL(".", me.src).href;
    var key = me.getAttribute("data-key");
    var api = me.getAttribute("data-api") || base;
    var css = base + "__TOUCHPOINT_CSS__";
    methods.forEach(function (name) {
      if (typeof tp[name] !== "function") {
        tp[name] = function () { (tp.q = tp.q || []).push([name, [].slice.call(arguments)]); };
      }
    });
    // A failed module import is remembered by the browser: each retry asks for a new URL.
    var glue = retry(function (n) { return import(base + "__TOUCHPOINT_GLUE__" + (n ? "?" + n : "")); }, 0);
    var wasm = glue.then(function (m) {
      return retry(function () { return m.default({ module_or_path: base + "__TOUCHPOINT_WASM__" }); }, 0);
    });
    // Fetched ahead so that the widget's <link> finds it in the HTTP cache; without it the
    // widget still starts, unstyled.
    var style = retry(function () {
      return fetch(css).then(function (r) { if (!r.ok) throw r.status; });
    }, 0).catch(function () {});
    Promise.all([glue, wasm, style])
      .then(function (loaded) {
        var m = loaded[0];
        m.start({ key: key, api: api, css: css, anchorWait: me.getAttribute("data-anchor-wait") });
        var queued = tp.q || [];
        tp.q = [];
        methods.forEach(function (name) {
          tp[name] = function () {
            try { m.command(name, [].slice.call(arguments)); } catch (e) { fail(e); }
          };
        });
        // Then the page view, so that it carries the identity (and consent) the host queued.
        queued.concat([["page", []]]).forEach(function (call) { tp[call[0]].apply(null, call[1]); });
      })
      .catch(fail);
  } catch (e) {
    fail(e);
  }
})();
