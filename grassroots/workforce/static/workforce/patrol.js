// The patrol page on the phone: watch the position while the patrol is under way and post it in batches
// (every 30 seconds, when the signal returns, and before the patrol ends). The server validates each batch
// and thins it to its rate (a batch sent twice after a lost answer adds nothing: positions not newer than the
// last kept are dropped). Without signal the positions wait on the phone (localStorage, per patrol), so a
// reload or a closed page loses none of them.
(function () {
  "use strict";
  var box = document.getElementById("patrol-actions");
  if (!box || !navigator.geolocation) return;
  var url = box.getAttribute("data-positions-url");
  var store = "grassroots-patrol:" + url;
  var BATCH = 500; // the server's largest batch (workforce/services/patrols.py MAX_BATCH)
  var status = document.getElementById("patrol-gps");
  var sending = false;

  function kept() {
    try { return JSON.parse(window.localStorage.getItem(store) || "[]"); } catch (e) { return []; }
  }
  function keep(positions) {
    try {
      if (positions.length) window.localStorage.setItem(store, JSON.stringify(positions));
      else window.localStorage.removeItem(store);
    } catch (e) { /* storage full: the positions stay in this page only */ }
  }
  var pending = kept();

  function csrf() {
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : "";
  }

  function flush() {
    if (!pending.length || sending) return Promise.resolve();
    sending = true;
    var batch = pending.slice(0, BATCH);
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf() },
      body: JSON.stringify({ positions: batch }),
    }).then(function (response) {
      sending = false;
      if (response.status >= 500) return null; // kept: sent again with the next batch
      pending = pending.slice(batch.length); // taken, or refused as a whole (it would be refused again)
      keep(pending);
      if (status) status.textContent = String(batch.length);
      return pending.length ? flush() : null;
    }).catch(function () {
      sending = false; // no signal: kept on the phone for later
    });
  }

  navigator.geolocation.watchPosition(
    function (pos) {
      pending.push({
        recorded_at: new Date(pos.timestamp).toISOString(),
        lon: pos.coords.longitude,
        lat: pos.coords.latitude,
      });
      keep(pending);
    },
    function () {},
    { enableHighAccuracy: true, maximumAge: 10000 }
  );
  setInterval(flush, 30000);
  window.addEventListener("online", flush);
  flush();

  var end = document.getElementById("patrol-end");
  if (end) {
    end.addEventListener("submit", function (event) {
      if (end.dataset.flushed) return;
      event.preventDefault();
      flush().finally(function () {
        end.dataset.flushed = "1";
        end.submit();
      });
    });
  }
})();
