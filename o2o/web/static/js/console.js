/* Merchant console: copy buttons and the tab strip. No inline script (CSP): everything lives here. */
(function () {
  "use strict";

  function status(button, text) {
    var box = button.closest(".invite-box, .copy-box") || button.parentNode;
    var out = box && box.querySelector(".copy-status");
    if (out) out.textContent = text;
  }

  function selectText(input) {
    input.focus();
    input.select();
    if (input.setSelectionRange) input.setSelectionRange(0, input.value.length);
  }

  // The old way, for browsers without the async clipboard (plain http on another host, old WebViews).
  function legacyCopy(input) {
    selectText(input);
    try { return document.execCommand("copy"); } catch (e) { return false; }
  }

  // <button data-copy="#input-id">: copies the input's text. When the browser refuses, the text is
  // left selected and the person is told to copy it themselves.
  document.addEventListener("click", function (e) {
    var button = e.target.closest && e.target.closest("[data-copy]");
    if (!button) return;
    e.preventDefault();
    var input = document.querySelector(button.getAttribute("data-copy"));
    if (!input) return;
    var copied = button.getAttribute("data-copied-text") || "Copied";
    var fallback = button.getAttribute("data-fallback-text") || "";
    function done() { button.classList.add("is-copied"); status(button, copied); selectText(input); }
    function manual() {
      if (legacyCopy(input)) { done(); return; }
      selectText(input);
      status(button, fallback);
    }
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(input.value).then(done, manual);
    } else {
      manual();
    }
  });

  // The tab strip: on a narrow screen the current tab is scrolled into view.
  function revealCurrentTab() {
    document.querySelectorAll("[data-tab-strip]").forEach(function (strip) {
      var current = strip.querySelector('[aria-current="page"]');
      if (!current || strip.scrollWidth <= strip.clientWidth) return;
      strip.scrollLeft = current.offsetLeft - (strip.clientWidth - current.offsetWidth) / 2;
    });
  }

  document.addEventListener("DOMContentLoaded", revealCurrentTab);
})();
