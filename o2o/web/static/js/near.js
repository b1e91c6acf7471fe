/* "Near you": the location bar. Sets the position in the form and lets htmx reload the list. */
(function () {
  "use strict";

  function setLocation(form, lat, lng, label) {
    form.querySelector('input[name="lat"]').value = lat;
    form.querySelector('input[name="lng"]').value = lng;
    form.querySelector('input[name="label"]').value = label;
    var place = form.querySelector('input[name="place"]');
    if (place) place.value = "";
    // A district typed in the search box would move the search back there: a new position replaces it.
    var q = form.querySelector('input[name="q"]');
    if (q && isDistrict(form, q.value)) q.value = "";
    form.requestSubmit();
  }

  function isDistrict(form, text) {
    var needle = (text || "").trim().toLowerCase();
    if (!needle) return false;
    return Array.prototype.some.call(form.querySelectorAll("#districts option"), function (o) {
      return o.value.toLowerCase() === needle || (o.textContent || "").trim() === text.trim();
    });
  }

  // Filters fold behind a button and the map behind "Map" on phones (app.css shows both on wide screens).
  function initToggles(form) {
    form.classList.add("js");
    var filtersBtn = form.querySelector("[data-filters-toggle]");
    var filters = document.getElementById("filters");
    if (filtersBtn && filters) {
      filtersBtn.addEventListener("click", function () {
        var open = !filters.classList.contains("is-open");
        filters.classList.toggle("is-open", open);
        filtersBtn.setAttribute("aria-expanded", open ? "true" : "false");
      });
    }
    var mapBtn = form.querySelector("[data-map-toggle]");
    var layout = document.getElementById("near-layout");
    if (mapBtn && layout) {
      mapBtn.addEventListener("click", function () {
        var show = !layout.classList.contains("show-map");
        layout.classList.toggle("show-map", show);
        mapBtn.setAttribute("aria-pressed", show ? "true" : "false");
        if (show) document.getElementById("map-wrap").scrollIntoView({ block: "nearest" });
      });
    }
  }

  function say(text, isError) {
    var msg = document.getElementById("loc-msg");
    if (!msg) return;
    msg.textContent = text || "";
    msg.classList.toggle("is-error", !!isError);
  }

  document.addEventListener("DOMContentLoaded", function () {
    var form = document.getElementById("near-form");
    if (!form) return;
    initToggles(form);
    var geo = form.querySelector("[data-geo]");
    var centre = form.querySelector("[data-centre]");

    if (geo) {
      geo.addEventListener("click", function () {
        if (!("geolocation" in navigator)) { say(geo.dataset.msgNone, true); return; }
        say(geo.dataset.msgWait, false);
        geo.disabled = true;
        navigator.geolocation.getCurrentPosition(function (pos) {
          geo.disabled = false;
          say("", false);
          setLocation(form, pos.coords.latitude.toFixed(5), pos.coords.longitude.toFixed(5), geo.dataset.label);
        }, function (err) {
          geo.disabled = false;
          say(err && err.code === 1 ? geo.dataset.msgDenied : geo.dataset.msgFail, true);
        }, { enableHighAccuracy: false, timeout: 10000, maximumAge: 60000 });
      });
    }
    if (centre) {
      centre.addEventListener("click", function () {
        say("", false);
        setLocation(form, centre.dataset.lat, centre.dataset.lng, centre.dataset.label);
      });
    }
  });
})();
