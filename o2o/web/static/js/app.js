/* o2o pages: small behaviours shared by every page. No inline scripts (CSP): everything lives here.
 * Alpine (CSP build) components are registered with Alpine.data before Alpine starts. */
(function () {
  "use strict";

  function pad(n) { return String(n).padStart(2, "0"); }

  // Dates as the server writes them: the page's named patterns (o2o/web/formats, read from
  // <html data-date-formats>) filled from Intl.DateTimeFormat(document.documentElement.lang, ...), always
  // on the 24-hour clock and in the page's zone (or the one a caller names, e.g. the store's).
  // o2oDates.format(isoOrDate, "datetime" | "date" | "time", timeZone?)
  var FALLBACK = { datetime: "Y-m-d H:i", date: "Y-m-d", time: "H:i" };
  function pageFormats() {
    try { return JSON.parse(document.documentElement.dataset.dateFormats || "{}"); } catch (e) { return {}; }
  }
  function dateFormat(value, kind, timeZone) {
    var d = value instanceof Date ? value : new Date(value);
    if (value === null || value === undefined || value === "" || isNaN(d)) return value ? String(value) : "";
    var page = pageFormats();
    var pattern = page[kind || "datetime"] || FALLBACK[kind || "datetime"] || FALLBACK.datetime;
    var lang = document.documentElement.lang || "en";
    var zone = timeZone || page.tz || undefined;
    var num = {};
    new Intl.DateTimeFormat(lang, { year: "numeric", month: "numeric", day: "numeric", hour: "numeric",
      minute: "numeric", second: "numeric", hourCycle: "h23", hour12: false, numberingSystem: "latn", timeZone: zone })
      .formatToParts(d).forEach(function (p) { num[p.type] = p.value; });
    function name(opts) {
      return new Intl.DateTimeFormat(lang, Object.assign({ timeZone: zone }, opts)).format(d);
    }
    var hour = +num.hour % 24;
    var out = "";
    for (var i = 0; i < pattern.length; i++) {
      var c = pattern.charAt(i);
      if (c === "\\") { out += pattern.charAt(++i); continue; }
      switch (c) {
        case "Y": out += num.year; break;
        case "y": out += String(num.year).slice(-2); break;
        case "n": out += +num.month; break;
        case "m": out += pad(+num.month); break;
        case "j": out += +num.day; break;
        case "d": out += pad(+num.day); break;
        case "M": out += name({ month: "short" }); break;
        case "F": out += name({ month: "long" }); break;
        case "D": out += name({ weekday: "short" }); break;
        case "l": out += name({ weekday: "long" }); break;
        case "H": out += pad(hour); break;
        case "G": out += hour; break;
        case "i": out += pad(+num.minute); break;
        case "s": out += pad(+num.second); break;
        default: out += c;
      }
    }
    return out;
  }
  window.o2oDates = { format: dateFormat };

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
    // getAttribute, not form.method: a control named "method" (a Cash / Card button) shadows the property
    if (!form || (form.getAttribute("method") || "").toLowerCase() !== "post" || form.hasAttribute("hx-post")) return;
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
