/* Grid outlines on a Leaflet map.
 *
 * The element #grid-map carries everything in data- attributes (the Content-Security-Policy allows no inline
 * script): the GeoJSON URL of the grids to draw, the grid page URL with CODE in place of a grid's code,
 * whether clicking a grid opens its page, the tile URL (empty: outlines on a plain background) and the
 * words to show; on a grid's page, data-current names the grid to stand out among its neighbours. Areas with more grids than the server sends at once are drawn for the visible part only.
 * Around them, data-outlines-url gives the village and township outlines with their names (outlines.js), and
 * data-cases-url the cases of the user's queue there: points coloured by state, with a legend the server words.
 */
(function () {
  "use strict";

  var COLOURS = { community: "#2563a8", dedicated: "#c2410c", rural: "#2f7d4a" };
  var FALLBACK_COLOUR = "#6b7280";
  // Above this many polygons the canvas renderer stays fast; below it SVG keeps each grid a DOM element.
  var CANVAS_ABOVE = 1500;
  // Up to this many grids each carries its name on the map; above it the name shows on hover.
  var NAMED_UP_TO = 40;

  function styleFor(feature, current) {
    var colour = COLOURS[feature.properties.kind] || FALLBACK_COLOUR;
    if (!current) {
      return { color: colour, weight: 1.5, opacity: 0.9, fillColor: colour, fillOpacity: 0.18 };
    }
    // On a grid's page its neighbours are context: pale, and the grid itself stands out.
    if (feature.properties.code === current) {
      return { color: colour, weight: 3, opacity: 1, fillColor: colour, fillOpacity: 0.3, className: "grid-current" };
    }
    return { color: FALLBACK_COLOUR, weight: 1, opacity: 0.6, fillColor: FALLBACK_COLOUR, fillOpacity: 0.05, dashArray: "4 3" };
  }

  function escapeText(text) {
    var div = document.createElement("div");
    div.textContent = text == null ? "" : String(text);
    return div.innerHTML;
  }

  function bboxParam(bounds) {
    return [bounds.getWest(), bounds.getSouth(), bounds.getEast(), bounds.getNorth()]
      .map(function (n) { return n.toFixed(5); })
      .join(",");
  }

  function init(el) {
    var d = el.dataset;
    var clickable = d.clickable === "true";
    var status = el.parentNode.querySelector(".map-status");
    var map = L.map(el, { zoomSnap: 0.5, attributionControl: Boolean(d.tileUrl) });
    // The page may still be laying out (fonts, the form around the map): keep Leaflet's idea of the map's
    // size true, or a tap lands somewhere else than where the finger was.
    if (window.ResizeObserver) new ResizeObserver(function () { map.invalidateSize(); }).observe(el);
    map.setView([40.75, 107.4], 7); // until the grids arrive: somewhere sensible rather than (0, 0)
    if (d.tileUrl) {
      L.tileLayer(d.tileUrl, {
        attribution: d.tileAttribution || "",
        subdomains: d.tileSubdomains || "abc",
        maxZoom: 19,
      }).addTo(map);
    }
    var layer = null;
    var followViewport = false;
    var requestNumber = 0;

    function say(text) {
      if (status) status.textContent = text;
    }

    function draw(collection, fit) {
      var features = collection.features || [];
      if (layer) map.removeLayer(layer);
      layer = L.geoJSON(collection, {
        renderer: features.length > CANVAS_ABOVE ? L.canvas({ padding: 0.2 }) : L.svg(),
        style: function (feature) { return styleFor(feature, d.current); },
        onEachFeature: function (feature, shape) {
          var p = feature.properties;
          var label = "<strong>" + escapeText(p.name) + "</strong><br>" + escapeText(p.code);
          if (p.target_households != null) {
            label += "<br>" + escapeText(d.labelHouseholds) + " " + escapeText(p.target_households);
          }
          if (features.length <= NAMED_UP_TO) {
            shape.bindTooltip(escapeText(p.name), {
              permanent: true,
              direction: "center",
              className: "outline-label outline-label-l6" + (p.code === d.current ? " outline-label-home" : ""),
              opacity: 1,
            });
          } else {
            shape.bindTooltip(label, { sticky: true });
          }
          shape.on("add", function () {
            var path = shape.getElement && shape.getElement();
            if (path) path.setAttribute("data-name", p.name);
          });
          if (clickable && p.code !== d.current) {
            shape.on("click", function () {
              window.location.href = d.gridUrl.replace("CODE", encodeURIComponent(p.code));
            });
          }
        },
      }).addTo(map);
      el.dataset.drawn = String(features.length);
      var focus = null;
      if (d.current) {
        layer.eachLayer(function (shape) {
          if (shape.feature.properties.code === d.current) focus = shape.getBounds();
        });
      }
      if (fit && focus) {
        map.fitBounds(focus.pad(0.6), { maxZoom: 17 }); // room for the neighbours around it
      } else if (fit && collection.bbox) {
        var b = collection.bbox;
        map.fitBounds([[b[1], b[0]], [b[3], b[2]]], { padding: [12, 12], maxZoom: 17 });
      }
      if (collection.truncated) {
        followViewport = true;
        say(d.labelTruncated);
      } else if (features.length === 0) {
        say(d.labelNone);
      } else {
        say(features.length === 1 ? d.labelOne : d.labelCount.replace("%(n)s", features.length));
      }
    }

    function load(bbox, fit) {
      var url = d.geojsonUrl + (bbox ? "?bbox=" + encodeURIComponent(bbox) : "");
      var mine = ++requestNumber;
      say(d.labelLoading);
      fetch(url, { credentials: "same-origin", headers: { Accept: "application/geo+json" } })
        .then(function (response) {
          if (!response.ok) throw new Error("HTTP " + response.status);
          return response.json();
        })
        .then(function (collection) {
          if (mine === requestNumber) draw(collection, fit);
        })
        .catch(function () {
          if (mine === requestNumber) say(d.labelFailed);
        });
    }

    map.on("moveend", function () {
      if (followViewport) load(bboxParam(map.getBounds()), false);
    });
    load(null, true);
    if (window.GrassrootsOutlines && d.outlinesUrl) {
      // only the village and township around the grids: the grids themselves are drawn above, in colour
      window.GrassrootsOutlines.draw(map, d.outlinesUrl, { home: d.current, levels: [4, 5] });
    }
    if (window.GrassrootsOutlines && d.casesUrl) {
      window.GrassrootsOutlines.cases(map, el, {
        legend: el.parentNode.querySelector("[data-case-legend]"),
        legendTitle: d.labelCases,
      });
    }
  }

  function start() {
    var el = document.getElementById("grid-map");
    if (el && window.L) init(el);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
