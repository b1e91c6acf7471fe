// Slot pickers (web/bookings/book.html): times are the store's; where the reader's own timezone differs,
// each slot shows the reader's time beside it ("your time 03:00") and the note above says so.
(function () {
  "use strict";
  function run() {
    var mine = Intl.DateTimeFormat().resolvedOptions().timeZone;
    var note = document.getElementById("tz-note");
    if (!note || !mine || note.dataset.storeTz === mine) return;
    note.textContent = note.dataset.text.replace("{tz}", note.dataset.storeTz);
    var fmt = new Intl.DateTimeFormat(document.documentElement.lang || undefined,
      { hour: "2-digit", minute: "2-digit", weekday: "short", hour12: false, timeZone: mine });
    document.querySelectorAll("[data-utc]").forEach(function (el) {
      var at = new Date(el.dataset.utc);
      if (!isNaN(at)) el.textContent = "(" + fmt.format(at) + ")";
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", run); else run();
})();
