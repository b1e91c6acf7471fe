/* The counter with no network.
 *
 * Online, the page hands this module (json_script "counter-offline") what it needs to judge a QR voucher
 * alone: the voucher public keys, the store, its merchant and the offerings redeemable here. It keeps them
 * in localStorage (and refreshes the keys from /api/v1/keys/vouchers).
 *
 * Offline (navigator.onLine false, or a request that cannot reach the server), a scanned or typed QR payload
 *   O2O1.<b64url(payload JSON)>.<b64url(Ed25519 signature over the exact payload bytes)>
 * is verified with WebCrypto Ed25519 against the kept key of its kid; exp, the merchant and the offering
 * are checked; a redemption is queued in localStorage {vid, qr_payload, redeemed_at (device clock),
 * device_id} and refused if this device already redeemed that voucher. A typed 12-digit code cannot be
 * checked offline: the clerk is told to scan the QR code.
 *
 * Back online ('online' event, page load, a retry every 20 s (every 2 min when nothing waits), or
 * "Sync now"), the queue goes to
 * POST /api/v1/redemptions/sync; the server redeems in the order of the device clocks, and a voucher
 * another counter redeemed first comes back as a conflict, shown here and to the merchant.
 *
 * The service worker (/counter/sw.js) keeps the page and its assets so a reload works offline.
 */
(function () {
  "use strict";

  var C = window.o2oCounter;
  var dataEl = document.getElementById("counter-offline");
  if (!C || !dataEl) return;
  var PAGE = JSON.parse(dataEl.textContent || "{}");
  var T = JSON.parse((document.getElementById("counter-offline-i18n") || {}).textContent || "{}");
  var root = document.getElementById("counter");
  var STORE = PAGE.store_id;
  var TZ = PAGE.timezone || undefined;

  // ---------------------------------------------------------------- Keep (localStorage)
  var Keep = {
    get: function (key, fallback) {
      try {
        var v = window.localStorage.getItem(key);
        return v === null ? fallback : JSON.parse(v);
      } catch (e) { return fallback; }
    },
    set: function (key, value) {
      try { window.localStorage.setItem(key, JSON.stringify(value)); } catch (e) { /* full or blocked */ }
    },
    deviceKey: "o2o.counter.device",
    cfgKey: "o2o.counter.cfg." + STORE,
    queueKey: "o2o.counter.queue." + STORE,
    historyKey: "o2o.counter.history." + STORE,
    conflictsKey: "o2o.counter.conflicts." + STORE,
  };

  function randomId() {
    var bytes = new Uint8Array(12);
    window.crypto.getRandomValues(bytes);
    return "dev-" + Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }

  var Device = Keep.get(Keep.deviceKey, null);
  if (!Device || !Device.id) {
    Device = { id: randomId(), name: "" };
    Keep.set(Keep.deviceKey, Device);
  }

  // The page's data is newest when the page came from the server; keep it for offline reloads.
  var Cfg = Object.assign({}, Keep.get(Keep.cfgKey, {}), PAGE);
  Keep.set(Keep.cfgKey, Cfg);

  var Queue = {
    all: function () { return Keep.get(Keep.queueKey, []); },
    save: function (items) { Keep.set(Keep.queueKey, items); },
    add: function (item) { var q = Queue.all(); q.push(item); Queue.save(q); },
    has: function (vid) { return Queue.all().filter(function (i) { return i.vid === vid; })[0] || null; },
  };
  var History = {
    // vid -> {status, at}: what this device redeemed offline and the server's answer (kept 60 days)
    all: function () { return Keep.get(Keep.historyKey, {}); },
    put: function (vid, entry) {
      var h = History.all(), cutoff = Date.now() - 60 * 864e5;
      h[vid] = entry;
      Object.keys(h).forEach(function (k) { if (Date.parse(h[k].at) < cutoff) delete h[k]; });
      Keep.set(Keep.historyKey, h);
    },
    get: function (vid) { return History.all()[vid] || null; },
  };

  // ---------------------------------------------------------------- Verify (WebCrypto Ed25519)
  function unb64u(text) {
    var s = String(text).replace(/-/g, "+").replace(/_/g, "/");
    while (s.length % 4) s += "=";
    var bin = window.atob(s), out = new Uint8Array(bin.length);
    for (var i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
    return out;
  }

  var keyCache = {};
  function publicKey(kid) {
    if (keyCache[kid]) return keyCache[kid];
    var entry = (Cfg.keys || []).filter(function (k) { return k.kid === kid; })[0];
    if (!entry) return Promise.reject(new Error("unknown_key"));
    keyCache[kid] = window.crypto.subtle.importKey("raw", unb64u(entry.public_key), { name: "Ed25519" }, false,
      ["verify"]);
    return keyCache[kid];
  }

  var Verify = {
    /** Resolves {payload} for a genuine voucher of this store, or {error, text} for one to refuse. */
    qr: function (qr) {
      var parts = String(qr || "").trim().split(".");
      var raw, sig, payload;
      try {
        if (parts.length !== 3 || parts[0] !== "O2O1") throw new Error("format");
        raw = unb64u(parts[1]);
        sig = unb64u(parts[2]);
        payload = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(raw));
        if (!payload || typeof payload.kid !== "string") throw new Error("payload");
      } catch (e) {
        return Promise.resolve({ error: "invalid_signature" });
      }
      if (!window.crypto || !window.crypto.subtle) return Promise.resolve({ error: "no_webcrypto" });
      return publicKey(payload.kid).then(function (key) {
        return window.crypto.subtle.verify({ name: "Ed25519" }, key, sig, raw);
      }).then(function (ok) {
        if (!ok) return { error: "invalid_signature" };
        if (payload.mid !== Cfg.merchant_id) return { error: "not_this_merchant" };
        if (!Cfg.offerings || !Object.prototype.hasOwnProperty.call(Cfg.offerings, payload.oid)) {
          return { error: "not_this_store" };
        }
        if (!(Number(payload.exp) * 1000 > Date.now())) return { error: "expired", payload: payload };
        return { payload: payload };
      }, function (err) {
        if (err && err.message === "unknown_key") return { error: "unknown_key" };
        return { error: "no_webcrypto" };  // Ed25519 not supported by this browser
      });
    },
  };

  // ---------------------------------------------------------------- Net (online state, sync)
  function csrfToken() {
    var m = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return m ? decodeURIComponent(m[1]) : C.Api.csrf;
  }

  var Net = {
    down: !navigator.onLine, // also true after a request that could not reach the server
    syncing: false,
    lastError: "",
    isOffline: function () { return Net.down || !navigator.onLine; },
    wentDown: function () { Net.down = true; Bar.render(); },
    post: function (url, body) {
      return fetch(url, {
        method: "POST", credentials: "same-origin",
        headers: { "Content-Type": "application/json", "Accept": "application/json", "X-CSRFToken": csrfToken() },
        body: JSON.stringify(body),
      }).then(function (r) {
        return r.json().catch(function () { return {}; }).then(function (data) {
          return { ok: r.ok, status: r.status, data: data };
        });
      }, function () { return { ok: false, status: 0, data: {} }; });
    },
    refreshKeys: function () {
      return fetch(Cfg.keys_url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (data) {
          if (data && data.keys && data.keys.length) {
            Cfg.keys = data.keys.map(function (k) { return { kid: k.kid, public_key: k.public_key }; });
            keyCache = {};
            Keep.set(Keep.cfgKey, Cfg);
          }
        }, function () { /* offline: the kept keys stay */ });
    },
    sync: function () {
      if (Net.syncing || !navigator.onLine) return Promise.resolve(null);
      var queue = Queue.all();
      Net.syncing = true;
      Bar.render();
      var sent = queue.map(function (i) { return { qr_payload: i.qr_payload, redeemed_at: i.redeemed_at }; });
      return Net.post(Cfg.sync_url, {
        store_id: STORE, device_id: Device.id, device_name: Device.name || "", items: sent,
      }).then(function (res) {
        Net.syncing = false;
        if (res.status === 0) { Net.down = true; Bar.render(); return null; }
        if (!res.ok) {
          Net.down = false;
          Net.lastError = res.status === 401 || res.status === 403 ? T.signed_out
            : ((res.data && res.data.error && res.data.error.message) || T.rejected);
          Bar.render();
          return res;
        }
        Net.down = false;
        Net.lastError = "";
        var answered = {};
        (res.data.results || []).forEach(function (r) {
          var item = queue[r.index];
          if (!item) return;
          answered[item.vid] = true;
          History.put(item.vid, { status: r.status, code: r.code, message: r.message, at: item.redeemed_at,
            title: item.title });
        });
        // Keep what was queued meanwhile (or not answered); drop what the server answered.
        Queue.save(Queue.all().filter(function (i) { return !answered[i.vid]; }));
        Keep.set(Keep.conflictsKey, res.data.conflicts || []);
        Bar.lastSync = { count: sent.length, results: res.data.results || [] };
        Bar.render();
        return res;
      });
    },
  };

  // ---------------------------------------------------------------- Bar (banner, pending, conflicts)
  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = text;
    return e;
  }
  // The page's one date style (app.js o2oDates: the server's DATETIME_FORMAT), in the store's zone.
  function fmt(iso) { return window.o2oDates.format(iso, "datetime", TZ); }
  function tail(vid) { return "…" + String(vid || "").replace(/-/g, "").slice(-6); }
  function fill(text, values) {
    return String(text || "").replace(/%\((\w+)\)s/g, function (_m, k) { return values[k] !== undefined ? values[k] : ""; });
  }

  var Bar = {
    box: document.getElementById("netbar"),
    state: document.getElementById("netbar-state"),
    text: document.getElementById("netbar-text"),
    count: document.getElementById("pending-count"),
    list: document.getElementById("pending-list"),
    syncBtn: document.getElementById("sync-now"),
    conflictsBox: document.getElementById("offline-conflicts"),
    conflictsList: document.getElementById("conflict-list"),
    lastSync: null,
    summary: function () {
      var last = Bar.lastSync;
      if (!last || !last.results.length) return "";
      var n = { redeemed: 0, conflict: 0, rejected: 0 };
      last.results.forEach(function (r) { n[r.status] = (n[r.status] || 0) + 1; });
      return fill(T.synced_summary, { n: last.results.length, redeemed: n.redeemed, conflict: n.conflict,
        rejected: n.rejected });
    },
    render: function () {
      if (!Bar.box) return;
      var offline = Net.isOffline(), queue = Queue.all();
      Bar.box.hidden = false;
      Bar.box.classList.toggle("is-offline", offline);
      Bar.box.classList.toggle("is-online", !offline);
      Bar.box.classList.toggle("has-pending", queue.length > 0);
      root.classList.toggle("is-offline", offline);
      Bar.state.textContent = offline ? T.offline : (Net.syncing ? T.syncing : T.online);
      Bar.text.textContent = Net.lastError || (offline ? T.offline_text : (Bar.summary() || (queue.length ? ""
        : T.pending_none)));
      Bar.count.textContent = String(queue.length);
      Bar.syncBtn.hidden = offline || queue.length === 0;
      Bar.list.replaceChildren();
      queue.slice().reverse().forEach(function (i) {
        var li = el("li", "pending-item");
        li.dataset.vid = i.vid;
        li.appendChild(el("span", "recent-time", fmt(i.redeemed_at)));
        var main = el("span", "recent-main");
        main.appendChild(el("strong", null, i.title || "?"));
        main.appendChild(el("span", "muted small", tail(i.vid) + " · " + T.pending));
        li.appendChild(main);
        Bar.list.appendChild(li);
      });
      var conflicts = Keep.get(Keep.conflictsKey, []);
      Bar.conflictsBox.hidden = conflicts.length === 0;
      Bar.conflictsList.replaceChildren();
      conflicts.forEach(function (c) {
        var li = el("li", "conflict-item");
        li.dataset.voucher = c.voucher_id;
        li.appendChild(el("strong", null, T.conflict));
        var first = c.first.online ? T.online_counter : (c.first.device_name || c.first.device_id);
        li.appendChild(el("p", null, fill(T.conflict_text, {
          title: c.offering_title, tail: c.code_tail, first: first + " (" + c.first.store_name + ")",
          first_at: fmt(c.first.at), second_at: fmt(c.second.at) })));
        Bar.conflictsList.appendChild(li);
      });
    },
  };

  // ---------------------------------------------------------------- the offline flow
  function refuse(title, text) {
    var box = C.View.show("error", "✕", title, text);
    box.classList.add("is-offline-result");
    var next = el("button", "btn btn-ghost btn-lg", C.T.next);
    next.type = "button";
    next.addEventListener("click", C.reset);
    box.appendChild(next);
    C.setBusy(false);
  }

  function refusal(code, payload) {
    switch (code) {
      case "invalid_signature": return [C.T.errors.invalid_signature, C.T.not_voucher];
      case "not_this_merchant": return [C.T.errors.wrong_merchant || C.T.errors.wrong_store, T.not_this_merchant];
      case "not_this_store": return [C.T.errors.wrong_store, T.not_this_store];
      case "expired": return [T.expired, fill(T.expired_text, { when: fmt(new Date(payload.exp * 1000).toISOString()) })];
      case "unknown_key": return [C.T.errors.invalid_signature, T.unknown_key];
      default: return [C.T.errors.error, T.no_webcrypto];
    }
  }

  function redeemOffline(qr, payload) {
    var title = (Cfg.offerings || {})[payload.oid] || "?";
    var item = { vid: payload.vid, qr_payload: qr, redeemed_at: new Date().toISOString(), device_id: Device.id,
      title: title };
    Queue.add(item);
    History.put(item.vid, { status: "pending", at: item.redeemed_at, title: title });
    C.View.addRecent({ redeemed_at: item.redeemed_at, offering_title: title, order_number: tail(item.vid) + " · " + T.pending });
    C.input.value = "";
    var box = C.View.show("done", "✓", T.redeemed_offline, T.redeemed_offline_text);
    box.classList.add("is-offline-result");
    var next = el("button", "btn btn-primary btn-lg", C.T.next);
    next.type = "button";
    next.addEventListener("click", C.reset);
    box.appendChild(next);
    next.focus();
    C.setBusy(false);
    Bar.render();
  }

  function handle(parsed) {
    if (!parsed.qr_payload) {
      refuse(T.code_needs_network, T.code_needs_network_text);
      return;
    }
    C.setBusy(true);
    C.View.busy(C.T.checking);
    Verify.qr(parsed.qr_payload).then(function (v) {
      if (v.error) {
        var r = refusal(v.error, v.payload);
        refuse(r[0], r[1]);
        return;
      }
      var p = v.payload, seen = Queue.has(p.vid) || History.get(p.vid);
      if (seen) {
        refuse(T.already_here, fill(T.already_here_text, { when: fmt(seen.redeemed_at || seen.at) }));
        return;
      }
      var box = C.View.show("valid", "✓", Cfg.offerings[p.oid]);
      box.classList.add("is-offline-result");
      box.insertBefore(el("p", "result-kicker", T.valid_offline), box.querySelector(".result-title"));
      var dl = el("dl", "result-facts"), row = el("div");
      row.appendChild(el("dt", null, C.T.valid_until));
      row.appendChild(el("dd", null, fmt(new Date(p.exp * 1000).toISOString())));
      dl.appendChild(row);
      box.appendChild(dl);
      var actions = el("div", "result-actions");
      var go = el("button", "btn btn-success btn-xl btn-block", C.T.redeem);
      go.type = "button";
      go.addEventListener("click", function () { go.disabled = true; redeemOffline(parsed.qr_payload.trim(), p); });
      var no = el("button", "btn btn-ghost", C.T.cancel);
      no.type = "button";
      no.addEventListener("click", C.reset);
      actions.appendChild(go);
      actions.appendChild(no);
      box.appendChild(actions);
      go.focus();
    });
  }

  // ---------------------------------------------------------------- device name
  var nameForm = document.getElementById("device-form");
  var nameInput = document.getElementById("device-name");
  var idEl = document.getElementById("device-id");
  if (nameInput) nameInput.value = Device.name || "";
  if (idEl) idEl.textContent = Device.id;
  if (nameForm) {
    nameForm.addEventListener("submit", function (e) {
      e.preventDefault();
      Device.name = String(nameInput.value || "").trim().slice(0, 80);
      Keep.set(Keep.deviceKey, Device);
      nameForm.classList.add("is-saved");
    });
  }

  // ---------------------------------------------------------------- wiring
  function pendingFor(parsed) {
    if (!parsed || !parsed.qr_payload) return false;
    try {
      var p = JSON.parse(new TextDecoder().decode(unb64u(String(parsed.qr_payload).trim().split(".")[1])));
      return !!(p && Queue.has(p.vid));
    } catch (e) { return false; }
  }

  C.offline = {
    active: Net.isOffline,
    pending: pendingFor,
    wentDown: Net.wentDown,
    handle: handle,
    sync: Net.sync,
    Verify: Verify, Queue: Queue, History: History, Device: Device, Net: Net, Bar: Bar,
  };
  if (Bar.syncBtn) Bar.syncBtn.addEventListener("click", function () { Net.sync(); });
  window.addEventListener("offline", function () { Net.down = true; Bar.render(); });
  window.addEventListener("online", function () {
    Net.down = false;
    Bar.render();
    Net.refreshKeys();
    Net.sync();
  });
  var ticks = 0;
  window.setInterval(function () {
    ticks += 1;
    // Retry every 20 s while something waits or the server was unreachable; otherwise every 2 minutes,
    // to hear of conflicts found when another counter synced later.
    if (navigator.onLine && (Queue.all().length || Net.down || ticks % 6 === 0)) Net.sync();
  }, 20000);
  Bar.render();
  if (navigator.onLine) {
    Net.refreshKeys();
    Net.sync();
  }

  // Logging out here drops the kept copy of this page (it names customers); the queue stays to be synced.
  var logout = document.querySelector('form[action$="/logout/"]');
  if (logout && "serviceWorker" in navigator) {
    logout.addEventListener("submit", function () {
      if (navigator.serviceWorker.controller) navigator.serviceWorker.controller.postMessage({ type: "forget-pages" });
    });
  }

  if ("serviceWorker" in navigator && Cfg.sw_url) {
    navigator.serviceWorker.register(Cfg.sw_url, { scope: Cfg.sw_scope }).then(function () {
      return navigator.serviceWorker.ready;
    }).then(function (reg) {
      if (!reg.active || !navigator.onLine) return;
      // The worker keeps this page (the first load came before it controlled the page) and says when done.
      return new Promise(function (resolve) {
        var channel = new MessageChannel();
        channel.port1.onmessage = function () { resolve(); };
        reg.active.postMessage({ type: "keep-page", url: window.location.href }, [channel.port2]);
        window.setTimeout(resolve, 10000);
      });
    }).then(function () {
      root.dataset.offlineReady = "1";
    }).catch(function () { /* no worker: the counter still works offline until the page is reloaded */ });
  }
})();
