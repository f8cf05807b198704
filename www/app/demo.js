/* Ledgerly, the demo host product: a tiny single-page app (client-side routes with
 * history.pushState, as real products do) that identifies its user to Touchpoint.
 * Personas for the demo and the tests come from the query string:
 *   ?persona=<name>   who is signed in (campaign fixtures target `user.persona`)
 *   ?locale=ar        the user's locale trait (RTL for Arabic)
 *   ?lang=de          the page's <html lang>
 *   ?late=2000        insert an "Export CSV" button after 2 s (a late tooltip target)
 *   ?hostile=transform one hostile host style from hostile-matrix.css (<html data-hostile>)
 *   ?slot=none        no banner slot: banners go to the top of the body
 * A file, not an inline script, so the strict-CSP page can use it too. */
(function () {
  "use strict";
  var q = new URLSearchParams(location.search);
  // ?lang=de: the page's own language, which the widget uses when identify gives no locale.
  if (q.get("lang")) document.documentElement.lang = q.get("lang");
  if (q.get("hostile")) document.documentElement.setAttribute("data-hostile", q.get("hostile"));
  var slot = document.querySelector("[data-touchpoint-slot]");
  if (slot && q.get("slot") === "none") slot.remove();
  var persona = q.get("persona") || "ada";
  var traits = { first_name: q.get("name") || "Ada", role: "admin", persona: persona };
  if (q.get("locale")) traits.locale = q.get("locale");
  touchpoint.identify(persona === "ada" ? "u_ada" : "u_" + persona + "_" + (q.get("run") || "demo"), traits, {
    account: { id: "acme", plan: "growth", seats: 20, seats_used: 14, contract_start: "2025-12-15", contract_end: "2026-12-15" },
  });

  var views = {
    "/app/": "invoices",
    "/app/index.html": "invoices",
    "/app/csp.html": "invoices",
    "/app/hostile.html": "invoices",
    "/app/nostub.html": "invoices",
    "/app/reports": "reports",
    "/app/customers": "customers",
  };
  function render() {
    var view = views[location.pathname] || "invoices";
    document.querySelectorAll("[data-view]").forEach(function (el) {
      el.hidden = el.getAttribute("data-view") !== view;
    });
    document.title = "Ledgerly — " + view.charAt(0).toUpperCase() + view.slice(1);
  }
  document.addEventListener("click", function (e) {
    var a = e.target.closest && e.target.closest("a[data-route]");
    if (!a) return;
    e.preventDefault();
    history.pushState({}, "", a.getAttribute("href") + location.search);
    render();
  });
  window.addEventListener("popstate", render);
  render();

  var late = Number(q.get("late"));
  if (late > 0) {
    setTimeout(function () {
      var b = document.createElement("button");
      b.id = "export-csv";
      b.className = "secondary";
      b.textContent = "Export CSV";
      document.getElementById("actions").appendChild(b);
    }, late);
  }
})();
