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


class FulfilmentKind(models.TextChoices):
    """How a paid order is served; each kind has its own fulfilment-status table below."""

    VOUCHER = "voucher", _("Voucher")
    PICKUP = "pickup", _("Pickup")
    DELIVERY = "delivery", _("Delivery")
    DINE_IN = "dine_in", _("Dine in")
    BOOKING = "booking", _("Booking")
    JOB = "job", _("Job")
    TEAM = "team", _("Team purchase")


# Order.fulfilment_status per kind: "pending" until the order is paid; every kind can be cancelled
# before it is served. Moved only by orders.services.order_fulfilment_move (core.state.transition).
FULFILMENT_TRANSITIONS: dict[str, dict[str, frozenset[str]]] = {
    "voucher": {
        "pending": frozenset({"issued", "cancelled"}),
        "issued": frozenset({"closed"}),  # every voucher used, refunded or expired
        "closed": frozenset(), "cancelled": frozenset(),
    },
    "team": {  # a team purchase (members.teams): paid and held until the team is full, then vouchers
        "pending": frozenset({"waiting", "cancelled"}),
        "waiting": frozenset({"issued", "cancelled"}),
        "issued": frozenset({"closed"}),
        "closed": frozenset(), "cancelled": frozenset(),
    },
    "pickup": {
        "pending": frozenset({"accepted", "cancelled"}),
        "accepted": frozenset({"preparing", "cancelled"}),
        "preparing": frozenset({"ready", "cancelled"}),
        "ready": frozenset({"picked_up", "cancelled"}),
        "picked_up": frozenset(), "cancelled": frozenset(),
    },
    "delivery": {
        "pending": frozenset({"accepted", "cancelled"}),
        "accepted": frozenset({"preparing", "cancelled"}),
        "preparing": frozenset({"ready", "cancelled"}),
        "ready": frozenset({"dispatched", "cancelled"}),  # the kitchen's steps, then the courier takes it
        "dispatched": frozenset({"delivered", "failed"}),
        "failed": frozenset({"dispatched", "returned"}),  # nobody there: try again, or back to the store
        "delivered": frozenset(), "returned": frozenset(), "cancelled": frozenset(),
    },
    "dine_in": {  # a table's order: the kitchen takes it, brings it (served); closed with the tab
        "pending": frozenset({"accepted", "cancelled"}),
        "accepted": frozenset({"preparing", "cancelled"}),
        "preparing": frozenset({"ready", "cancelled"}),
        "ready": frozenset({"served", "cancelled"}),
        "served": frozenset({"closed"}),
        "closed": frozenset(), "cancelled": frozenset(),
    },
    "booking": {
        "pending": frozenset({"confirmed", "cancelled"}),
        "confirmed": frozenset({"checked_in", "no_show", "cancelled"}),
        "checked_in": frozenset({"completed"}),
        "completed": frozenset(), "no_show": frozenset(), "cancelled": frozenset(),
    },
    "job": {
        "pending": frozenset({"scheduled", "cancelled"}),
        "scheduled": frozenset({"in_progress", "cancelled"}),
        "in_progress": frozenset({"done"}),
        "done": frozenset({"accepted", "in_progress"}),  # the customer accepts the work or asks for more
        "accepted": frozenset(), "cancelled": frozenset(),
    },
}


# The fulfilment statuses at which an order was served offline (it may be reviewed); a voucher order
# is served when one of its vouchers is redeemed (the vouchers app knows).
SERVED_STATUSES: dict[str, frozenset[str]] = {
    "pickup": frozenset({"picked_up"}),
    "delivery": frozenset({"delivered"}),
    "dine_in": frozenset({"served", "closed"}),
    "booking": frozenset({"checked_in", "completed"}),
    "job": frozenset({"done", "accepted"}),
}


class Channel(models.TextChoices):
    """Where a checkout came from (Order.source_channel)."""

    WEB = "web", _("Web")
    APP = "app", _("App")
    COUNTER = "counter", _("Counter")
    QR = "qr", _("QR code")


class AdjustmentKind(models.TextChoices):
    """Adjustment lines: signed amounts added to the lines' sum (discounts negative, fees positive)."""

    COUPON = "coupon", _("Coupon")
    POINTS = "points", _("Points")
    MEMBER_PRICE = "member_price", _("Member price")
    DELIVERY_FEE = "delivery_fee", _("Delivery fee")
    ROUNDING = "rounding", _("Rounding")
    CHANGE_ORDER = "change_order", _("Change order")  # a job's price changed with the customer's consent (jobs)
