/* The workspace's preview host page: the widget's queue stub, then the persona the editor
 * chose (from this tag's data attributes), all consent given, and an explicit show of the
 * previewed campaign. /touchpoint.js, loaded after this file, replays these calls. */
(function () {
  "use strict";
  var me = document.currentScript;
  var t = (window.touchpoint = window.touchpoint || { q: [] });
  "identify page track show hide on off reset consent".split(" ").forEach(function (m) {
    t[m] = t[m] || function () { t.q.push([m, [].slice.call(arguments)]); };
  });
  if (!me || !me.dataset.persona) return;
  var p = JSON.parse(me.dataset.persona);
  t.consent("all");
  t.identify(p.user_id, p.traits || {}, { account: p.account || {} });
  t.show(me.dataset.campaign);
})();
