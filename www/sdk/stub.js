/*! Touchpoint queue stub: records calls made before the widget has loaded. Paste it inline
 * (see README) or, under a strict CSP without inline scripts, serve it as this file. */
!function(w,n){var t=w[n]=w[n]||{q:[]};"identify page track show hide on off reset consent".split(" ").forEach(function(m){t[m]=t[m]||function(){t.q.push([m,[].slice.call(arguments)])}})}(window,"touchpoint");
