/* The phone's outbox: reports and case actions written without signal wait here (IndexedDB, photos as
 * blobs) and are sent when the signal returns, by the page (outbox.js: at once, on the next page load, when the
 * browser says it is online, or on a tap) or by the service worker (Background Sync, where the browser has
 * it). Shared by both; no DOM here.
 *
 * Every item carries its idempotency key (a report) or the version it was based on (an action), so the
 * server makes one case however often an item is sent, and a case someone else changed first is refused
 * (the refusal's words are kept and shown), never applied over their change. Only one sender at a time takes
 * an item (a lease in the database), so a page and the service worker never send the same item together.
 */
var GrassrootsOutbox = (function () {
  "use strict";

  var DB = "grassroots-outbox";
  var STORE = "items";
  var LEASE_MS = 120000; // a sender that vanished mid-send (page closed) gives the item back after this
  var KEEP_SENT_MS = 24 * 3600 * 1000; // what was sent stays listed (with its case) for a day

  function open() {
    return new Promise(function (resolve, reject) {
      var request = indexedDB.open(DB, 1);
      request.onupgradeneeded = function () {
        request.result.createObjectStore(STORE, { keyPath: "key" });
      };
      request.onsuccess = function () { resolve(request.result); };
      request.onerror = function () { reject(request.error); };
    });
  }

  // run(store) inside one transaction; resolves with what run returned once the transaction is done
  function within(mode, run) {
    return open().then(function (db) {
      return new Promise(function (resolve, reject) {
        var tx = db.transaction(STORE, mode);
        var out;
        Promise.resolve(run(tx.objectStore(STORE))).then(function (value) { out = value; });
        tx.oncomplete = function () { db.close(); resolve(out); };
        tx.onerror = tx.onabort = function () { db.close(); reject(tx.error); };
      });
    });
  }

  function asPromise(request) {
    return new Promise(function (resolve, reject) {
      request.onsuccess = function () { resolve(request.result); };
      request.onerror = function () { reject(request.error); };
    });
  }

  function all() {
    return within("readonly", function (store) { return asPromise(store.getAll()); }).then(function (items) {
      return (items || []).sort(function (a, b) { return a.created - b.created; });
    });
  }

  function put(item) {
    return within("readwrite", function (store) { store.put(item); });
  }

  function remove(key) {
    return within("readwrite", function (store) { store.delete(key); });
  }

  // Take the item for sending (one sender at a time): null when it is not waiting or someone holds it.
  function claim(key) {
    return within("readwrite", function (store) {
      return asPromise(store.get(key)).then(function (item) {
        if (!item) return null;
        var held = item.state === "sending" && Date.now() - (item.claimed || 0) < LEASE_MS;
        if (held || (item.state !== "waiting" && item.state !== "sending")) return null;
        item.state = "sending";
        item.claimed = Date.now();
        store.put(item);
        return item;
      });
    });
  }

  // ``token``: the CSRF token of the page sending now (a login since the item was written renews it)
  function body(item, token) {
    var form = new FormData();
    item.fields.forEach(function (field) {
      if (field.blob) form.append(field.name, field.blob, field.filename || "photo.jpg");
      else if (field.name === "csrfmiddlewaretoken" && token) form.append(field.name, token);
      else form.append(field.name, field.value);
    });
    return form;
  }

  // Send one claimed item; resolves with the item in its new state: "sent" (with the case's address),
  // "refused" (with the server's words: someone else acted first, or what is wrong) or "waiting" again.
  function send(item, token) {
    function settle(state, extra) {
      item.state = state;
      item.attempts = (item.attempts || 0) + 1;
      item.message = "";
      item.status = 0;
      item.login = false;
      Object.keys(extra || {}).forEach(function (k) { item[k] = extra[k]; });
      if (state === "sent") {
        item.fields = []; // the photos are on the server now: free the phone's storage
        item.sent = Date.now();
      }
      return put(item).then(function () { return item; });
    }
    return fetch(item.url, {
      method: "POST",
      body: body(item, token),
      credentials: "same-origin",
      headers: { "X-Grassroots-Send": "1", "X-Grassroots-Outbox": "1" },
    }).then(function (response) {
      var type = response.headers.get("Content-Type") || "";
      if (type.indexOf("application/json") !== 0) {
        // a login page (the session ended: sent once the person has logged in again) or the site's error
        // page (the server failed): try again later
        return settle("waiting", { status: response.status, login: response.redirected || response.status === 403 });
      }
      return response.json().then(function (answer) {
        if (response.ok && answer.location) return settle("sent", { location: answer.location });
        if (response.status >= 500 || response.status === 401) return settle("waiting", { status: response.status });
        return settle("refused", { message: answer.message || "", code: answer.code || "", status: response.status });
      });
    }, function () {
      return settle("waiting", { status: 0 }); // no signal
    });
  }

  // Send every waiting item of ``user`` (all when not given), one after the other (photos are heavy).
  function flush(user, token) {
    return all().then(function (items) {
      var now = Date.now();
      var chain = Promise.resolve([]);
      items.forEach(function (item) {
        if (item.state === "sent" && now - (item.sent || 0) > KEEP_SENT_MS) {
          chain = chain.then(function (done) { return remove(item.key).then(function () { return done; }); });
          return;
        }
        if (user != null && String(item.user) !== String(user)) return;
        chain = chain.then(function (done) {
          return claim(item.key).then(function (claimed) {
            if (!claimed) return done;
            return send(claimed, token).then(function (result) { return done.concat([result]); });
          });
        });
      });
      return chain;
    });
  }

  return { all: all, put: put, remove: remove, claim: claim, send: send, flush: flush };
})();
