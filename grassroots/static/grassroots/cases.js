/* The case pages: the reporting map (centred on the reporter's own grid and drawn with its outlines, GPS
 * position with its accuracy, a pin the reporter can drag or place by tapping, and where the report will go
 * said by name, with a confirmation when that is far away), the read-only case map, photo pickers with previews and the 9-photo limit, and the queue's
 * select-all and bulk-dispatch handler list, and sending a report again by itself when the signal fails.
 *
 * Everything is configured by data- attributes: the Content-Security-Policy allows no inline script. Text
 * shown to people comes from those attributes (translated on the server), never from this file.
 */
(function () {
  "use strict";

  var DEFAULT_CENTRE = [40.75, 107.4]; // the seed city, until a position is known
  var PIN = null;

  function pinIcon() {
    if (!PIN) {
      PIN = L.divIcon({ className: "case-pin", html: "<span></span>", iconSize: [28, 28], iconAnchor: [14, 28] });
    }
    return PIN;
  }

  function baseMap(el) {
    var d = el.dataset;
    var map = L.map(el, { zoomSnap: 0.5, attributionControl: Boolean(d.tileUrl) });
    // The page may still be laying out (fonts, the form around the map): keep Leaflet's idea of the map's
    // size true, or a tap lands somewhere else than where the finger was.
    if (window.ResizeObserver) new ResizeObserver(function () { map.invalidateSize(); }).observe(el);
    el.leafletMap = map; // for the browser tests: where a place is on the screen, as Leaflet says
    if (d.tileUrl) {
      L.tileLayer(d.tileUrl, {
        attribution: d.tileAttribution || "",
        subdomains: d.tileSubdomains || "abc",
        maxZoom: 19,
      }).addTo(map);
    }
    return map;
  }

  function fmt(text, values) {
    return String(text).replace(/%\((\w+)\)s/g, function (_m, key) {
      return values[key] == null ? "" : values[key];
    });
  }

  // --- the reporting map ------------------------------------------------------------------------------------

  function initReportMap(el) {
    var d = el.dataset;
    var form = el.closest("form");
    var lon = form.querySelector("input[name=lon]");
    var lat = form.querySelector("input[name=lat]");
    var accuracy = form.querySelector("input[name=accuracy_m]");
    var crs = form.querySelector("input[name=crs]");
    var status = form.querySelector("[data-place-status]");
    var coords = form.querySelector("[data-coords]");
    var map = baseMap(el);
    var marker = null;
    var circle = null;
    var destination = form.querySelector("[data-destination]");
    var farBox = form.querySelector("[data-far-confirm]");
    var farMessage = farBox && farBox.querySelector("[data-far-message]");
    var farTick = farBox && farBox.querySelector("input[type=checkbox]");
    var previewNumber = 0;
    var previewTimer = null;

    function say(text) {
      if (status) status.textContent = text;
    }

    // Where a report at the pin would go, asked of the server (the same rule it applies when the report
    // arrives): said under the map, and a pin far from home or from every grid must be confirmed.
    function preview() {
      if (!d.destinationUrl || !lon.value || !lat.value) return;
      var mine = ++previewNumber;
      var query = "?lon=" + encodeURIComponent(lon.value) + "&lat=" + encodeURIComponent(lat.value) +
        "&crs=" + encodeURIComponent((crs && crs.value) || "wgs84") +
        (d.homeCounties ? "&home=" + encodeURIComponent(d.homeCounties) : "");
      fetch(d.destinationUrl + query, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (answer) {
          if (!answer || mine !== previewNumber) return;
          if (destination) destination.textContent = fmt(d.labelDestination, { where: answer.area_name });
          el.dataset.destinationName = answer.area_name;
          if (!farBox) return;
          if (answer.confirm) {
            if (farMessage) farMessage.textContent = answer.message;
            farBox.hidden = false;
          } else {
            farBox.hidden = true;
            if (farTick) farTick.checked = false;
          }
        })
        .catch(function () { /* the server still applies the rule when the report arrives */ });
    }

    function show(latlng) {
      if (coords) coords.textContent = latlng.lat.toFixed(6) + ", " + latlng.lng.toFixed(6);
    }

    function store(latlng, metres) {
      lon.value = latlng.lng.toFixed(7);
      lat.value = latlng.lat.toFixed(7);
      accuracy.value = metres == null ? "" : String(Math.round(metres * 10) / 10);
      if (crs) crs.value = "wgs84"; // the browser's Geolocation API gives WGS-84
      el.dataset.placed = "true";
      show(latlng);
      document.body.dispatchEvent(new CustomEvent("pinmoved", { bubbles: true }));
      window.clearTimeout(previewTimer);
      previewTimer = window.setTimeout(preview, 250);
    }

    function place(latlng, metres) {
      if (!marker) {
        marker = L.marker(latlng, { draggable: true, icon: pinIcon(), keyboard: true, autoPan: true }).addTo(map);
        marker.on("dragend", function () {
          if (circle) { map.removeLayer(circle); circle = null; }
          store(marker.getLatLng(), null);
          say(d.labelMoved);
        });
      } else {
        marker.setLatLng(latlng);
      }
      if (circle) { map.removeLayer(circle); circle = null; }
      if (metres) {
        circle = L.circle(latlng, { radius: metres, weight: 1, color: "#2563a8", fillOpacity: 0.1, interactive: false }).addTo(map);
      }
      store(latlng, metres);
    }

    function locate() {
      if (!navigator.geolocation) {
        say(d.labelUnsupported);
        return;
      }
      say(d.labelLocating);
      navigator.geolocation.getCurrentPosition(
        function (position) {
          var c = position.coords;
          var latlng = L.latLng(c.latitude, c.longitude);
          located = true;
          place(latlng, c.accuracy);
          map.setView(latlng, 17);
          say(fmt(d.labelLocated, { m: Math.round(c.accuracy) }));
        },
        function () {
          say(d.labelDenied);
        },
        { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 }
      );
    }

    map.on("click", function (event) {
      place(event.latlng, null);
      say(d.labelMoved);
    });

    var kept = null;
    if (lon.value && lat.value) {
      // the form came back with an error: keep the pin where it was
      kept = L.latLng(parseFloat(lat.value), parseFloat(lon.value));
      map.setView(kept, 17);
      place(kept, accuracy.value ? parseFloat(accuracy.value) : null);
    } else {
      map.setView(DEFAULT_CENTRE, 11);
      say(d.labelTap);
    }
    // The reporter's own grid (else their area) outlined and in view until a position is known: a map with
    // no streets still shows whose grid is whose.
    var located = false;
    if (window.GrassrootsOutlines) {
      window.GrassrootsOutlines.draw(map, d.outlinesUrl, {
        home: d.homeCode,
        onLoad: function (home, all) {
          if (kept || located) return;
          if (home) map.fitBounds(home.pad(0.4), { maxZoom: 17 });
          else if (all) map.fitBounds(all, { maxZoom: 16 });
        },
      });
    }
    if (!kept) locate();
    var button = form.querySelector("[data-locate]");
    if (button) button.addEventListener("click", locate);
  }

  // --- the case map -----------------------------------------------------------------------------------------

  function initCaseMap(el) {
    var d = el.dataset;
    var latlng = L.latLng(parseFloat(d.lat), parseFloat(d.lon));
    var map = baseMap(el);
    map.setView(latlng, 17);
    L.marker(latlng, { icon: pinIcon(), keyboard: false }).addTo(map);
    if (d.accuracy) {
      L.circle(latlng, { radius: parseFloat(d.accuracy), weight: 1, color: "#2563a8", fillOpacity: 0.1, interactive: false }).addTo(map);
    }
    // the grid (or inbox) it went to, named, with its village and township (not found outside the reader's
    // county: then the pin alone)
    if (window.GrassrootsOutlines) window.GrassrootsOutlines.draw(map, d.outlinesUrl, { home: d.homeCode });
  }

  // --- the queue's map: loaded when opened, the cases of the queue's filters coloured by state ------------

  function loadOnce(tag, attrs) {
    return new Promise(function (resolve, reject) {
      var node = document.createElement(tag);
      Object.keys(attrs).forEach(function (k) { node.setAttribute(k, attrs[k]); });
      node.onload = resolve;
      node.onerror = reject;
      document.head.appendChild(node);
    });
  }

  function initQueueMap(el) {
    var box = el.closest("details");
    var started = false;
    function open() {
      if (started || !box.open) return;
      started = true;
      var d = el.dataset;
      var styles = [
        loadOnce("link", { rel: "stylesheet", href: d.leafletCss }),
        loadOnce("link", { rel: "stylesheet", href: d.mapsCss }),
      ];
      (window.L ? Promise.resolve() : loadOnce("script", { src: d.leafletSrc }))
        .then(function () { return window.GrassrootsOutlines ? null : loadOnce("script", { src: d.outlinesSrc }); })
        .then(function () { return Promise.all(styles); })
        .then(function () {
          var map = baseMap(el);
          map.setView(DEFAULT_CENTRE, 9);
          window.GrassrootsOutlines.cases(map, el, {
            legend: box.querySelector("[data-case-legend]"),
            legendTitle: d.labelCases,
            fit: true,
            outlines: true,
          });
        });
    }
    box.addEventListener("toggle", open);
    open();
  }

  // --- photo pickers ----------------------------------------------------------------------------------------

  function initPhotoPicker(box) {
    var input = box.querySelector("input[type=file]");
    var previews = box.querySelector(".photo-previews");
    var status = box.querySelector(".photo-status");
    var max = parseInt(box.dataset.max || "9", 10);
    var urls = [];
    if (!input) return;
    input.addEventListener("change", function () {
      var files = Array.prototype.slice.call(input.files || []);
      var message = "";
      if (files.length > max && window.DataTransfer) {
        var kept = new DataTransfer();
        files.slice(0, max).forEach(function (f) { kept.items.add(f); });
        input.files = kept.files;
        files = files.slice(0, max);
        message = box.dataset.labelTooMany + " ";
      }
      urls.forEach(function (u) { URL.revokeObjectURL(u); });
      urls = [];
      if (previews) {
        previews.textContent = "";
        files.forEach(function (f) {
          if (!/^image\//.test(f.type)) return;
          var url = URL.createObjectURL(f);
          urls.push(url);
          var img = document.createElement("img");
          img.src = url;
          img.alt = f.name;
          previews.appendChild(img);
        });
      }
      if (status) status.textContent = message + fmt(box.dataset.labelCount, { n: files.length });
    });
  }

  // --- the queue --------------------------------------------------------------------------------------------

  function initQueue(form) {
    var all = form.querySelector("[data-select-all]");
    var holder = form.querySelector("[data-targets-url]");
    var boxes = function () { return form.querySelectorAll("input[name=case]"); };
    var pending = 0;

    function refreshTargets() {
      if (!holder) return;
      var ticked = form.querySelectorAll("input[name=case]:checked");
      var query = Array.prototype.map.call(ticked, function (b) { return "case=" + encodeURIComponent(b.value); }).join("&");
      var mine = ++pending;
      fetch(holder.dataset.targetsUrl + (query ? "?" + query : ""), { credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.text() : ""; })
        .then(function (html) { if (mine === pending && html) holder.innerHTML = html; });
    }

    if (all) {
      all.addEventListener("change", function () {
        Array.prototype.forEach.call(boxes(), function (b) { b.checked = all.checked; });
        refreshTargets();
      });
    }
    form.addEventListener("change", function (event) {
      if (event.target && event.target.name === "case") refreshTargets();
    });
  }

  // --- similar reports nearby, asked of the server when the service type or the pin changes ----------------

  function initDuplicates(box) {
    var form = box.closest("form");
    var timer = null;
    var asked = 0;
    function ask() {
      var category = form.querySelector("[name=category]");
      var lon = form.querySelector("[name=lon]");
      var lat = form.querySelector("[name=lat]");
      var query = "?category=" + encodeURIComponent(category ? category.value : "") +
        "&lon=" + encodeURIComponent(lon ? lon.value : "") + "&lat=" + encodeURIComponent(lat ? lat.value : "");
      var mine = ++asked;
      fetch(box.dataset.duplicatesUrl + query, { credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.text() : null; })
        .then(function (html) { if (html !== null && mine === asked) box.innerHTML = html; })
        .catch(function () { /* without signal: no hint, the report still goes */ });
    }
    function later() {
      window.clearTimeout(timer);
      timer = window.setTimeout(ask, 400);
    }
    form.addEventListener("change", function (event) {
      if (event.target && event.target.name === "category") ask();
    });
    document.body.addEventListener("pinmoved", later);
  }

  // --- forms: one submission per click ------------------------------------------------------------------

  function guardSubmit(form) {
    form.addEventListener("submit", function () {
      var button = form.querySelector("button[type=submit]");
      if (button) window.setTimeout(function () { button.disabled = true; }, 0);
    });
  }

  // --- sending on a weak signal -------------------------------------------------------------------------------
  //
  // A report form marked data-resend is sent by this script: when the connection fails (one bar of signal in
  // a pastoral village), the report and its photos stay on the page and are sent again by themselves after
  // 5, 10, 20, 40 and then every 60 seconds, at once when the browser says it is online, or when the person
  // taps "send again now". Every attempt carries the form's idempotency key, so an attempt whose answer was
  // lost on the way back makes no second case. The server answers the script with the case page's address
  // (JSON); a form with errors is then submitted the plain way so that the server's page shows them. The
  // form's status parts, the far pin's check and the waits are the outbox's (outbox.js, GrassrootsSending),
  // which has run by the time this starts: deferred scripts run before DOMContentLoaded.

  function initResend(form) {
    var sending = window.GrassrootsSending;
    var parts = sending && sending.parts(form);
    if (!parts || !parts.status || !window.fetch || !window.FormData) return; // the plain submission still works
    var status = parts.status;
    var again = parts.again;
    var button = parts.button;
    var say = parts.say;
    var attempt = 0;
    var timer = null;
    var busy = false;

    function later(label) {
      busy = false;
      say(fmt(status.dataset[label], { n: attempt }));
      if (again) again.hidden = false;
      timer = window.setTimeout(send, sending.resendSeconds(attempt) * 1000);
    }

    function send() {
      if (busy) return;
      window.clearTimeout(timer);
      busy = true;
      attempt += 1;
      if (button) button.disabled = true;
      if (again) again.hidden = true;
      say(status.dataset.sending);
      window.fetch(form.action || window.location.href, {
        method: "POST",
        body: new FormData(form),
        credentials: "same-origin",
        headers: { "X-Grassroots-Send": "1" },
      }).then(function (response) {
        var type = response.headers.get("Content-Type") || "";
        if (response.ok && type.indexOf("application/json") === 0) {
          return response.json().then(function (data) { window.location.assign(data.location); });
        }
        if (response.status >= 500) {
          later("server");
          return null;
        }
        // The form came back with its errors (or the session ended): let the server's page say so.
        HTMLFormElement.prototype.submit.call(form);
        return null;
      }, function () {
        later("offline");
      });
    }

    form.addEventListener("submit", function (event) {
      event.preventDefault();
      if (sending.unconfirmedFar(form)) return;
      send();
    });
    if (again) again.addEventListener("click", send);
    window.addEventListener("online", function () {
      if (attempt && !busy) send();
    });
  }

  // The report form is shown (and can be filled in) before the map library arrives: on a slow signal its
  // 150 KB would otherwise hold back the page's first paint. Loaded after the page's own styles and scripts.
  function withMapLibrary(el, init) {
    var d = el.dataset;
    if (window.L || !d.leafletSrc) {
      if (window.L) init(el);
      return;
    }
    if (d.leafletCss) loadOnce("link", { rel: "stylesheet", href: d.leafletCss }).catch(function () { return null; });
    loadOnce("script", { src: d.leafletSrc })
      .then(function () { return window.GrassrootsOutlines || !d.outlinesSrc ? null : loadOnce("script", { src: d.outlinesSrc }); })
      .then(function () { init(el); }, function () { /* no map without its library: the address field remains */ });
  }

  function start() {
    document.querySelectorAll("[data-report-map]").forEach(function (el) { withMapLibrary(el, initReportMap); });
    if (window.L) {
      document.querySelectorAll("[data-case-map]").forEach(initCaseMap);
    }
    document.querySelectorAll("[data-queue-map]").forEach(initQueueMap);
    document.querySelectorAll("[data-photo-picker]").forEach(initPhotoPicker);
    document.querySelectorAll("[data-duplicates-url]").forEach(initDuplicates);
    document.querySelectorAll("[data-queue]").forEach(initQueue);
    document.querySelectorAll("form.case-form:not([data-resend]):not([data-outbox]), [data-action]:not([data-outbox])").forEach(guardSubmit);
    document.querySelectorAll("form[data-resend]").forEach(initResend);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
