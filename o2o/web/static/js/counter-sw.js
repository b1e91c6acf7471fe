/* The counter's service worker (served at /counter/sw.js, scope /counter/): the counter page reloads with
 * no network.
 *
 * - install: keeps the page shell's static assets (css, js, zxing and its .wasm), listed by the server in
 *   self.O2O_SW_ASSETS, in a cache named after self.O2O_SW_VERSION (a hash of those files);
 * - counter pages (navigations under /counter/): network first; a good answer is kept, and with no network
 *   the kept copy answers (marked with the header X-O2O-Offline-Copy: 1);
 * - static assets: the kept copy first, else the network (and keep it);
 * - the API is never cached: it always goes to the network (offline, the page queues redemptions itself).
 * The page also asks the worker to keep its own address (message {type: "keep-page", url}), since the
 * first load happens before the worker controls the page, and to drop the kept pages when the clerk
 * logs out (message {type: "forget-pages"}).
 */
/* global self, caches, fetch, Response, URL */
"use strict";

var VERSION = self.O2O_SW_VERSION || "dev";
var ASSETS = self.O2O_SW_ASSETS || [];
var SHELL = "o2o-counter-shell-" + VERSION;
var PAGES = "o2o-counter-pages";

self.addEventListener("install", function (event) {
  event.waitUntil(caches.open(SHELL).then(function (cache) {
    return cache.addAll(ASSETS);
  }).then(function () { return self.skipWaiting(); }));
});

self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (names) {
    return Promise.all(names.filter(function (n) {
      return n.indexOf("o2o-counter-shell-") === 0 && n !== SHELL;
    }).map(function (n) { return caches.delete(n); }));
  }).then(function () { return self.clients.claim(); }));
});

function pageKey(url) {
  var u = new URL(url);
  return u.origin + u.pathname;
}

function keepPage(url, response) {
  if (!response || response.status !== 200 || response.redirected) return Promise.resolve();
  var type = response.headers.get("Content-Type") || "";
  if (type.indexOf("text/html") !== 0) return Promise.resolve();
  return caches.open(PAGES).then(function (cache) { return cache.put(pageKey(url), response); });
}

function offlineCopy(response) {
  var headers = new Headers(response.headers);
  headers.set("X-O2O-Offline-Copy", "1");
  return response.blob().then(function (body) {
    return new Response(body, { status: response.status, statusText: response.statusText, headers: headers });
  });
}

function page(request) {
  return fetch(request).then(function (response) {
    keepPage(request.url, response.clone());
    return response;
  }, function () {
    return caches.open(PAGES).then(function (cache) { return cache.match(pageKey(request.url)); })
      .then(function (kept) {
        if (kept) return offlineCopy(kept);
        return new Response("<!doctype html><meta charset=utf-8><title>Offline</title>" +
          "<p>Offline: open the counter once with network on this device.</p>",
          { status: 503, headers: { "Content-Type": "text/html; charset=utf-8" } });
      });
  });
}

function asset(request) {
  return caches.match(request, { ignoreSearch: true }).then(function (kept) {
    if (kept) return kept;
    return fetch(request).then(function (response) {
      if (response.ok) {
        var copy = response.clone();
        caches.open(SHELL).then(function (cache) { cache.put(request, copy); });
      }
      return response;
    });
  });
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") return;
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.mode === "navigate" && url.pathname.indexOf("/counter/") === 0) {
    event.respondWith(page(request));
  } else if (url.pathname.indexOf("/static/") === 0) {
    event.respondWith(asset(request));
  }
  // everything else (the API above all) goes to the network untouched
});

self.addEventListener("message", function (event) {
  var data = event.data || {};
  if (data.type === "forget-pages") {
    event.waitUntil(caches.delete(PAGES));
    return;
  }
  if (data.type !== "keep-page" || !data.url) return;
  var url = new URL(data.url, self.location.origin);
  if (url.origin !== self.location.origin || url.pathname.indexOf("/counter/") !== 0) return;
  var port = event.ports && event.ports[0];
  event.waitUntil(fetch(url.href, { credentials: "same-origin" }).then(function (response) {
    return keepPage(url.href, response);
  }).catch(function () { /* offline: the copy kept before stays */ }).then(function () {
    if (port) port.postMessage({ type: "kept", url: url.href });
  }));
});
