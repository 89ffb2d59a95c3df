// The patrol page on the phone: watch the position while the patrol is under way and post it in batches
// (every 30 seconds, and before the patrol ends). The server validates each batch and thins it to its
// rate; a batch that fails to send is kept and sent with the next one.
(function () {
  "use strict";
  var box = document.getElementById("patrol-actions");
  if (!box || !navigator.geolocation) return;
  var url = box.getAttribute("data-positions-url");
  var pending = [];
  var status = document.getElementById("patrol-gps");

  function csrf() {
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : "";
  }

  function flush() {
    if (!pending.length) return Promise.resolve();
    var batch = pending.splice(0, pending.length);
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf() },
      body: JSON.stringify({ positions: batch }),
    }).then(function (response) {
      if (!response.ok && response.status >= 500) pending = batch.concat(pending);
      if (status) status.textContent = String(batch.length);
    }).catch(function () {
      pending = batch.concat(pending); // offline: try again with the next batch
    });
  }

  navigator.geolocation.watchPosition(
    function (pos) {
      pending.push({
        recorded_at: new Date(pos.timestamp).toISOString(),
        lon: pos.coords.longitude,
        lat: pos.coords.latitude,
      });
    },
    function () {},
    { enableHighAccuracy: true, maximumAge: 10000 }
  );
  setInterval(flush, 30000);

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
