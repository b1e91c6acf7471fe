/* "Near you": the location bar. Sets the position in the form and lets htmx reload the list. */
(function () {
  "use strict";

  function setLocation(form, lat, lng, label) {
    form.querySelector('input[name="lat"]').value = lat;
    form.querySelector('input[name="lng"]').value = lng;
    form.querySelector('input[name="label"]').value = label;
    var place = form.querySelector('input[name="place"]');
    if (place) place.value = "";
    form.requestSubmit();
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
