/* The outbox on the page (outbox-core.js keeps it): forms marked data-outbox (the report form, the actions on
 * a case) are kept on the phone before they are sent, photos shrunk first (long edge 1,600 px, at most about
 * 400 KB each); sent at once when there is a signal, else when it returns: on the next page load, when the
 * browser says it is online, on a tap, or by the service worker (Background Sync). What waits, and what the
 * server refused (someone else acted first), is listed on every page in words from data- attributes
 * (translated on the server), never from this file.
 *
 * window.GrassrootsSending is what every form that sends itself shares, the outbox's and the on-the-spot
 * form's (cases.js, which sends again by itself without the outbox): its send-status parts, the check that a
 * far pin was confirmed, and the waits between tries. Set before the outbox's own needs are checked.
 */
(function () {
  "use strict";
  var RESEND_SECONDS = [5, 10, 20, 40, 60];

  // --- what every form that sends itself shares -------------------------------------------------------------

  // The form's send-status line, its "send again now" button and its submit button, and say(text) on the line.
  function sendParts(form) {
    var status = form.querySelector("[data-send-status]");
    return {
      status: status,
      again: form.querySelector("[data-send-now]"),
      button: form.querySelector("button[type=submit]"),
      say: function (text) {
        if (!status) return;
        status.textContent = text || "";
        status.hidden = !text;
      },
    };
  }

  // A pin that needs confirming (the box is shown) and is not confirmed: point at the box instead of sending.
  function unconfirmedFar(form) {
    var tick = form.querySelector("[data-far-confirm]:not([hidden]) input[type=checkbox]");
    if (!tick || tick.checked) return false;
    tick.closest("[data-far-confirm]").scrollIntoView({ block: "center" });
    tick.focus();
    return true;
  }

  // Seconds before the next try after the n-th (5, 10, 20, 40, then every 60).
  function resendSeconds(n) {
    return RESEND_SECONDS[Math.min(n - 1, RESEND_SECONDS.length - 1)];
  }

  window.GrassrootsSending = { parts: sendParts, unconfirmedFar: unconfirmedFar, resendSeconds: resendSeconds };

  if (!window.indexedDB || !window.fetch || !window.GrassrootsOutbox) return;
  var Outbox = window.GrassrootsOutbox;
  var list = document.querySelector("[data-outbox-list]");
  var user = list ? list.dataset.user : "";
  var LONG_EDGE = 1600;
  var MAX_BYTES = 400 * 1024;
  var MAX_PHOTOS = 9;
  var bound = {}; // key → the form on this page waiting for it

  function fmt(text, values) {
    return String(text || "").replace(/%\((\w+)\)s/g, function (_m, k) { return values[k] == null ? "" : values[k]; });
  }

  function csrf() {
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : "";
  }

  function newKey() {
    var bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }

  // --- photos shrunk on the phone before they wait ------------------------------------------------------------

  function toBlob(canvas, quality) {
    return new Promise(function (resolve) { canvas.toBlob(resolve, "image/jpeg", quality); });
  }

  function shrink(file) {
    if (!/^image\/(jpeg|png|webp|gif|bmp)$/.test(file.type) || !window.createImageBitmap) return Promise.resolve(file);
    return createImageBitmap(file).then(function (bitmap) {
      var scale = Math.min(1, LONG_EDGE / Math.max(bitmap.width, bitmap.height));
      if (scale === 1 && file.size <= MAX_BYTES && file.type === "image/jpeg") return file;
      var canvas = document.createElement("canvas");
      canvas.width = Math.round(bitmap.width * scale);
      canvas.height = Math.round(bitmap.height * scale);
      canvas.getContext("2d").drawImage(bitmap, 0, 0, canvas.width, canvas.height);
      var quality = 0.85;
      function attempt() {
        return toBlob(canvas, quality).then(function (blob) {
          if (blob.size <= MAX_BYTES || quality <= 0.45) return blob;
          quality -= 0.1;
          return attempt();
        });
      }
      return attempt();
    }).catch(function () { return file; });
  }

  function itemFrom(form, key) {
    var fields = [];
    var photos = 0;
    var chain = Promise.resolve();
    new FormData(form).forEach(function (value, name) {
      if (value instanceof File) {
        if (!value.name && !value.size) return; // an empty file input
        if (photos >= MAX_PHOTOS) return;
        photos += 1;
        chain = chain.then(function () {
          return shrink(value).then(function (blob) {
            fields.push({ name: name, blob: blob, filename: value.name.replace(/\.[^.]*$/, "") + ".jpg" });
          });
        });
      } else {
        chain = chain.then(function () { fields.push({ name: name, value: value }); });
      }
    });
    return chain.then(function () {
      return {
        key: key,
        url: form.action || window.location.href,
        label: form.dataset.outboxLabel || document.title,
        page: window.location.pathname,
        user: user,
        fields: fields,
        photos: photos,
        state: "waiting",
        created: Date.now(),
        attempts: 0,
      };
    });
  }

  // --- the list on every page -----------------------------------------------------------------------------------

  function render(items) {
    if (!list) return;
    var d = list.dataset;
    var mine = items.filter(function (item) { return String(item.user) === String(user); });
    var body = list.querySelector("[data-outbox-items]");
    body.textContent = "";
    list.hidden = mine.length === 0;
    var waiting = false;
    mine.forEach(function (item) {
      var li = document.createElement("li");
      li.className = "outbox-item outbox-" + item.state;
      li.dataset.state = item.state;
      var label = document.createElement("span");
      label.className = "outbox-label";
      label.textContent = item.label + (item.photos ? " · " + fmt(d.photos, { n: item.photos }) : "");
      var state = document.createElement("span");
      state.className = "outbox-state";
      state.textContent = d["state" + item.state.charAt(0).toUpperCase() + item.state.slice(1)] || item.state;
      li.appendChild(label);
      li.appendChild(state);
      if (item.state === "waiting" && item.login && d.login) {
        var login = document.createElement("p");
        login.className = "outbox-message";
        login.textContent = d.login;
        li.appendChild(login);
      }
      if (item.state === "refused" && item.message) {
        var why = document.createElement("p");
        why.className = "outbox-message";
        why.setAttribute("role", "alert");
        why.textContent = item.message;
        li.appendChild(why);
      }
      if (item.state === "sent" && item.location) {
        var open = document.createElement("a");
        open.href = item.location;
        open.textContent = d.open;
        li.appendChild(open);
      }
      if (item.state === "refused" || item.state === "sent") {
        var drop = document.createElement("button");
        drop.type = "button";
        drop.className = "link";
        drop.textContent = d.remove;
        drop.addEventListener("click", function () { Outbox.remove(item.key).then(refresh); });
        li.appendChild(drop);
      }
      if (item.state === "waiting" || item.state === "sending") waiting = true;
      body.appendChild(li);
    });
    var now = list.querySelector("[data-outbox-send]");
    if (now) now.hidden = !waiting;
  }

  function refresh() {
    return Outbox.all().then(function (items) { render(items); return items; });
  }

  // --- sending ------------------------------------------------------------------------------------------------

  var flushing = null;
  var again = false; // asked to send while a send was under way (the signal came back meanwhile): once more after it
  var later = null; // the next try for what waits with no form on this page bound to it
  function sync() {
    if (flushing) {
      again = true;
      return flushing;
    }
    window.clearTimeout(later);
    var tried = {};
    flushing = Outbox.flush(user, csrf()).then(function (results) {
      results.forEach(function (item) { tried[item.key] = true; });
    }, function () { /* the database failed: the list says what it still holds */ }).then(refresh).then(function (items) {
      flushing = null;
      if (again) {
        again = false;
        return sync();
      }
      var unbound = 0;
      (items || []).forEach(function (item) {
        var settle = bound[item.key];
        if (!settle) {
          var mine = String(item.user) === String(user);
          if (mine && (item.state === "waiting" || item.state === "sending")) unbound = Math.max(unbound, item.attempts || 1);
          return;
        }
        if (item.state === "sent" || item.state === "refused" || tried[item.key]) settle(item);
        else window.setTimeout(sync, 3000); // the service worker is sending it: look again shortly
      });
      // what waits from an earlier page (or is held by the service worker) is tried again while this page is
      // open, not only when the browser says the signal is back: that event can come while a send is failing
      if (unbound) later = window.setTimeout(sync, RESEND_SECONDS[Math.min(unbound - 1, RESEND_SECONDS.length - 1)] * 1000);
      return items;
    });
    return flushing;
  }

  function askForSync() {
    if (!navigator.serviceWorker || !navigator.serviceWorker.ready) return;
    navigator.serviceWorker.ready.then(function (registration) {
      if (registration.sync) return registration.sync.register("outbox");
      return null;
    }).catch(function () { /* without Background Sync: the next page load or a tap sends it */ });
  }

  // --- forms that go through the outbox -----------------------------------------------------------------------

  function initForm(form) {
    var parts = sendParts(form);
    var status = parts.status;
    var again = parts.again;
    var button = parts.button;
    var say = parts.say;
    var keyInput = form.querySelector("input[name=idempotency_key]");
    var timer = null;
    var busy = false;
    // a page kept for offline use carries the key it was first shown with: every form shown gets its own
    if (keyInput) keyInput.value = newKey();

    function settle(item) {
      window.clearTimeout(timer);
      if (item.state === "sent") {
        delete bound[item.key];
        Outbox.remove(item.key).then(function () { window.location.assign(item.location); });
      } else if (item.state === "refused" && item.attempts <= 1) {
        // refused at once, with the page still open: the server's own page says why, as without script
        delete bound[item.key];
        Outbox.remove(item.key).then(function () { HTMLFormElement.prototype.submit.call(form); });
      } else if (item.state === "refused") {
        delete bound[item.key]; // it waited and was refused later: the list says why
        say(item.message);
      } else if (item.state === "waiting") {
        busy = false;
        var n = item.attempts || 1;
        say(fmt(status && status.dataset[item.status >= 500 ? "server" : "offline"], { n: n }));
        if (again) again.hidden = false;
        timer = window.setTimeout(sync, resendSeconds(n) * 1000);
      }
    }

    form.addEventListener("submit", function (event) {
      event.preventDefault();
      if (busy || unconfirmedFar(form)) return;
      busy = true;
      if (button) button.disabled = true;
      if (again) again.hidden = true;
      say(status && status.dataset.sending);
      var key = (keyInput && keyInput.value) || newKey();
      itemFrom(form, key).then(Outbox.put).then(function () {
        bound[key] = settle;
        askForSync();
        return sync();
      }).catch(function () {
        // no room on the phone (or no IndexedDB): sent as a plain form, as without script
        HTMLFormElement.prototype.submit.call(form);
      });
    });
    if (again) again.addEventListener("click", sync);
  }

  function start() {
    document.querySelectorAll("form[data-outbox]").forEach(initForm);
    if (list) {
      var now = list.querySelector("[data-outbox-send]");
      if (now) now.addEventListener("click", sync);
    }
    if (navigator.serviceWorker && user) {
      navigator.serviceWorker.ready.then(function (registration) {
        if (registration.active) registration.active.postMessage({ type: "user", user: user });
        // the cases a page lists for offline use (my tasks): fetched and kept now, while there is a signal
        var keep = Array.prototype.map.call(document.querySelectorAll("a[data-keep-offline]"), function (a) { return a.href; });
        if (keep.length && navigator.onLine && registration.active) registration.active.postMessage({ type: "keep", urls: keep });
      });
    }
    window.addEventListener("online", sync);
    refresh().then(function (items) {
      if (items.some(function (item) { return item.state === "waiting" || item.state === "sending"; })) sync();
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
