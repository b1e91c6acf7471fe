/* The kitchen screen and the counter's point of sale (o2o/web/views/ordering_staff.py).
 *
 * - #queue polls its fragment with htmx; a poll is skipped while a reject form is open or being typed
 *   in, so that the screen never wipes what the cook is choosing.
 * - A new order (an id in the fragment's data-new that was not there before) plays a short sound,
 *   once the cook has tapped "Tap to enable sound" (browsers allow audio only after a tap).
 * - The pickup-code box clears and refocuses after each code, ready for the next scan.
 * - [data-print] buttons print the page (the receipt).
 */
(function () {
  "use strict";

  function onReady(fn) {
    if (document.readyState !== "loading") fn();
    else document.addEventListener("DOMContentLoaded", fn);
  }

  onReady(function () {
    document.querySelectorAll("[data-print]").forEach(function (b) {
      b.addEventListener("click", function () { window.print(); });
    });

    var root = document.getElementById("kitchen");
    if (!root) return;
    var queue = document.getElementById("queue");
    var audio = null;
    var soundOn = false;
    var known = null;

    function ids() {
      var kq = queue.querySelector(".kq");
      var raw = kq ? (kq.getAttribute("data-new") || "") : "";
      return raw.split(" ").filter(Boolean);
    }
    known = new Set(ids());

    var enable = document.getElementById("sound-enable");
    var onBadge = document.getElementById("sound-on");
    if (enable) {
      enable.addEventListener("click", function () {
        audio = new Audio(root.getAttribute("data-sound"));
        audio.volume = 1.0;
        var p = audio.play();
        var ok = function () { soundOn = true; enable.hidden = true; if (onBadge) onBadge.hidden = false; };
        if (p && p.then) p.then(ok).catch(function () { enable.classList.add("btn-danger"); });
        else ok();
      });
    }

    function busy() {
      if (queue.querySelector("details.kreject[open]")) return true;
      var a = document.activeElement;
      return !!(a && queue.contains(a) && a.tagName === "INPUT");
    }

    document.body.addEventListener("htmx:beforeRequest", function (e) {
      var elt = e.detail && e.detail.elt;
      if (elt === queue && e.detail.requestConfig && e.detail.requestConfig.verb === "get" && busy()) {
        e.preventDefault();
      }
    });

    document.body.addEventListener("htmx:afterSwap", function (e) {
      if (e.detail.target === queue) {
        var now = ids();
        var fresh = now.some(function (id) { return !known.has(id); });
        known = new Set(now);
        if (fresh) {
          root.classList.add("has-new");
          window.setTimeout(function () { root.classList.remove("has-new"); }, 2500);
          if (soundOn && audio) { audio.currentTime = 0; audio.play().catch(function () {}); }
        }
      }
      if (e.detail.target && e.detail.target.id === "pickup-result") {
        var input = document.getElementById("pickup-code");
        if (input) { input.value = ""; input.focus(); }
        if (window.htmx) window.htmx.ajax("GET", queue.getAttribute("hx-get"), { target: queue, swap: "innerHTML" });
        var shown = e.detail.target.firstElementChild;
        window.setTimeout(function () {
          if (shown && shown.parentNode === e.detail.target) e.detail.target.replaceChildren();
        }, 10000);
      }
    });
  });
})();
