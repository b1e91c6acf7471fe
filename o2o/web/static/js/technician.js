/* The technician's day (#tech): the route on the offline map (js/map.js: Leaflet, no tiles, the shipped
 * demo_city.geojson): the store, then each visit numbered in driving order; and each check-in form filled
 * from the phone at the moment it is sent: its position (browser geolocation) and its clock. The server
 * decides (too far from the site, a time from the future) and the page shows its answer. */
(function () {
  "use strict";

  function textEl(tag, text, cls) { return O2OMap.textEl(tag, text, cls); }

  function readJSON(id) {
    var el = document.getElementById(id);
    if (!el) return null;
    try { return JSON.parse(el.textContent); } catch (e) { return null; }
  }

  function initMap() {
    var el = document.getElementById("tech-map");
    var d = readJSON("tech-map-data");
    if (!el || !d || !window.L || !window.O2OMap) return;
    var pts = d.stops.map(function (s) { return [s.lat, s.lng]; });
    if (d.store) pts.unshift([d.store.lat, d.store.lng]);
    if (!pts.length) return;
    var map = O2OMap.newMap(el, { zoomControl: false });
    var bounds = L.latLngBounds(pts);
    if (pts.length === 1 || bounds.getNorthEast().distanceTo(bounds.getSouthWest()) < 500) {
      bounds = L.latLng(pts[0][0], pts[0][1]).toBounds(1200).extend(bounds);
    }
    map.fitBounds(bounds.pad(0.2), { maxZoom: 16 });  // before any layer (map.js's rule)
    O2OMap.addBasemap(map, el.dataset.basemap);
    if (pts.length > 1) L.polyline(pts, { color: "#1c7ed6", weight: 4, opacity: 0.8, dashArray: "6 6" }).addTo(map);
    if (d.store) {
      L.circleMarker([d.store.lat, d.store.lng], { radius: 8, color: "#fff", weight: 2, fillColor: "#495057", fillOpacity: 1 })
        .bindTooltip(textEl("span", d.store.label), { direction: "top", offset: [0, -6] }).addTo(map);
    }
    d.stops.forEach(function (s) {
      var icon = L.divIcon({ className: "", iconSize: [22, 22], iconAnchor: [11, 11],
        html: textEl("div", String(s.n), "tech-stop" + (s.state === "done" ? " is-done" : "")) });
      L.marker([s.lat, s.lng], { icon: icon, keyboard: false })
        .bindTooltip(textEl("span", s.label), { direction: "top", offset: [0, -10] }).addTo(map);
    });
  }

  function initCheckIns() {
    var root = document.getElementById("tech");
    if (!root) return;
    document.querySelectorAll("form[data-checkin]").forEach(function (form) {
      var status = form.querySelector(".checkin-status");
      var sending = false;
      form.addEventListener("submit", function (ev) {
        ev.preventDefault();
        if (sending) return;
        var photo = form.querySelector('input[name="photo"]');
        if (!photo.files || !photo.files.length) { status.textContent = root.dataset.msgPhoto; return; }
        if (!navigator.geolocation) { status.textContent = root.dataset.msgDenied; return; }
        status.textContent = root.dataset.msgLocating;
        sending = true;
        navigator.geolocation.getCurrentPosition(function (pos) {
          form.elements.lat.value = pos.coords.latitude.toFixed(6);
          form.elements.lng.value = pos.coords.longitude.toFixed(6);
          form.elements.at.value = new Date().toISOString();  // the phone's own clock
          form.submit();
        }, function () {
          sending = false;
          status.textContent = root.dataset.msgDenied;
        }, { enableHighAccuracy: true, timeout: 20000, maximumAge: 0 });
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    initMap();
    initCheckIns();
  });
})();
