/* Grassroots service worker: shows a small offline page when a page cannot be loaded; caches nothing else
 * (see grassroots/pwa.py). Generated: {{ cache }}. */
"use strict";
var CACHE = "{{ cache|escapejs }}";
var OFFLINE = "{{ offline|escapejs }}";
var PRECACHE = [{% for url in precache %}"{{ url|escapejs }}"{% if not forloop.last %}, {% endif %}{% endfor %}];

self.addEventListener("install", function (event) {
  event.waitUntil(
    caches.open(CACHE).then(function (cache) { return cache.addAll(PRECACHE); }).then(function () {
      return self.skipWaiting();
    })
  );
});

self.addEventListener("activate", function (event) {
  event.waitUntil(
    caches.keys().then(function (keys) {
      return Promise.all(keys.filter(function (key) { return key !== CACHE; }).map(function (key) {
        return caches.delete(key);
      }));
    }).then(function () { return self.clients.claim(); })
  );
});

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") return; // reports and every other write go to the server as they are
  if (request.mode === "navigate") {
    event.respondWith(fetch(request).catch(function () { return caches.match(OFFLINE); }));
    return;
  }
  if (PRECACHE.indexOf(new URL(request.url).pathname) !== -1) {
    // the offline page's own style sheet and icon: from the network, the cached copy without one
    event.respondWith(fetch(request).catch(function () { return caches.match(request); }));
  }
});
