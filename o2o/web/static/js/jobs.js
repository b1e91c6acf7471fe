// Custom jobs' pages: show the names of the files a person picked (phones hide them), and fill the site's
// position from the phone when asked. Nothing here is needed to send a form.
(function () {
  "use strict";
  document.addEventListener("change", function (ev) {
    var input = ev.target;
    if (!input.matches || !input.matches("input[type=file][data-file-list]")) return;
    var list = document.getElementById(input.dataset.fileList);
    if (!list) return;
    list.textContent = "";
    Array.prototype.forEach.call(input.files || [], function (f) {
      var li = document.createElement("li");
      li.textContent = f.name + " (" + Math.max(1, Math.round(f.size / 1024)) + " KB)";
      list.appendChild(li);
    });
  });
  document.addEventListener("click", function (ev) {
    var btn = ev.target.closest && ev.target.closest("[data-locate]");
    if (!btn || !navigator.geolocation) return;
    var msg = document.querySelector("[data-locate-msg]");
    navigator.geolocation.getCurrentPosition(function (pos) {
      document.getElementById("id_site_lat").value = pos.coords.latitude.toFixed(6);
      document.getElementById("id_site_lng").value = pos.coords.longitude.toFixed(6);
      if (msg) msg.textContent = btn.dataset.done;
    }, function () {
      if (msg) msg.textContent = btn.dataset.failed;
    }, {enableHighAccuracy: true, timeout: 10000});
  });
})();
