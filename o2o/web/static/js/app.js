/* o2o pages: small behaviours shared by every page. No inline scripts (CSP): everything lives here.
 * Alpine (CSP build) components are registered with Alpine.data before Alpine starts. */
(function () {
  "use strict";

  function pad(n) { return String(n).padStart(2, "0"); }

  // Alpine: a countdown to an ISO timestamp in data-expires (the payment hold).
  document.addEventListener("alpine:init", function () {
    window.Alpine.data("countdown", function () {
      return {
        text: "",
        timer: null,
        expires: 0,
        init: function () {
          this.expires = Date.parse(this.$el.dataset.expires);
          this.expiredText = this.$el.dataset.expiredText || "0:00";
          this.tick();
          var self = this;
          this.timer = setInterval(function () { self.tick(); }, 1000);
        },
        destroy: function () { clearInterval(this.timer); },
        tick: function () {
          var ms = this.expires - Date.now();
          if (!(ms > 0)) {
            this.text = this.expiredText;
            this.$el.classList.add("is-expired");
            clearInterval(this.timer);
            return;
          }
          var total = Math.floor(ms / 1000);
          this.text = Math.floor(total / 60) + ":" + pad(total % 60);
          this.$el.classList.toggle("is-urgent", total < 120);
        },
      };
    });
  });

  // Opening-hours editor: show the windows a day's mode needs.
  function syncHours(select) {
    var day = select.closest("[data-hours-day]");
    if (!day) return;
    day.dataset.mode = select.value;
  }

  function initHours(root) {
    root.querySelectorAll("select[data-hours-mode]").forEach(function (sel) {
      syncHours(sel);
      sel.addEventListener("change", function () { syncHours(sel); });
    });
  }

  function initCopyFields(root) {
    root.querySelectorAll("[data-select-on-focus]").forEach(function (input) {
      input.addEventListener("focus", function () { input.select(); });
    });
  }

  // One submit per click: a double tap on Buy or Pay must not send the form twice. Buttons are
  // disabled after the submit event, when the form data (with the clicked button's value) is taken.
  document.addEventListener("submit", function (e) {
    var form = e.target;
    if (!form || (form.method || "").toLowerCase() !== "post" || form.hasAttribute("hx-post")) return;
    setTimeout(function () {
      form.querySelectorAll("button:not([type=button])").forEach(function (b) { b.disabled = true; });
    }, 0);
  });
  // Coming back with the browser's back button shows the page as it was: enable the buttons again.
  window.addEventListener("pageshow", function (e) {
    if (e.persisted) document.querySelectorAll("form button[disabled]").forEach(function (b) { b.disabled = false; });
  });

  function init(root) {
    initHours(root);
    initCopyFields(root);
  }

  function revealCurrentNav() {
    var nav = document.querySelector(".mainnav");
    var current = nav && nav.querySelector('[aria-current="page"]');
    if (current && nav.scrollWidth > nav.clientWidth) nav.scrollLeft = current.offsetLeft - nav.clientWidth / 3;
  }

  document.addEventListener("DOMContentLoaded", function () { init(document); revealCurrentNav(); });
  document.addEventListener("htmx:load", function (e) { if (e.target && e.target.querySelectorAll) init(e.target); });
})();
