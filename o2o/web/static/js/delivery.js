/* Delivery pages on the offline map (js/map.js: Leaflet, no tiles, the shipped demo_city.geojson).
 * - The courier's page (#courier): shares the phone's position (geolocation, at most one every 15 s,
 *   POST /api/v1/courier/position) while on shift, and draws the route: me -> stops in order.
 * - The customer's order page (#delivery-map): the store, the door and the courier's last position,
 *   redrawn each time htmx swaps in a fresh #order-delivery panel.
 * - Ordering for delivery (#checkout-map): the store and its delivery zones shaded; a tap on the map
 *   or a drag of the pin (or "Use my location") sets the form's lat/lng and fires `o2o:pin` on the form,
 *   which fetches the quote box again (htmx). */
(function () {
  "use strict";
  var SHARE_EVERY_MS = 15000;

  function readJSON(id) {
    var el = document.getElementById(id);
    if (!el) return null;
    try { return JSON.parse(el.textContent); } catch (e) { return null; }
  }

  // map.js's element maker: Leaflet gets an element whose text is the label, never markup
  function textEl(tag, text) { return O2OMap.textEl(tag, text); }

  function dot(latlng, colour, radius, label) {
    var m = L.circleMarker(latlng, { radius: radius, color: "#fff", weight: 2, fillColor: colour, fillOpacity: 1 });
    if (label) m.bindTooltip(textEl("span", label), { direction: "top", offset: [0, -6] });
    return m;
  }

  function drawer(el) {
    var map = O2OMap.newMap(el, { zoomControl: false });
    var layer = null, framed = 0, based = false;
    return function draw(points, route) {
      if (!points.length) return;
      var bounds = L.latLngBounds(points.map(function (p) { return p.at; }));
      // fitBounds before any layer (map.js's rule); again when a point joins (the courier shows up)
      // or leaves the view, never on every poll (the customer may have zoomed in)
      if (points.length > framed || !map.getBounds().contains(bounds)) {
        map.fitBounds(bounds.pad(0.35), { maxZoom: 16 });
        framed = points.length;
      }
      if (!based) { O2OMap.addBasemap(map, el.dataset.basemap); based = true; }
      if (layer) layer.remove();
      layer = L.layerGroup();
      if (route && route.length > 1) {
        L.polyline(route, { color: "#d9480f", weight: 4, opacity: 0.85, dashArray: "6 6" }).addTo(layer);
      }
      points.forEach(function (p) { dot(p.at, p.colour, p.radius || 7, p.label).addTo(layer); });
      layer.addTo(map);
    };
  }

  // --- the customer's order page ---
  function initOrderMap() {
    var el = document.getElementById("delivery-map");
    if (!el || !window.L || !window.O2OMap) return;
    var draw = drawer(el);
    function refresh() {
      var d = readJSON("delivery-map-data");
      if (!d) return;
      var pts = [{ at: d.store, colour: "#2b8a3e", label: d.labels.store },
                 { at: d.dropoff, colour: "#1c7ed6", label: d.labels.dropoff }];
      var route = d.route === false ? null : [d.store, d.dropoff];
      if (d.courier) {
        pts.push({ at: d.courier, colour: "#d9480f", radius: 9, label: d.labels.courier });
        route = [d.courier, d.dropoff];
      }
      draw(pts, route);
    }
    refresh();
    document.body.addEventListener("htmx:afterSettle", refresh);
  }

  // --- ordering for delivery: where to bring it ---
  function initCheckout() {
    var el = document.getElementById("checkout-map");
    var d = readJSON("checkout-map-data");
    if (!el || !d || !window.L || !window.O2OMap) return;
    var form = el.closest("form");
    var lat = form.querySelector('[data-pin="lat"]'), lng = form.querySelector('[data-pin="lng"]');
    var map = O2OMap.newMap(el, { zoomControl: true, tap: true });
    var frame = L.latLngBounds([d.store, d.store]);
    d.zones.forEach(function (z) {
      if (z.kind === "radius") frame.extend(L.latLng(d.store[0], d.store[1]).toBounds(z.radius_m * 2));
      else z.ring.forEach(function (p) { frame.extend(p); });
    });
    if (d.pin) frame.extend(d.pin);
    map.fitBounds(frame.pad(0.05), { maxZoom: 16 });  // before any layer (map.js's rule)
    O2OMap.addBasemap(map, el.dataset.basemap);
    var area = { color: "#2b8a3e", weight: 2, opacity: 0.7, fillColor: "#2b8a3e", fillOpacity: 0.08, interactive: false };
    d.zones.forEach(function (z) {
      if (z.kind === "radius") L.circle(d.store, Object.assign({ radius: z.radius_m }, area)).addTo(map);
      else L.polygon(z.ring, area).addTo(map);
    });
    dot(d.store, "#2b8a3e", 8, d.labels.store).addTo(map);
    var icon = L.divIcon({ className: "drop-pin", html: textEl("span", ""), iconSize: [28, 40], iconAnchor: [14, 38] });
    var pin = null;
    function set(latlng, tell) {
      if (!pin) {
        pin = L.marker(latlng, { icon: icon, draggable: true, keyboard: false, autoPan: true }).addTo(map);
        pin.on("dragend", function () { set(pin.getLatLng(), true); });
      } else {
        pin.setLatLng(latlng);
      }
      lat.value = latlng.lat.toFixed(6);
      lng.value = latlng.lng.toFixed(6);
      el.classList.add("has-pin");
      if (tell) form.dispatchEvent(new CustomEvent("o2o:pin", { bubbles: true }));
    }
    if (d.pin) set(L.latLng(d.pin[0], d.pin[1]), false);
    map.on("click", function (e) { set(e.latlng, true); });

    var bar = form.querySelector("[data-cart-bar]"), card = document.getElementById("checkout");
    if (bar && card && window.IntersectionObserver) {  // the bar's total is the dishes' only: not beside the quote
      new IntersectionObserver(function (seen) {
        document.body.classList.toggle("checkout-in-view", seen[0].isIntersecting);
      }, { threshold: 0.05 }).observe(card);
    }

    var locate = form.querySelector("[data-locate]"), note = form.querySelector("[data-locate-note]");
    if (locate && navigator.geolocation) {
      locate.hidden = false;
      locate.addEventListener("click", function () {
        note.textContent = locate.dataset.msgLocating;
        navigator.geolocation.getCurrentPosition(function (pos) {
          note.textContent = "";
          var here = L.latLng(pos.coords.latitude, pos.coords.longitude);
          set(here, true);
          // the delivery area and where the phone is, together: outside it, the customer sees how far
          map.fitBounds(L.latLngBounds([frame.getSouthWest(), frame.getNorthEast(), here]).pad(0.05), { maxZoom: 16 });
        }, function () { note.textContent = locate.dataset.msgDenied; },
        { enableHighAccuracy: true, maximumAge: 30000, timeout: 15000 });
      });
    }
  }

  // --- the courier's page ---
  function csrf() {
    var m = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    if (m) return decodeURIComponent(m[1]);
    var input = document.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function initCourier() {
    var root = document.getElementById("courier");
    if (!root) return;
    var status = document.getElementById("courier-pos");
    var el = document.getElementById("courier-map");
    var draw = el && window.L && window.O2OMap ? drawer(el) : null;
    var me = null;

    function refresh() {
      var d = readJSON("courier-map-data");
      if (!d || !draw) return;
      var here = me || d.courier;
      var pts = [], route = [];
      if (here) { pts.push({ at: here, colour: "#d9480f", radius: 9 }); route.push(here); }
      d.stops.forEach(function (s, i) {
        pts.push({ at: [s.lat, s.lng], colour: s.kind === "pickup" ? "#2b8a3e" : "#1c7ed6", label: (i + 1) + ". " + s.label });
        route.push([s.lat, s.lng]);
      });
      if (!pts.length && d.centre) pts.push({ at: d.centre, colour: "#2b8a3e" });
      draw(pts, route);
    }
    refresh();
    document.body.addEventListener("htmx:afterSettle", refresh);

    if (root.dataset.on !== "1" || !navigator.geolocation) return;
    var last = 0;
    function send(pos) {
      var now = Date.now();
      me = [pos.coords.latitude, pos.coords.longitude];
      if (now - last < SHARE_EVERY_MS) return;  // throttled here; the server keeps one per 5 s anyway
      last = now;
      fetch(root.dataset.positionUrl, {
        method: "POST", credentials: "same-origin",
        headers: { "Content-Type": "application/json", "Accept": "application/json", "X-CSRFToken": csrf() },
        body: JSON.stringify({ lat: me[0], lng: me[1] }),
      }).then(function (r) {
        if (r.ok) {
          status.textContent = root.dataset.msgSharing + " " + new Date().toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
        } else if (r.status === 422) {
          status.textContent = root.dataset.msgFar;
        }
      }).catch(function () {});
      refresh();
    }
    navigator.geolocation.watchPosition(send, function () { status.textContent = root.dataset.msgDenied; },
                                        { enableHighAccuracy: true, maximumAge: 10000, timeout: 20000 });
  }

  document.addEventListener("DOMContentLoaded", function () {
    initOrderMap();
    initCheckout();
    initCourier();
  });
})();
