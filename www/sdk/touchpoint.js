/*! Touchpoint loader. Loaded with <script async src=".../touchpoint.js" data-key="pk_...">.
 * It finds its own script tag, loads the WebAssembly widget from the same folder, swaps the
 * queue stub's methods for real ones, and replays the calls the stub recorded, in order.
 * It never throws into the host page: on any failure it warns once and stays off. */
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
  try {
    var me = document.currentScript || document.querySelector("script[data-key][src*='touchpoint.js']");
    var base = new URL(".", me.src).href;
    var key = me.getAttribute("data-key");
    var api = me.getAttribute("data-api") || base;
    methods.forEach(function (name) {
      if (typeof tp[name] !== "function") {
        tp[name] = function () { (tp.q = tp.q || []).push([name, [].slice.call(arguments)]); };
      }
    });
    import(base + "__TOUCHPOINT_GLUE__")
      .then(function (m) {
        return m.default({ module_or_path: base + "__TOUCHPOINT_WASM__" }).then(function () {
          m.start({ key: key, api: api, css: base + "__TOUCHPOINT_CSS__", anchorWait: me.getAttribute("data-anchor-wait") });
          var queued = tp.q || [];
          tp.q = [];
          methods.forEach(function (name) {
            tp[name] = function () {
              try { m.command(name, [].slice.call(arguments)); } catch (e) { fail(e); }
            };
          });
          // Then the page view, so that it carries the identity (and consent) the host queued.
          queued.concat([["page", []]]).forEach(function (call) { tp[call[0]].apply(null, call[1]); });
        });
      })
      .catch(fail);
  } catch (e) {
    fail(e);
  }
})();
