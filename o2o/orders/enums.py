from django.db import models
from django.utils.translation import gettext_lazy as _


class OrderStatus(models.TextChoices):
    AWAITING_PAYMENT = "awaiting_payment", _("Awaiting payment")
    PAID = "paid", _("Paid")
    EXPIRED = "expired", _("Expired (not paid in time)")
    CANCELLED = "cancelled", _("Cancelled")
    PARTIALLY_REFUNDED = "partially_refunded", _("Partly refunded")
    REFUNDED = "refunded", _("Refunded")


ORDER_TRANSITIONS = {
    "awaiting_payment": frozenset({"paid", "expired", "cancelled"}),
    "paid": frozenset({"partially_refunded", "refunded"}),
    "partially_refunded": frozenset({"partially_refunded", "refunded"}),
    # expired -> paid only when a charge completed just as the hold ran out and the units could be
    # reserved again (order_pay); otherwise the money goes back.
    "expired": frozenset({"paid"}),
    "cancelled": frozenset(),
    "refunded": frozenset(),
}

# Orders whose vouchers were issued (paid at some point).
PAID_STATUSES = frozenset({"paid", "partially_refunded", "refunded"})
