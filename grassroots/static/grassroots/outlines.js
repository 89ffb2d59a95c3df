/* Our own outlines on a Leaflet map: the township, its villages and grids, each labelled by name, drawn
 * whether or not a tile layer is configured (without tiles they are the only thing that says where a map is).
 *
 * window.GrassrootsOutlines.draw(map, url, options) fetches the area outlines endpoint
 * (/api/v1/areas/<code>/outlines.geojson) for the map's zoom, draws them under everything else and asks again
 * when the zoom moves far enough for the lines to need other detail. options:
 *   home:   the code of the area to stand out (the reporter's grid, the grid of the page)
 *   levels: the levels to draw (default all: 4 township, 5 village, 6 grid)
 *   onLoad: called once with (homeBounds or null, allBounds or null) after the first answer
 * Every outline is an SVG path carrying data-code, data-name and data-level, and a title, so that people and
 * tests can tell them apart; text comes from the server, never from this file.
 *
 * window.GrassrootsOutlines.cases(map, el, options) draws the cases of the user's queue (el.dataset.casesUrl,
 * /cases/map/points.geojson) as points coloured by state, each opening its case, and fills options.legend
 * (a list element) with the states shown, options.legendTitle first; options.fit: fit the map to them;
 * options.outlines: draw the outlines the answer names around them (the queue's map).
 */
(function () {
  "use strict";

  var LEVEL_GRID = 6; // areas.codes.Level: 4 township or street, 5 village or community, 6 grid
  var LEVEL_VILLAGE = 5;
  var STYLES = {
    4: { color: "#4b5563", weight: 2.5, opacity: 0.9, dashArray: "8 5", fill: false },
    5: { color: "#0f766e", weight: 2, opacity: 0.9, dashArray: "4 3", fill: false },
    6: { color: "#2563a8", weight: 1.2, opacity: 0.8, fillColor: "#2563a8", fillOpacity: 0.05 },
  };
  var HOME = { color: "#b45309", weight: 3.5, opacity: 1, fillColor: "#f59e0b", fillOpacity: 0.14 };
  var LABEL_GRIDS_FROM_ZOOM = 15; // below it only the home grid, the villages and the township are named

  function zoomBucket(zoom) {
    return Math.max(5, Math.min(19, 2 * Math.round(zoom / 2)));
  }

  function draw(map, url, options) {
    options = options || {};
    if (!url) {
      if (options.onLoad) options.onLoad(null, null);
      return null;
    }
    if (!map.getPane("outlines")) {
      map.createPane("outlines");
      map.getPane("outlines").style.zIndex = 350; // above tiles, below markers and the overlay pane
      map.createPane("outlineLabels");
      map.getPane("outlineLabels").style.zIndex = 640; // with the tooltips, below popups
      map.getPane("outlineLabels").style.pointerEvents = "none";
    }
    var renderer = L.svg({ pane: "outlines", padding: 0.3 });
    var layer = null;
    var labels = [];
    var loadedBucket = null;
    var first = true;
    var requestNumber = 0;

    function labelled(feature, zoom) {
      var p = feature.properties;
      return p.level !== LEVEL_GRID || p.code === options.home || zoom >= LABEL_GRIDS_FROM_ZOOM;
    }

    function render(collection) {
      if (layer) map.removeLayer(layer);
      labels.forEach(function (label) { map.removeLayer(label); });
      labels = [];
      var homeBounds = null;
      var zoom = map.getZoom();
      layer = L.geoJSON(collection, {
        pane: "outlines",
        filter: function (feature) {
          return !options.levels || options.levels.indexOf(feature.properties.level) >= 0;
        },
        renderer: renderer,
        interactive: false,
        style: function (feature) {
          var p = feature.properties;
          var style = p.code === options.home ? HOME : STYLES[p.level] || STYLES[LEVEL_GRID];
          var copy = {};
          for (var k in style) copy[k] = style[k];
          copy.className = "outline outline-l" + p.level + (p.code === options.home ? " outline-home" : "");
          return copy;
        },
        onEachFeature: function (feature, shape) {
          var p = feature.properties;
          if (p.code === options.home) homeBounds = shape.getBounds();
          shape.on("add", function () {
            var el = shape.getElement && shape.getElement();
            if (!el) return;
            el.setAttribute("data-code", p.code);
            el.setAttribute("data-name", p.name);
            el.setAttribute("data-level", String(p.level));
            var title = document.createElementNS("http://www.w3.org/2000/svg", "title");
            title.textContent = p.name;
            el.appendChild(title);
          });
          if (!labelled(feature, zoom)) return;
          var className = "outline-label outline-label-l" + p.level + (p.code === options.home ? " outline-label-home" : "");
          if (p.level === LEVEL_GRID) {
            shape.bindTooltip(p.name, { permanent: true, direction: "center", className: className, opacity: 1 });
            return;
          }
          // A village's name along the inside of its northern edge, a township's along its southern one: at
          // their centres they would sit on top of a grid's name.
          var b = shape.getBounds();
          var north = p.level === LEVEL_VILLAGE;
          labels.push(
            L.tooltip({ permanent: true, direction: north ? "bottom" : "top", className: className, opacity: 1, pane: "outlineLabels" })
              .setLatLng([north ? b.getNorth() : b.getSouth(), b.getCenter().lng])
              .setContent(p.name)
          );
        },
      });
      layer.addTo(map);
      layer.bringToBack();
      labels.forEach(function (label) { label.addTo(map); });
      map.getContainer().dataset.outlines = String((collection.features || []).length);
      if (first) {
        first = false;
        var b = collection.bbox;
        var all = b ? L.latLngBounds([b[1], b[0]], [b[3], b[2]]) : null;
        if (options.onLoad) options.onLoad(homeBounds, all);
      }
    }

    function load() {
      var bucket = zoomBucket(map.getZoom());
      if (bucket === loadedBucket) return;
      loadedBucket = bucket;
      var mine = ++requestNumber;
      fetch(url + (url.indexOf("?") < 0 ? "?" : "&") + "zoom=" + bucket, {
        credentials: "same-origin",
        headers: { Accept: "application/geo+json" },
      })
        .then(function (response) {
          if (!response.ok) throw new Error("HTTP " + response.status);
          return response.json();
        })
        .then(function (collection) {
          if (mine === requestNumber) render(collection);
        })
        .catch(function () {
          loadedBucket = null;
          if (first && options.onLoad) {
            first = false;
            options.onLoad(null, null);
          }
        });
    }

    map.on("zoomend", load);
    load();
    return { reload: load };
  }

  function escapeText(text) {
    var div = document.createElement("div");
    div.textContent = text == null ? "" : String(text);
    return div.innerHTML;
  }

  function cases(map, el, options) {
    options = options || {};
    var legend = options.legend;
    fetch(el.dataset.casesUrl, { credentials: "same-origin", headers: { Accept: "application/geo+json" } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (collection) {
        el.dataset.cases = String(collection ? collection.features.length : 0);
        if (!collection || !collection.features.length) return;
        var layer = L.featureGroup();
        var renderer = L.canvas({ padding: 0.2 }); // thousands of points stay fast
        collection.features.forEach(function (f) {
          var p = f.properties;
          var c = f.geometry.coordinates;
          L.circleMarker([c[1], c[0]], {
            renderer: renderer,
            radius: 6,
            color: "#ffffff",
            weight: 1.5,
            fillColor: p.colour,
            fillOpacity: 0.95,
          })
            .bindTooltip(escapeText(p.reference) + "<br>" + escapeText(p.category))
            .on("click", function () {
              window.location.href = collection.detail_url.replace("ID", encodeURIComponent(f.id));
            })
            .addTo(layer);
        });
        layer.addTo(map);
        if (options.fit) map.fitBounds(layer.getBounds().pad(0.15), { maxZoom: 16 });
        if (options.outlines && collection.outlines_url) draw(map, collection.outlines_url, {});
        if (!legend) return;
        legend.textContent = "";
        if (options.legendTitle) {
          var title = document.createElement("li");
          title.textContent = options.legendTitle;
          legend.appendChild(title);
        }
        collection.legend.forEach(function (row) {
          var li = document.createElement("li");
          var dot = document.createElement("span");
          dot.className = "case-dot state-" + row.state;
          dot.setAttribute("aria-hidden", "true");
          li.appendChild(dot);
          li.appendChild(document.createTextNode(row.label));
          legend.appendChild(li);
        });
        legend.hidden = false;
      })
      .catch(function () { /* the map stands without its cases */ });
  }

  window.GrassrootsOutlines = { draw: draw, cases: cases };
})();
