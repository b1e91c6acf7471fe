/* The counter: scan (zxing-wasm) or type a voucher code, check it, redeem it.
 *
 * Layers, kept apart so an offline mode can slot in later:
 *   Codes    - parse and normalise what was scanned or typed (pure functions, no network)
 *   Api      - the network calls (/api/v1/redemptions/check and /api/v1/redemptions)
 *   Scanner  - camera frames -> canvas -> zxing-wasm -> text
 *   View     - what the clerk sees (result panel, recent list)
 *   Counter  - the flow tying them together
 * The offline mode (counter-offline.js, loaded after this file) registers itself as
 * window.o2oCounter.offline: with no network, handle() hands a parsed code to it (Ed25519 check in the
 * browser, a local queue, sync when back online); a request that cannot reach the server does the same.
 */
(function () {
  "use strict";

  var root = document.getElementById("counter");
  if (!root) return;
  var T = JSON.parse(document.getElementById("counter-i18n").textContent || "{}");
  var STORE = root.dataset.store;
  var TZ = root.dataset.tz || undefined;

  // ---------------------------------------------------------------- Codes
  var Codes = {
    DIGITS: 12,
    QR_PREFIX: "O2O1.",
    digitsOnly: function (text) { return String(text || "").replace(/\D+/g, ""); },
    group: function (digits) { return digits.replace(/(\d{4})(?=\d)/g, "$1 "); },
    PICKUP_DIGITS: 6,
    /** What to send for a scanned or typed text: {qr_payload} or {code} (a voucher), {pickup} (a pickup
     * order's 6-digit code, its QR holds just the digits), or {error}. */
    parse: function (text) {
      var t = String(text || "").trim();
      if (t.indexOf(Codes.QR_PREFIX) === 0) return { qr_payload: t };
      var d = Codes.digitsOnly(t);
      if (d.length === Codes.DIGITS && /^[\d\s-]+$/.test(t)) return { code: d };
      if (d.length === Codes.PICKUP_DIGITS && /^[\d\s-]+$/.test(t)) return { pickup: d };
      return { error: t && !/^[\d\s-]+$/.test(t) ? "not_voucher" : "need_digits" };
    },
  };

  // ---------------------------------------------------------------- Api
  var Api = {
    csrf: root.dataset.csrf,
    post: function (url, body) {
      return fetch(url, {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRFToken": Api.csrf, "Accept": "application/json" },
        body: JSON.stringify(body),
      }).then(function (r) {
        return r.json().catch(function () { return {}; }).then(function (data) {
          return { ok: r.ok, status: r.status, data: data };
        });
      }, function () {
        return { ok: false, status: 0, data: { error: { code: "network", message: T.network_text } } };
      });
    },
    check: function (input) { return Api.post(root.dataset.checkUrl, Object.assign({ store_id: STORE }, input)); },
    redeem: function (input) { return Api.post(root.dataset.redeemUrl, Object.assign({ store_id: STORE }, input)); },
    collect: function (code) { return Api.post(root.dataset.pickupUrl, { store_id: STORE, code: code }); },
  };

  // ---------------------------------------------------------------- View
  var resultEl = document.getElementById("result");
  // The server-rendered "Ready" panel, kept as nodes (never re-parsed as HTML).
  var idleNodes = Array.prototype.map.call(resultEl.childNodes, function (n) { return n.cloneNode(true); });
  var recentEl = document.getElementById("recent-list");

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = text;
    return e;
  }

  // Dates in the page's one style (app.js o2oDates: the server's DATETIME_FORMAT / TIME_FORMAT), in the store's zone.
  function fmtDate(iso) { return window.o2oDates.format(iso, "datetime", TZ); }

  function fmtTime(iso) { return window.o2oDates.format(iso ? new Date(iso) : new Date(), "time", TZ); }

  var View = {
    show: function (state, icon, title, text) {
      resultEl.className = "result is-" + state;
      resultEl.replaceChildren();
      resultEl.appendChild(el("div", "result-icon", icon));
      resultEl.appendChild(el("p", "result-title", title));
      if (text) resultEl.appendChild(el("p", "result-text", text));
      if (state !== "idle") {
        var r = resultEl.getBoundingClientRect();
        if (r.top < 0 || r.bottom > window.innerHeight) resultEl.scrollIntoView({ block: "start", behavior: "smooth" });
      }
      return resultEl;
    },
    idle: function () {
      resultEl.className = "result is-idle";
      resultEl.replaceChildren.apply(resultEl, idleNodes.map(function (n) { return n.cloneNode(true); }));
    },
    busy: function (text) { View.show("busy", "…", text); },
    facts: function (v) {
      var dl = el("dl", "result-facts");
      [[T.order, v.order_number], [T.customer, v.customer_name], [T.valid_until, fmtDate(v.valid_until)]]
        .forEach(function (row) {
          if (!row[1]) return;
          var div = el("div");
          div.appendChild(el("dt", null, row[0]));
          div.appendChild(el("dd", null, row[1]));
          dl.appendChild(div);
        });
      return dl;
    },
    valid: function (v, onRedeem, onCancel) {
      var box = View.show("valid", "✓", v.offering_title);
      box.insertBefore(el("p", "result-kicker", T.valid), box.querySelector(".result-title"));
      box.appendChild(View.facts(v));
      var actions = el("div", "result-actions");
      var go = el("button", "btn btn-success btn-xl btn-block", T.redeem);
      go.type = "button";
      go.addEventListener("click", function () { go.disabled = true; onRedeem(); });
      var no = el("button", "btn btn-ghost", T.cancel);
      no.type = "button";
      no.addEventListener("click", onCancel);
      actions.appendChild(go);
      actions.appendChild(no);
      box.appendChild(actions);
      go.focus();
    },
    done: function (r, checked, onNext) {
      var box = View.show("done", "✓", T.redeemed, T.redeemed_text);
      box.appendChild(View.facts({ order_number: r.order_number, customer_name: checked && checked.customer_name }));
      var next = el("button", "btn btn-primary btn-lg", T.next);
      next.type = "button";
      next.addEventListener("click", onNext);
      box.appendChild(next);
      next.focus();
    },
    error: function (code, message, onNext) {
      var title = (T.errors && (T.errors[code] || T.errors.error)) || code;
      var box = View.show("error", "✕", title, message);
      var next = el("button", "btn btn-ghost btn-lg", T.next);
      next.type = "button";
      next.addEventListener("click", onNext);
      box.appendChild(next);
    },
    addRecent: function (r, checked) {
      var empty = recentEl.querySelector(".recent-empty");
      if (empty) empty.remove();
      var li = el("li", "is-new");
      li.appendChild(el("span", "recent-time", fmtTime(r.redeemed_at)));
      var main = el("span", "recent-main");
      main.appendChild(el("strong", null, r.offering_title));
      var bits = [r.order_number];
      if (checked && checked.customer_name) bits.push(checked.customer_name);
      main.appendChild(el("span", "muted small", bits.join(" · ")));
      li.appendChild(main);
      recentEl.insertBefore(li, recentEl.firstChild);
      while (recentEl.children.length > 10) recentEl.removeChild(recentEl.lastChild);
    },
  };

  // ---------------------------------------------------------------- Scanner
  var Scanner = {
    video: document.getElementById("scan-video"),
    canvas: document.getElementById("scan-canvas"),
    msg: document.getElementById("scan-msg"),
    stream: null,
    running: false,
    paused: false,
    ready: null,
    onText: null,
    say: function (t) { Scanner.msg.textContent = t || ""; },
    prepare: function () {
      if (Scanner.ready) return Scanner.ready;
      var Z = window.ZXingWASM;
      if (!Z) return Promise.reject(new Error("zxing missing"));
      var wasm = root.dataset.wasm;
      Z.prepareZXingModule({
        overrides: { locateFile: function (path, prefix) { return path.endsWith(".wasm") ? wasm : prefix + path; } },
        fireImmediately: true,
      });
      Scanner.ready = Promise.resolve(Z);
      return Scanner.ready;
    },
    start: function () {
      if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
        Scanner.say(T.camera_none);
        return;
      }
      Scanner.say(T.camera_starting);
      Scanner.prepare().then(function () {
        return navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment", width: { ideal: 1280 } }, audio: false });
      }).then(function (stream) {
        Scanner.stream = stream;
        Scanner.video.srcObject = stream;
        return Scanner.video.play();
      }).then(function () {
        Scanner.running = true;
        root.classList.add("is-scanning");
        Scanner.say(T.camera_aim);
        Scanner.loop();
      }).catch(function (err) {
        Scanner.stop();
        var name = err && err.name;
        Scanner.say(name === "NotAllowedError" || name === "SecurityError" ? T.camera_denied
          : name === "NotFoundError" || name === "OverconstrainedError" ? T.camera_none : T.scanner_failed);
      });
    },
    stop: function () {
      Scanner.running = false;
      root.classList.remove("is-scanning");
      if (Scanner.stream) Scanner.stream.getTracks().forEach(function (t) { t.stop(); });
      Scanner.stream = null;
      Scanner.video.srcObject = null;
    },
    loop: function () {
      if (!Scanner.running) return;
      var v = Scanner.video;
      if (Scanner.paused || v.readyState < 2 || !v.videoWidth) {
        setTimeout(Scanner.loop, 200);
        return;
      }
      var c = Scanner.canvas;
      var scale = Math.min(1, 800 / v.videoWidth);
      c.width = Math.round(v.videoWidth * scale);
      c.height = Math.round(v.videoHeight * scale);
      var ctx = c.getContext("2d", { willReadFrequently: true });
      ctx.drawImage(v, 0, 0, c.width, c.height);
      var img = ctx.getImageData(0, 0, c.width, c.height);
      window.ZXingWASM.readBarcodes(img, { formats: ["QRCode"], tryHarder: true, maxNumberOfSymbols: 1 })
        .then(function (results) {
          if (results && results.length && results[0].text && Scanner.onText) Scanner.onText(results[0].text);
        })
        .catch(function () { /* a bad frame: try the next one */ })
        .then(function () { setTimeout(Scanner.loop, 150); });
    },
  };

  // ---------------------------------------------------------------- Counter (the flow)
  var busy = false;
  var lastText = "", lastAt = 0;

  function reset() {
    busy = false;
    Scanner.paused = false;
    View.idle();
    input.focus();
  }

  function offline() { return window.o2oCounter && window.o2oCounter.offline; }

  function fail(res) {
    var e = (res.data && res.data.error) || {};
    var code = res.status === 0 ? "network" : (e.code || "error");
    if (res.status === 401) code = "not_authenticated";
    View.error(code, e.message || T.network_text, reset);
    busy = false;
  }

  function handle(text) {
    if (busy) return;
    var parsed = Codes.parse(text);
    if (parsed.error) {
      View.error(parsed.error === "not_voucher" ? "invalid_signature" : "invalid", T[parsed.error], reset);
      return;
    }
    busy = true;
    Scanner.paused = true;
    if (parsed.pickup) {  // a pickup order: handed over once, online only (the server knows who collected)
      View.busy(T.checking);
      Api.collect(parsed.pickup).then(function (res) {
        if (!res.ok) return fail(res);
        input.value = "";
        var box = View.show("done", "✓", T.collected, T.collected_text.replace("%(n)s", res.data.number || ""));
        var next = el("button", "btn btn-primary btn-lg", T.next);
        next.type = "button";
        next.addEventListener("click", reset);
        box.appendChild(next);
        next.focus();
        busy = false;
      });
      return;
    }
    var off = offline();
    // Offline, or a voucher this device redeemed offline and has not synced yet: judged on this device.
    if (off && (off.active() || off.pending(parsed))) { off.handle(parsed); return; }
    View.busy(T.checking);
    Api.check(parsed).then(function (res) {
      if (res.status === 0 && off) { off.wentDown(); off.handle(parsed); return; }
      if (!res.ok) return fail(res);
      var checked = res.data;
      View.valid(checked, function () {
        View.busy(T.redeeming);
        Api.redeem(parsed).then(function (r2) {
          if (r2.status === 0 && off && parsed.qr_payload) { off.wentDown(); off.handle(parsed); return; }
          if (!r2.ok) return fail(r2);
          View.addRecent(r2.data, checked);
          input.value = "";
          View.done(r2.data, checked, reset);
          busy = false;
        });
      }, reset);
    });
  }

  Scanner.onText = function (text) {
    var now = Date.now();
    if (text === lastText && now - lastAt < 4000) return; // the same code still in front of the camera
    lastText = text;
    lastAt = now;
    if (navigator.vibrate) navigator.vibrate(60);
    handle(text);
  };

  // typed code + keypad
  var form = document.getElementById("code-form");
  var input = document.getElementById("code-input");
  function setInput(digits) { input.value = Codes.group(digits.slice(0, Codes.DIGITS)); }
  input.addEventListener("input", function () {
    // A USB/Bluetooth scanner "types" the whole QR payload into the field: leave it as it is.
    if (input.value.trim().indexOf(Codes.QR_PREFIX) === 0) return;
    setInput(Codes.digitsOnly(input.value));
  });
  form.addEventListener("submit", function (e) { e.preventDefault(); handle(input.value); });
  form.querySelectorAll("[data-key]").forEach(function (b) {
    b.addEventListener("click", function () {
      var d = Codes.digitsOnly(input.value), k = b.dataset.key;
      if (k === "clear") d = "";
      else if (k === "back") d = d.slice(0, -1);
      else d = d + k;
      setInput(d);
    });
  });

  document.getElementById("scan-start").addEventListener("click", function () {
    document.getElementById("scan-stop").hidden = false;
    Scanner.start();
  });
  document.getElementById("scan-stop").addEventListener("click", function (e) {
    e.currentTarget.hidden = true;
    Scanner.stop();
    Scanner.say("");
  });
  window.addEventListener("pagehide", Scanner.stop);

  // For tests and the offline module (counter-offline.js).
  window.o2oCounter = {
    Codes: Codes, Api: Api, View: View, Scanner: Scanner, handle: handle, reset: reset, input: input, T: T,
    setBusy: function (b) { busy = !!b; Scanner.paused = !!b; }, offline: null,
  };
})();
