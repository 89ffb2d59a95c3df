/* A part of a page loaded after it (<div data-fragment="url">): replaced by what the address answers, or left
 * out when it answers nothing. The few such parts on every page do not need htmx (53 KB), which only the pages
 * with live forms load. */
(function () {
  "use strict";
  function load(el) {
    fetch(el.dataset.fragment, { credentials: "same-origin", headers: { Accept: "text/html" } })
      .then(function (r) { return r.ok ? r.text() : ""; })
      .then(function (html) {
        var box = document.createElement("template");
        box.innerHTML = html.trim();
        el.replaceWith(box.content);
      })
      .catch(function () { /* without a signal the page is whole without it */ });
  }
  function start() { document.querySelectorAll("[data-fragment]").forEach(load); }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
