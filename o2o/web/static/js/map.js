/* Offline maps: Leaflet with no tile layer; the basemap is the project's own demo_city.geojson.
 * Stores are L.circleMarker (no image markers). fitBounds runs before any layer is added. */
(function () {
  "use strict";

  var BASE_STYLE = {
    district: { color: "#c9d3cc", weight: 1, fillColor: "#eef3ee", fillOpacity: 1 },
    river: { color: "#9cc7e8", weight: 5, opacity: 0.9 },
    ring: { color: "#f4c27a", weight: 4, opacity: 0.9 },
    road2: { color: "#ffffff", weight: 3.5, opacity: 1 },
    road3: { color: "#ffffff", weight: 1.6, opacity: 0.9 },
  };

  function styleFor(feature) {
    var p = feature.properties || {};
    if (p.kind === "district") return BASE_STYLE.district;
    if (p.kind === "river") return Object.assign({}, BASE_STYLE.river, { weight: p.rank === 1 ? 6 : 3.5 });
    if (p.kind === "ring") return BASE_STYLE.ring;
    if (p.kind === "road") return p.rank === 2 ? BASE_STYLE.road2 : BASE_STYLE.road3;
    return { color: "#ccc", weight: 1 };
  }

  var basemapCache = {};
  function loadBasemap(url) {
    if (!basemapCache[url]) {
      basemapCache[url] = fetch(url, { credentials: "same-origin" }).then(function (r) {
        if (!r.ok) throw new Error("basemap " + r.status);
        return r.json();
      });
    }
    return basemapCache[url];
  }

  // Server and basemap text goes into the map as text nodes, never as HTML: Leaflet treats a string
  // given to bindTooltip, bindPopup or divIcon({html}) as markup, so it always gets an element.
  function textEl(tag, text, cls) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    e.textContent = text == null ? "" : String(text);
    return e;
  }

  function ringCentre(coords) {
    var ring = coords[0], lat = 0, lng = 0, n = ring.length - 1 || 1;
    for (var i = 0; i < n; i++) { lng += ring[i][0]; lat += ring[i][1]; }
    return [lat / n, lng / n];
  }

  function addBasemap(map, url) {
    map.createPane("basemap");
    map.getPane("basemap").style.zIndex = 200;
    map.createPane("labels");
    map.getPane("labels").style.zIndex = 250;
    map.getPane("labels").style.pointerEvents = "none";
    var lang = (document.documentElement.lang || "en").slice(0, 2);
    return loadBasemap(url).then(function (data) {
      L.geoJSON(data, { pane: "basemap", style: styleFor, interactive: false }).addTo(map);
      data.features.forEach(function (f) {
        if (!f.properties || f.properties.kind !== "district") return;
        var name = lang === "zh" ? f.properties.name_zh : f.properties.name;
        L.marker(ringCentre(f.geometry.coordinates), {
          pane: "labels", interactive: false, keyboard: false,
          icon: L.divIcon({ className: "district-label", html: textEl("span", name), iconSize: null }),
        }).addTo(map);
      });
    }).catch(function () { map.getContainer().classList.add("map-nobase"); });
  }

  function newMap(el, opts) {
    var map = L.map(el, Object.assign({ attributionControl: false, zoomSnap: 0.5, preferCanvas: false,
      scrollWheelZoom: false, maxZoom: 18, minZoom: 10 }, opts || {}));
    return map;
  }

  function boundsFor(data) {
    var pts = [data.centre];
    (data.stores || []).forEach(function (s) { pts.push([s.lat, s.lng]); });
    var b = L.latLngBounds(pts);
    if (pts.length === 1 || b.getNorthEast().distanceTo(b.getSouthWest()) < 400) {
      b = L.latLng(data.centre[0], data.centre[1]).toBounds(900);
      pts.forEach(function (p) { b.extend(p); });
    }
    return b.pad(0.12);
  }

  function readData(id) {
    var el = document.getElementById(id);
    if (!el) return null;
    try { return JSON.parse(el.textContent); } catch (e) { return null; }
  }

  // Home and store page: the customer's position and the stores.
  function initResultsMap() {
    var el = document.getElementById("map");
    var data = readData("map-data");
    if (!el || !data || !window.L) return;
    var map = newMap(el);
    map.fitBounds(boundsFor(data), { maxZoom: el.dataset.zoom ? +el.dataset.zoom : 16 });
    addBasemap(map, el.dataset.basemap);
    var layer = L.layerGroup().addTo(map);

    function draw(d) {
      layer.clearLayers();
      if (d.label !== undefined) {
        L.circleMarker(d.centre, { radius: 11, color: "#2563eb", weight: 0, fillColor: "#2563eb", fillOpacity: 0.18 }).addTo(layer);
        L.circleMarker(d.centre, { radius: 6, color: "#fff", weight: 2.5, fillColor: "#2563eb", fillOpacity: 1 })
          .bindTooltip(textEl("span", el.dataset.you || ""), { direction: "top" }).addTo(layer);
      }
      (d.stores || []).forEach(function (s) {
        var m = L.circleMarker([s.lat, s.lng], {
          radius: s.deals ? 9 : 7, color: "#fff", weight: 2,
          fillColor: s.open ? "#ff5a1f" : "#9ca3af", fillOpacity: 1,
        }).bindTooltip(textEl("span", s.name, "map-tip"), { direction: "top", offset: [0, -6] });
        if (s.url) {
          m.on("click", function () { window.location.href = s.url; });
          m.on("mouseover", function () { highlight(s.id, true); });
          m.on("mouseout", function () { highlight(s.id, false); });
        }
        m.addTo(layer);
      });
    }

    function highlight(id, on) {
      var card = document.querySelector('[data-store="' + id + '"]');
      if (card) card.classList.toggle("is-hover", on);
    }

    var current = data;
    draw(data);
    document.body.addEventListener("htmx:afterSettle", function (e) {
      if (!e.detail || !e.detail.target || e.detail.target.id !== "results") return;
      var d = readData("map-data");
      if (!d) return;
      current = d;
      if (el.clientWidth && el.clientHeight) map.fitBounds(boundsFor(d), { maxZoom: 16 });
      draw(d);
    });
    // A map drawn while hidden (a phone's "Map" toggle) has no size: size it and fit it once it shows.
    if (window.ResizeObserver) {
      var seen = el.clientWidth + "x" + el.clientHeight;
      new ResizeObserver(function () {
        var now = el.clientWidth + "x" + el.clientHeight;
        if (now === seen || !el.clientWidth || !el.clientHeight) { seen = now; return; }
        seen = now;
        map.invalidateSize();
        map.fitBounds(boundsFor(current), { maxZoom: el.dataset.zoom ? +el.dataset.zoom : 16 });
      }).observe(el);
    }
  }

  // Store form: click the map (or type lat/lng) to place the store.
  function initPicker() {
    var el = document.getElementById("picker");
    var data = readData("picker-data");
    if (!el || !data || !window.L) return;
    var lat = document.querySelector('[data-pick="lat"]');
    var lng = document.querySelector('[data-pick="lng"]');
    var start = (lat.value && lng.value) ? [+lat.value, +lng.value] : data.centre;
    var map = newMap(el, { scrollWheelZoom: true });
    map.fitBounds(L.latLng(start[0], start[1]).toBounds(3000));
    addBasemap(map, el.dataset.basemap);
    var marker = null;
    function place(p, fill) {
      if (!marker) {
        marker = L.circleMarker(p, { radius: 10, color: "#fff", weight: 3, fillColor: "#ff5a1f", fillOpacity: 1 }).addTo(map);
      } else {
        marker.setLatLng(p);
      }
      if (fill) {
        lat.value = p.lat.toFixed(6);
        lng.value = p.lng.toFixed(6);
      }
    }
    if (lat.value && lng.value) place(L.latLng(+lat.value, +lng.value), false);
    map.on("click", function (e) { place(e.latlng, true); });
    function typed() {
      var a = parseFloat(lat.value), b = parseFloat(lng.value);
      if (isFinite(a) && isFinite(b) && Math.abs(a) <= 90 && Math.abs(b) <= 180) {
        place(L.latLng(a, b), false);
        map.panTo([a, b]);
      }
    }
    lat.addEventListener("change", typed);
    lng.addEventListener("change", typed);
  }

  // the delivery pages (js/delivery.js) draw on the same offline basemap
  window.O2OMap = { newMap: newMap, addBasemap: addBasemap, textEl: textEl };

  document.addEventListener("DOMContentLoaded", function () {
    initResultsMap();
    initPicker();
  });
})();
