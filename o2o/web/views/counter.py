"""The counter: a clerk's store tablet that scans or takes typed voucher codes.

The page itself only renders; redeeming goes through the JSON API (/api/v1/redemptions/check and
/api/v1/redemptions) from static/js/counter.js with the session and the CSRF token.

Offline: the page carries what the counter needs with no network (the voucher public keys, the store, its
merchant and the offerings redeemable here) for static/js/counter-offline.js, which verifies QR payloads
with WebCrypto Ed25519, queues redemptions and syncs them to /api/v1/redemptions/sync. The service
worker at /counter/sw.js (scope /counter/) keeps the page and its assets so a reload works offline.
"""

from __future__ import annotations

import hashlib
import json
from functools import lru_cache
from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.contrib.staticfiles import finders
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from o2o.catalogue.models import Offering
from o2o.merchants.access import store_for_staff
from o2o.merchants.selectors import counter_stores_of_user
from o2o.vouchers.selectors import redemptions_at_store
from o2o.vouchers.signing import active_key, public_keys
from o2o.web.views.common import domain_pages


@login_required
def counter_home(request: HttpRequest) -> HttpResponse:
    stores = counter_stores_of_user(user=request.user)
    if len(stores) == 1 and request.GET.get("pick") != "1":
        return redirect("web:counter_store", store_id=stores[0].pk)
    return render(request, "web/counter/pick.html", {"stores": stores})


@login_required
@domain_pages
def counter_store(request: HttpRequest, store_id: Any) -> HttpResponse:
    store, membership = store_for_staff(user=request.user, store_id=store_id)
    recent = redemptions_at_store(store=store, limit=10)
    return render(request, "web/counter/counter.html", {
        "store": store, "membership": membership, "recent": recent,
        "many_stores": len(counter_stores_of_user(user=request.user)) > 1, "i18n": counter_texts(),
        "offline": counter_offline_data(store=store), "offline_i18n": counter_offline_texts(),
    })


def counter_offline_data(*, store: Any) -> dict[str, Any]:
    """What the counter caches to judge a QR voucher with no network: keys, store, merchant, offerings."""
    active_key()  # make sure one exists
    offerings = (Offering.objects.filter(merchant_id=store.merchant_id, redeemable_stores=store)
                 .order_by("-created_at").values_list("pk", "title")[:2000])
    return {
        "store_id": str(store.pk), "store_name": store.name, "merchant_id": str(store.merchant_id),
        "merchant_name": store.merchant.name, "timezone": store.timezone,
        "keys": [{"kid": k["kid"], "public_key": k["public_key"]} for k in public_keys()],
        "offerings": {str(pk): title for pk, title in offerings},
        "keys_url": "/api/v1/keys/vouchers", "sync_url": "/api/v1/redemptions/sync",
        "sw_url": "/counter/sw.js", "sw_scope": "/counter/",
    }


# The page shell's assets, kept by the service worker so the counter reloads with no network.
_SHELL_ASSETS = (
    "css/app.css", "css/counter-offline.css", "img/favicon.svg", "vendor/htmx/htmx.min.js", "js/app.js",
    "vendor/alpine/alpine-csp.min.js", "vendor/zxing/zxing-reader.iife.js", "vendor/zxing/zxing_reader.wasm",
    "js/counter.js", "js/counter-offline.js",
)


def _service_worker_source() -> str:
    path = finders.find("js/counter-sw.js")
    if not path:
        raise Http404()
    digest = hashlib.sha256()
    urls = []
    for asset in _SHELL_ASSETS:
        found = finders.find(asset)
        if found:
            with open(found, "rb") as fh:  # noqa: PTH123
                digest.update(fh.read())
            urls.append(static(asset))
    with open(path, encoding="utf-8") as fh:  # noqa: PTH123
        body = fh.read()
    digest.update(body.encode())
    # A new version whenever an asset or the worker changes: the browser installs the new worker and it
    # refreshes its cache.
    head = (f"self.O2O_SW_VERSION = {json.dumps(digest.hexdigest()[:16])};\n"
            f"self.O2O_SW_ASSETS = {json.dumps(urls)};\n")
    return head + body


_cached_source = lru_cache(maxsize=1)(_service_worker_source)


@require_GET
def counter_service_worker(request: HttpRequest) -> HttpResponse:
    """The counter's service worker, served under /counter/ so that its scope covers the counter pages."""
    source = _service_worker_source() if settings.DEBUG else _cached_source()
    response = HttpResponse(source, content_type="text/javascript; charset=utf-8")
    response["Service-Worker-Allowed"] = "/counter/"
    response["Cache-Control"] = "no-cache"
    return response


def counter_texts() -> dict[str, Any]:
    """Everything counter.js shows, translated on the server."""
    return {
        "ready": _("Ready"), "ready_text": _("Scan the customer's QR code or type the code."),
        "checking": _("Checking…"), "redeeming": _("Redeeming…"),
        "valid": _("Valid voucher"), "redeem": _("Redeem"), "cancel": _("Cancel"), "next": _("Next customer"),
        "redeemed": _("Redeemed"), "redeemed_text": _("Hand over what was bought. The customer sees it as used."),
        "order": _("Order"), "customer": _("Customer"), "valid_until": _("Valid until"),
        "need_digits": _("A voucher code has 12 digits, a pickup code 6."),
        "collected": _("Order handed over"),
        "collected_text": _("Pickup order %(n)s: give the customer their order."),
        "not_voucher": _("This QR code is not an o2o voucher."),
        "camera_starting": _("Starting camera…"), "camera_aim": _("Hold the QR code inside the frame."),
        "camera_denied": _("Camera access was refused. Allow the camera for this site, or type the code."),
        "camera_none": _("No camera found. Type the code instead."),
        "scanner_failed": _("The scanner could not start. Type the code instead."),
        "network_text": _("The counter could not reach the server. Check the connection and try again."),
        "errors": {
            "already_redeemed": _("Already used"), "expired": _("Expired"), "refunded": _("Refunded"),
            "wrong_store": _("Not valid at this store"), "wrong_merchant": _("Another merchant's voucher"),
            "invalid_signature": _("Forged or damaged QR code"),
            "not_found": _("No such voucher"), "invalid": _("Check the code"), "validation_error": _("Check the code"),
            "forbidden": _("Not allowed at this store"), "not_authenticated": _("Signed out — log in again"),
            "network": _("No connection"), "error": _("Something went wrong"),
            "already_collected": _("Already handed over"), "not_ready": _("Not paid yet"),
        },
    }


def counter_offline_texts() -> dict[str, Any]:
    """What counter-offline.js shows, translated on the server."""
    return {
        "offline": _("Offline"), "online": _("Online"), "syncing": _("Syncing…"),
        "offline_text": _("No network. QR codes are checked on this device and synced when the network is back."),
        "pending": _("Waiting to sync"), "pending_none": _("Nothing waiting to sync."),
        "sync_now": _("Sync now"), "synced": _("Synced"),
        "synced_summary": _("Synced %(n)s: %(redeemed)s redeemed, %(conflict)s conflicts, %(rejected)s refused."),
        "redeemed_offline": _("Redeemed offline — will sync"),
        "redeemed_offline_text": _("Hand over what was bought. The redemption is sent to the server when the "
                                   "network is back."),
        "valid_offline": _("Valid voucher (checked offline)"),
        "code_needs_network": _("Typed codes need the network"),
        "code_needs_network_text": _("A 12-digit code can only be checked online. Scan the customer's QR code: "
                                     "QR codes work offline."),
        "already_here": _("Already redeemed on this counter"),
        "already_here_text": _("This device redeemed this voucher at %(when)s."),
        "not_this_merchant": _("This voucher belongs to another merchant."),
        "not_this_store": _("This voucher cannot be redeemed at this store."),
        "expired": _("Expired"), "expired_text": _("This voucher expired on %(when)s."),
        "unknown_key": _("This counter does not know the key this voucher was signed with. Connect to the "
                         "network once to update the keys."),
        "no_webcrypto": _("This browser cannot check signatures offline. Use the counter online."),
        "conflict": _("Redeemed twice"), "conflicts": _("Conflicts reported to the merchant"),
        "conflict_text": _("%(title)s (…%(tail)s) was redeemed first by %(first)s at %(first_at)s; this "
                           "counter's redemption at %(second_at)s does not stand."),
        "online_counter": _("an online counter"),
        "rejected": _("Refused by the server"),
        "signed_out": _("Signed out — log in again to sync."),
        "device_name": _("Device name"), "device_name_hint": _("e.g. Front desk iPad"),
        "save": _("Save"), "this_device": _("This device"),
    }
