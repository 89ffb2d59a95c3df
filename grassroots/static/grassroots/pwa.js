/* Registers the service worker (grassroots/pwa.py), which shows an offline page instead of the browser's
 * error when a page cannot be loaded. Without service workers the site works as before. */
(function () {
  "use strict";
  if (!("serviceWorker" in navigator) || !window.isSecureContext) return;
  window.addEventListener("load", function () {
    navigator.serviceWorker.register("/sw.js", { scope: "/" }).catch(function () {
      /* a site without the worker still works; nothing to tell the person */
    });
  });
})();
/* At logout the pages kept for offline use are forgotten: they are the person's own. */
(function () {
  "use strict";
  if (!("serviceWorker" in navigator)) return;
  document.addEventListener("submit", function (event) {
    if (!event.target.matches || !event.target.matches("form[data-logout]")) return;
    if (navigator.serviceWorker.controller) navigator.serviceWorker.controller.postMessage({ type: "forget" });
  }, true);
})();
