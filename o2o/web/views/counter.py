"""The counter: a clerk's store tablet that scans or takes typed voucher codes.

The page itself only renders; redeeming goes through the JSON API (/api/v1/redemptions/check and
/api/v1/redemptions) from static/js/counter.js with the session and the CSRF token.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from o2o.merchants.access import store_for_staff
from o2o.merchants.selectors import counter_stores_of_user
from o2o.vouchers.selectors import redemptions_at_store
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
    })


def counter_texts() -> dict[str, Any]:
    """Everything counter.js shows, translated on the server."""
    return {
        "ready": _("Ready"), "ready_text": _("Scan the customer's QR code or type the code."),
        "checking": _("Checking…"), "redeeming": _("Redeeming…"),
        "valid": _("Valid voucher"), "redeem": _("Redeem"), "cancel": _("Cancel"), "next": _("Next customer"),
        "redeemed": _("Redeemed"), "redeemed_text": _("Hand over what was bought. The customer sees it as used."),
        "order": _("Order"), "customer": _("Customer"), "valid_until": _("Valid until"),
        "need_digits": _("A voucher code has 12 digits."),
        "not_voucher": _("This QR code is not an o2o voucher."),
        "camera_starting": _("Starting camera…"), "camera_aim": _("Hold the QR code inside the frame."),
        "camera_denied": _("Camera access was refused. Allow the camera for this site, or type the code."),
        "camera_none": _("No camera found. Type the code instead."),
        "scanner_failed": _("The scanner could not start. Type the code instead."),
        "network_text": _("The counter could not reach the server. Check the connection and try again."),
        "errors": {
            "already_redeemed": _("Already used"), "expired": _("Expired"), "refunded": _("Refunded"),
            "wrong_store": _("Not valid at this store"), "invalid_signature": _("Forged or damaged QR code"),
            "not_found": _("No such voucher"), "invalid": _("Check the code"), "validation_error": _("Check the code"),
            "forbidden": _("Not allowed at this store"), "not_authenticated": _("Signed out — log in again"),
            "network": _("No connection"), "error": _("Something went wrong"),
        },
    }
