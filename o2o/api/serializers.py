"""Plain functions that turn domain objects into the API's JSON."""

import json
from typing import Any

from django.core.exceptions import ObjectDoesNotExist
from django.core.serializers.json import DjangoJSONEncoder
from django.utils import timezone
from django.utils.translation import get_language

from o2o.bookings.models import Service
from o2o.catalogue.models import Offering
from o2o.core.money import Money, discount_percent
from o2o.merchants.hours import is_open
from o2o.merchants.models import Merchant, Store
from o2o.orders.enums import OrderStatus
from o2o.orders.models import Order
from o2o.reviews.models import Review
from o2o.vouchers.models import Voucher


def json_safe(data: Any) -> Any:
    """A JSON-safe copy (UUIDs, datetimes as strings), so that a stored idempotent answer replays exactly."""
    return json.loads(json.dumps(data, cls=DjangoJSONEncoder))


def money(m: Money) -> dict[str, str]:
    return m.as_api(get_language() or "en")


def merchant_ref(m: Merchant) -> dict[str, Any]:
    return {"id": m.pk, "name": m.name, "category": m.category}


def merchant_out(m: Merchant) -> dict[str, Any]:
    return {**merchant_ref(m), "status": m.status}


def store_out(s: Store) -> dict[str, Any]:
    return {
        "id": s.pk, "name": s.name, "address": s.address, "lat": s.lat, "lng": s.lng, "timezone": s.timezone,
        "opening_hours": s.opening_hours, "merchant": merchant_ref(s.merchant), "rating": s.rating,
        "review_count": s.review_count, "open_now": is_open(s.opening_hours, s.timezone, timezone.now(), s.closed_dates),
    }


def offering_out(o: Offering) -> dict[str, Any]:
    return {
        "id": o.pk, "kind": o.kind, "title": o.title, "description": o.description, "price": money(o.price),
        "list_price": money(o.list_price), "discount_percent": discount_percent(o.price, o.list_price),
        "quantity_total": o.quantity_total, "quantity_left": o.quantity_left,
        "per_customer_limit": o.per_customer_limit, "valid_days": o.valid_days, "status": o.status,
        "merchant": merchant_ref(o.merchant), "redeemable_store_ids": [s.pk for s in o.redeemable_stores.all()],
        "photos": [p.image.url for p in o.photos.all()],
        **(_product_out(o) if o.kind == "product" else {}),
        **({"service": service_out(o)} if o.kind == "service" else {}),
    }


def _product_out(o: Offering) -> dict[str, Any]:
    rows = list(o.store_stock.all())
    return {
        # a product's units are per store: quantity_left is the stores' counted stock (unlimited ones are
        # in `stock` with quantity_left null), quantity_total what they were given at creation
        "quantity_left": sum(s.quantity_left or 0 for s in rows if not s.sold_out),
        "stock": [{"store_id": s.store_id, "quantity_left": s.quantity_left, "sold_out": s.sold_out}
                  for s in rows],
        "options": [{"name": g.name, "required": g.required, "max_choices": g.max_choices,
                     "choices": [{"name": c.name, "price_delta": money(Money(c.price_delta_amount, o.currency))}
                                 for c in g.choices.all()]} for g in o.option_groups.all()],
        "prep_minutes": o.prep_minutes, "section_id": o.section_id,
    }


def service_out(o: Offering) -> dict[str, Any] | None:
    """A bookable service's booking side (None for a service offering made before the bookings app)."""
    try:
        svc: Service = o.service  # type: ignore[attr-defined]
    except ObjectDoesNotExist:
        return None
    return {
        "duration_minutes": svc.duration_minutes, "capacity": svc.capacity,
        "store_ids": [str(s.pk) for s in o.redeemable_stores.all()], "schedule": svc.schedule,
        "exceptions": svc.exceptions, "lead_minutes": svc.lead_minutes, "horizon_days": svc.horizon_days,
        "cancel_minutes": svc.cancel_minutes, "resource_ids": [str(r.pk) for r in svc.resources.all()],
        "prepay": svc.prepay,
        "deposit": money(Money(svc.deposit_amount, o.currency)) if svc.deposit_amount is not None else None,
        "late_cancel_keep_percent": svc.late_cancel_keep_percent,
        "no_show_fee": money(Money(svc.no_show_fee_amount, o.currency)) if svc.no_show_fee_amount is not None else None,
    }


def voucher_out(v: Voucher) -> dict[str, Any]:
    return {
        "id": v.pk, "code": v.code, "status": v.display_status, "valid_until": v.valid_until,
        "qr_payload": v.qr_payload, "offering_id": v.offering_id, "redeemed_at": v.redeemed_at,
        "redeemed_store_id": v.redeemed_store_id,
    }


def order_out(o: Order) -> dict[str, Any]:
    return {
        "id": o.pk, "number": o.number, "status": _order_status(o), "total": money(o.total),
        "refunded": money(Money(o.refunded_amount, o.currency)),
        "lines": [
            {"offering_id": ln.offering_id, "title": ln.title, "quantity": ln.quantity,
             "unit_price": money(ln.unit_price), "total": money(ln.total), "options": ln.options,
             "refunded": money(Money(ln.refunded_amount, ln.currency))}
            for ln in o.lines.all()
        ],
        "fulfilment": o.fulfilment, "fulfilment_status": o.fulfilment_status, "store_id": o.store_id,
        "channel": o.source_channel, "paid": money(o.paid),
        "adjustments": [{"kind": a.kind, "label": a.label, "amount": money(a.money),
                         "offering_id": a.line.offering_id if a.line is not None else None} for a in o.adjustments.all()],
        "payments": [{"id": p.pk, "purpose": p.purpose, "status": p.status, "amount": money(p.money),
                      "refunded": money(Money(p.refunded_amount, p.currency)), "created_at": p.created_at}
                     for p in sorted(o.payments.all(), key=lambda p: (p.created_at, str(p.pk)))],
        "vouchers": [voucher_out(v) for v in sorted(o.vouchers.all(), key=lambda v: (v.created_at, v.code))],
        "created_at": o.created_at, "expires_at": o.expires_at, "paid_at": o.paid_at,
        # an order not paid yet cannot have been reviewed (a review needs a fulfilled order): no query
        "reviewed": o.status != OrderStatus.AWAITING_PAYMENT and Review.objects.filter(order=o).exists(),
        **(_ticket_out(o) if o.fulfilment != "voucher" else {}),
        **(_delivery_out(o) if o.fulfilment == "delivery" else {}),
    }


def _delivery_out(o: Order) -> dict[str, Any]:
    from o2o.api.delivery_out import order_delivery_out  # it builds on this module's money()

    # the bag's code is for the courier at the store, not for the customer
    return {"delivery": order_delivery_out(o), "pickup_code": None}


def _ticket_out(o: Order) -> dict[str, Any]:
    try:
        t = o.ticket  # type: ignore[attr-defined]
    except ObjectDoesNotExist:
        return {"pickup_code": None, "ticket": None}
    return {
        "pickup_code": t.pickup_code or None,
        "ticket": {"kind": t.kind, "slot_start": t.slot_start, "slot_end": t.slot_end,
                   "table": t.table.label if t.table is not None else None, "tab_id": t.tab_id,
                   "pay_at_counter": t.pay_at_counter, "reject_reason": t.reject_reason or None,
                   "queued_at": t.queued_at, "ready_at": t.ready_at, "handed_over_at": t.done_at
                   if not t.reject_reason else None},
    }


def _order_status(o: Order) -> str:
    if o.status == "awaiting_payment" and o.expires_at <= timezone.now():
        return "expired"
    return o.status


def review_out(r: Review) -> dict[str, Any]:
    return {
        "id": r.pk, "rating": r.rating, "text": r.text, "created_at": r.created_at, "verified": True,
        "author": r.customer.display_name, "reply": r.reply or None, "replied_at": r.replied_at,
        "edited_at": r.edited_at,
        "photos": [{"id": p.pk, "url": p.image.url, "width": p.width, "height": p.height} for p in r.photos.all()],
    }
