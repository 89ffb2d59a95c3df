/* Grassroots service worker (grassroots/pwa.py). Generated: {{ cache }}.
 *
 * - The site's scripts, styles and icons, and the offline page, are kept at install (one cache per release:
 *   its name carries a hash of their fingerprinted addresses and of this script, so a release installs a new
 *   worker, which deletes the older caches, kept pages included, when it takes over).
 * - The pages a person needs in the field (the report form with its service types, my tasks and the cases in
 *   them, my reports, visits due with their households and visit forms, an open patrol) and the grid outlines
 *   are fetched from the network and kept as they were last seen, so that they open without signal
 *   (docs/offline.md). They are the person's own: forgotten at logout and when another person
 *   logs in on the phone.
 * - What was written without signal waits in the outbox (outbox-core.js) and is sent on Background Sync.
 */
"use strict";
var CACHE = "{{ cache|escapejs }}";
var PAGES = "{{ pages|escapejs }}";
var OFFLINE = "{{ offline|escapejs }}";
var PRECACHE = [{% for url in precache %}"{{ url|escapejs }}"{% if not forloop.last %}, {% endif %}{% endfor %}];
var FIELD = [{% for url in field %}"{{ url|escapejs }}"{% if not forloop.last %}, {% endif %}{% endfor %}];
var KEPT = [/^\/$/, /^\/cases\/(report|tasks|mine)\/$/, /^\/cases\/\d+\/$/, /^\/people\/visits\/due\/$/,
  /^\/people\/households\/\d+\/(visits\/new\/)?$/, /^\/grids\/patrols\/\d+\/$/, /^\/api\/v1\/areas\/[^/]+\/outlines\.geojson$/];
var FRESH_MS = 15 * 60 * 1000; // a page kept for offline use this recently is not fetched again ahead of use
var HASHED = /\.[0-9a-f]{12}\.[a-z0-9]+$/; // a fingerprinted static file never changes under its name

importScripts("{{ outbox_core|escapejs }}");

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
      return Promise.all(keys.filter(function (key) {
        return key.indexOf("grassroots-") === 0 && key !== CACHE && key !== PAGES;
      }).map(function (key) { return caches.delete(key); }));
    }).then(function () { return self.clients.claim(); })
  );
});

function kept(url) {
  return url.origin === self.location.origin && KEPT.some(function (re) { return re.test(url.pathname); });
}

// From the network, kept for later; without signal, as last kept (or the offline page for a page).
function networkFirst(request, fallback) {
  return fetch(request).then(function (response) {
    var url = new URL(request.url);
    if (response.ok && !response.redirected && response.type === "basic" && kept(url)) {
      var copy = response.clone();
      caches.open(PAGES).then(function (cache) { cache.put(request, copy); });
    }
    return response;
  }).catch(function () {
    return caches.open(PAGES).then(function (cache) { return cache.match(request, { ignoreVary: true }); })
      .then(function (hit) { return hit || caches.match(request); })
      .then(function (hit) { return hit || (fallback ? caches.match(fallback) : undefined); })
      .then(function (hit) { return hit || Response.error(); });
  });
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") return; // every write goes to the server (the outbox sends queued ones)
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.mode === "navigate") {
    event.respondWith(networkFirst(request, OFFLINE));
    return;
  }
  if (PRECACHE.indexOf(url.pathname) !== -1 || FIELD.indexOf(url.pathname) !== -1) {
    if (HASHED.test(url.pathname)) {
      event.respondWith(caches.match(request).then(function (hit) { return hit || fetch(request); }));
    } else {
      event.respondWith(fetch(request).catch(function () { return caches.match(request); }));
    }
    return;
  }
  if (kept(url)) event.respondWith(networkFirst(request, null));
});

var user = null; // who the pages say is logged in; the outbox sends only their items
var WHO = "/__grassroots-user"; // the same, kept with the person's pages (a worker is stopped when idle)

function remembered() {
  if (user !== null) return Promise.resolve(user);
  return caches.open(PAGES).then(function (cache) { return cache.match(WHO); })
    .then(function (hit) { return hit ? hit.text() : null; });
}

self.addEventListener("message", function (event) {
  var message = event.data || {};
  if (message.type === "user") {
    var who = String(message.user);
    // the field pages' scripts and styles, for a person who may open them without signal (mostly from the
    // browser's own cache: the page that says so has just loaded most of them)
    var field = caches.open(CACHE).then(function (cache) {
      return Promise.all(FIELD.map(function (u) {
        return cache.match(u).then(function (hit) { return hit || cache.add(u); });
      }));
    }).catch(function () { return null; });
    // another person on this phone: the pages kept for the one before are forgotten first
    var pages = remembered().then(function (before) {
      user = who;
      return before !== null && String(before) !== who ? caches.delete(PAGES) : null;
    }).then(function () { return caches.open(PAGES); }).then(function (cache) {
      return cache.put(WHO, new Response(who));
    });
    event.waitUntil(Promise.all([field, pages]));
  } else if (message.type === "forget") {
    user = null;
    event.waitUntil(caches.delete(PAGES));
  } else if (message.type === "keep" && Array.isArray(message.urls)) {
    // the cases of my tasks, fetched now so that they open without signal later
    event.waitUntil(caches.open(PAGES).then(function (cache) {
      return Promise.all(message.urls.slice(0, 50).map(function (u) {
        var target = new URL(u, self.location.origin);
        if (!kept(target)) return null;
        return cache.match(target.href).then(function (hit) {
          // kept in the last quarter of an hour: not fetched again (a task list opened often costs nothing)
          var at = hit ? Date.parse(hit.headers.get("Date") || "") : NaN;
          if (hit && Date.now() - at < FRESH_MS) return null;
          return fetch(target.href, { credentials: "same-origin" }).then(function (response) {
            if (response.ok && !response.redirected) return cache.put(target.href, response);
            return null;
          });
        }).catch(function () { return null; });
      }));
    }));
  }
});

self.addEventListener("sync", function (event) {
  if (event.tag !== "outbox") return;
  event.waitUntil(remembered().then(function (who) { return who ? GrassrootsOutbox.flush(who) : null; }));
});
