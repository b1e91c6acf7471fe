from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from o2o.accounts.models import User
from o2o.audit.services import audit_record
from o2o.catalogue.enums import OFFERING_TRANSITIONS, OfferingKind, OfferingStatus
from o2o.catalogue.images import clean_image
from o2o.catalogue.models import Offering, OfferingEvent, OfferingPhoto
from o2o.catalogue.stock import stock_init
from o2o.core import conf
from o2o.core.errors import Invalid
from o2o.core.money import Money
from o2o.core.state import transition
from o2o.merchants.access import as_uuid
from o2o.merchants.models import Merchant, Store
from o2o.merchants.services import _text


def _int(value: Any, field: str, *, lo: int, hi: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise Invalid(_("Some fields are not valid."), fields={field: _("whole number")})
    if not lo <= value <= hi:
        raise Invalid(_("Some fields are not valid."), fields={field: _("between %(lo)d and %(hi)d") % {"lo": lo, "hi": hi}})
    return value


def _money(value: Any, field: str) -> Money:
    if not isinstance(value, dict) or "amount" not in value:
        raise Invalid(_("Some fields are not valid."), fields={field: _("{amount, currency} expected")})
    currency = value.get("currency") or conf.get().currency
    money = Money.parse(value["amount"], currency, field=field)
    if money.amount < 0:
        raise Invalid(_("Some fields are not valid."), fields={field: _("must not be negative")})
    return money


@transaction.atomic
def offering_create(
    *, merchant: Merchant, actor: User, kind: str, title: str, description: str = "", price: Any,
    list_price: Any = None, quantity_total: Any, per_customer_limit: Any = 0, valid_days: Any = 90,
    redeemable_store_ids: Sequence[Any] = (), status: str = OfferingStatus.DRAFT,
) -> Offering:
    if kind not in OfferingKind.values:
        raise Invalid(_("Unknown kind."), fields={"kind": ", ".join(OfferingKind.values)})
    title = _text(title, "title", max_len=140)
    description = _text(description, "description", max_len=8000, required=False)
    price_m = _money(price, "price")
    list_m = _money(list_price, "list_price") if list_price is not None else price_m
    if list_m.currency != price_m.currency:
        raise Invalid(_("Price and list price must share a currency."), fields={"list_price": _("currency")})
    if list_m.amount < price_m.amount:
        raise Invalid(_("The list price cannot be below the price."), fields={"list_price": _("below price")})
    qty = _int(quantity_total, "quantity_total", lo=1, hi=10_000_000)
    limit = _int(per_customer_limit, "per_customer_limit", lo=0, hi=1000)
    days = _int(valid_days, "valid_days", lo=1, hi=3660)
    if status not in (OfferingStatus.DRAFT, OfferingStatus.LIVE):
        raise Invalid(_("A new offering is draft or live."), fields={"status": "draft, live"})
    if not isinstance(redeemable_store_ids, list | tuple):
        raise Invalid(_("Some fields are not valid."), fields={"redeemable_store_ids": _("list of store ids")})
    ids = {as_uuid(s) for s in redeemable_store_ids}
    stores = list(Store.objects.filter(merchant=merchant, pk__in=ids))
    if len(stores) != len(ids):
        raise Invalid(_("Unknown store."), fields={"redeemable_store_ids": _("stores of this merchant only")})
    if kind == OfferingKind.DEAL and not stores:
        raise Invalid(_("Say where the deal can be redeemed."), fields={"redeemable_store_ids": _("at least one store")})
    offering = Offering.objects.create(
        merchant=merchant, kind=kind, title=title, description=description, currency=price_m.currency,
        price_amount=price_m.amount, list_price_amount=list_m.amount, quantity_total=qty,
        per_customer_limit=limit, valid_days=days, status=status,
    )
    offering.redeemable_stores.set(stores)
    stock_init(offering_id=offering.pk, total=qty)
    OfferingEvent.objects.create(offering=offering, actor=actor, from_status="", to_status=status, reason="created")
    audit_record(actor=actor, action="offering.create", obj=offering, summary=f"{kind} “{title}” {price_m.amount} {price_m.currency} ×{qty} ({status})")
    return offering


def offering_set_status(*, offering: Offering, status: str, actor: User, reason: str = "") -> Offering:
    with transaction.atomic():
        transition(obj=offering, to=status, table=OFFERING_TRANSITIONS, event_model=OfferingEvent,
                   event_fk="offering", actor=actor, reason=reason)
    audit_record(actor=actor, action="offering.status", obj=offering, summary=f"“{offering.title}” → {status}", data={"to": status, "reason": reason})
    return offering


def offering_photo_add(*, offering: Offering, data: bytes, position: int = 0) -> OfferingPhoto:
    content, w, h = clean_image(data)
    photo = OfferingPhoto(offering=offering, width=w, height=h, position=position)
    photo.image.save(content.name or "photo", content, save=False)
    photo.save()
    audit_record(action="offering.photo", obj=offering, summary=f"Photo {w}×{h} added to “{offering.title}”", data={"photo": str(photo.pk)})
    return photo
