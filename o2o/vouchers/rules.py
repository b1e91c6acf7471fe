"""The one answer to "can this voucher be redeemed here, now?", for the online and the offline counter.

``redeem_refusal`` names the first reason a voucher cannot be redeemed at a store at a moment (the
server's now online; the device's clock, bounded, offline), or None. ``voucher_move`` is the only way
a voucher's status changes (core.state.transition with VOUCHER_TRANSITIONS).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.utils.formats import date_format
from django.utils.timezone import localtime
from django.utils.translation import gettext as _

from o2o.core.errors import DomainError
from o2o.core.events import EventKind, event_append
from o2o.core.state import transition
from o2o.merchants.models import Store
from o2o.orders.models import Order
from o2o.vouchers.enums import VOUCHER_TRANSITIONS, VoucherStatus
from o2o.vouchers.errors import AlreadyRedeemed, VoucherExpired, VoucherRefunded, WrongStore
from o2o.vouchers.models import Voucher, VoucherEvent


def store_tz(store: Store | None) -> ZoneInfo | None:
    """Times shown at a counter are in that store's own timezone (the server's when unknown)."""
    try:
        return ZoneInfo(store.timezone) if store and store.timezone else None
    except (ZoneInfoNotFoundError, ValueError):
        return None


def redeemed_message(v: Voucher) -> str:
    # the one date style of the language (o2o/web/formats: 24-hour, never ending in "p.m.")
    when = (date_format(localtime(v.redeemed_at, store_tz(v.redeemed_store)), "DATETIME_FORMAT")
            if v.redeemed_at else "?")
    where = v.redeemed_store.name if v.redeemed_store else "?"
    return _("This voucher was redeemed at %(store)s on %(when)s.") % {"store": where, "when": when}


def already_redeemed(v: Voucher) -> AlreadyRedeemed:
    return AlreadyRedeemed(redeemed_message(v), fields={
        "redeemed_at": v.redeemed_at.isoformat() if v.redeemed_at else None,
        "store_id": str(v.redeemed_store_id), "store_name": v.redeemed_store.name if v.redeemed_store else None})


def redeem_refusal(voucher: Voucher, store: Store, *, at: datetime, offline: bool = False) -> DomainError | None:
    """Why `voucher` cannot be redeemed at `store` at `at`, or None when it can.

    In this order: not redeemable at this store, refunded, already redeemed, expired at `at`. Offline
    (`at` is when the device redeemed it), "already redeemed" comes last: a redemption made before
    the one on record stands and the recorded one becomes the conflict, so the caller decides
    between the two once the redemption itself is known to be valid.
    """
    if not voucher.offering.redeemable_stores.filter(pk=store.pk).exists():
        return WrongStore()
    if voucher.status == VoucherStatus.REFUNDED:
        return VoucherRefunded()
    if voucher.status == VoucherStatus.REDEEMED and not offline:
        return already_redeemed(voucher)
    if voucher.valid_until <= at:
        return VoucherExpired(_("This voucher expired on %(d)s.") % {
            "d": date_format(localtime(voucher.valid_until, store_tz(store)), "DATE_FORMAT")})
    if voucher.status == VoucherStatus.REDEEMED:
        return already_redeemed(voucher)
    return None


def voucher_move(voucher: Voucher, to: str, *, actor: Any = None, reason: str = "", store: Store | None = None,
                 data: dict[str, Any] | None = None, where: dict[str, Any] | None = None,
                 extra: dict[str, Any] | None = None, now: datetime | None = None) -> None:
    """Move a voucher's status (TransitionNotAllowed when the table or the row's current state refuses)."""
    transition(obj=voucher, to=to, table=VOUCHER_TRANSITIONS, event_model=VoucherEvent, event_fk="voucher",
               actor=actor, reason=reason, data=data, extra=extra, where=where, now=now,
               event_extra={"store": store} if store is not None else None)
    if to == VoucherStatus.REDEEMED:  # the event stream, in the same transaction as the move
        placement = Order.objects.filter(pk=voucher.order_id).values_list("source_placement", flat=True).first()
        event_append(kind=EventKind.REDEEMED, merchant_id=voucher.merchant_id, at=now,
                     store_id=store.pk if store is not None else voucher.redeemed_store_id,
                     placement_id=placement, customer_id=voucher.customer_id, order_id=voucher.order_id,
                     offering_id=voucher.offering_id)
