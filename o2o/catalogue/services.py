from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from o2o.accounts.models import User
from o2o.audit.services import audit_record
from o2o.catalogue.enums import OFFERING_TRANSITIONS, OfferingKind, OfferingStatus
from o2o.catalogue.images import clean_image
from o2o.catalogue.models import Offering, OfferingEvent, OfferingPhoto
from o2o.catalogue.stock import stock_give, stock_init, stock_left, stock_take
from o2o.core import conf
from o2o.core.errors import Invalid, NotFound
from o2o.core.money import Money
from o2o.core.state import transition
from o2o.merchants.access import as_uuid
from o2o.merchants.models import Merchant, Store
from o2o.merchants.services import _text


def _int(value: Any, field: str, *, lo: int, hi: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise Invalid(_("Some fields are not valid."), fields={field: _("Enter a whole number.")})
    if not lo <= value <= hi:
        raise Invalid(_("Some fields are not valid."), fields={
            field: _("Enter a number from %(lo)d to %(hi)d.") % {"lo": lo, "hi": hi}})
    return value


_MONEY_SENTENCES = {
    "too many decimals": _lazy("Use no more decimals than the currency has (39.00)."),
    "too large": _lazy("The amount is too large."),
    "unknown currency": _lazy("Unknown currency."),
}


def _sentence(message: Any, known: dict[str, Any]) -> str:
    """A field message as a sentence: one already is; a short code becomes its sentence (or a general one)."""
    text = str(message or "")
    if text[:1].isupper() and text.rstrip().endswith((".", "?", "!")):
        return text
    return str(known.get(text, _lazy("Enter an amount such as 39.00.")))


def _money(value: Any, field: str) -> Money:
    if not isinstance(value, dict) or "amount" not in value:
        raise Invalid(_("Some fields are not valid."), fields={
            field: _("Give an amount and a currency, such as {\"amount\": \"39.00\", \"currency\": \"CNY\"}.")})
    currency = value.get("currency") or conf.get().currency
    try:
        money = Money.parse(value["amount"], currency, field=field)
    except Invalid as exc:  # Money.parse names the problem in a word or two; a form shows a sentence
        fields = {k: _sentence(v, _MONEY_SENTENCES) for k, v in (exc.fields or {}).items()}
        raise Invalid(exc.message, fields=fields, code=exc.code) from None
    if money.amount < 0:
        raise Invalid(_("Some fields are not valid."), fields={field: _("The amount cannot be negative.")})
    return money


@dataclass(frozen=True)
class _OfferingFields:
    title: str
    description: str
    price: Money
    list_price: Money
    quantity_total: int
    per_customer_limit: int
    valid_days: int
    stores: list[Store]


def _offering_fields(
    *, merchant: Merchant, kind: str, title: Any, description: Any, price: Any, list_price: Any,
    quantity_total: Any, per_customer_limit: Any, valid_days: Any, redeemable_store_ids: Any,
) -> _OfferingFields:
    """The rules an offering's fields follow, at creation and at every edit alike."""
    title = _text(title, "title", max_len=140)
    description = _text(description, "description", max_len=8000, required=False)
    price_m = _money(price, "price")
    list_m = _money(list_price, "list_price") if list_price is not None else price_m
    if list_m.currency != price_m.currency:
        raise Invalid(_("Price and list price must share a currency."),
                      fields={"list_price": _("Use the same currency as the price.")})
    if list_m.amount < price_m.amount:
        raise Invalid(_("The list price cannot be below the price."),
                      fields={"list_price": _("The list price must be at least the deal price.")})
    qty = _int(quantity_total, "quantity_total", lo=1, hi=10_000_000)
    limit = _int(per_customer_limit, "per_customer_limit", lo=0, hi=1000)
    days = _int(valid_days, "valid_days", lo=1, hi=3660)
    if not isinstance(redeemable_store_ids, list | tuple):
        raise Invalid(_("Some fields are not valid."), fields={"redeemable_store_ids": _("Give a list of store ids.")})
    ids = {as_uuid(s) for s in redeemable_store_ids}
    stores = list(Store.objects.filter(merchant=merchant, pk__in=ids))
    if len(stores) != len(ids):
        raise Invalid(_("Unknown store."), fields={"redeemable_store_ids": _("Choose stores of this merchant only.")})
    if kind == OfferingKind.DEAL and not stores:
        raise Invalid(_("Say where the deal can be redeemed."),
                      fields={"redeemable_store_ids": _("Choose at least one store.")})
    return _OfferingFields(title=title, description=description, price=price_m, list_price=list_m,
                           quantity_total=qty, per_customer_limit=limit, valid_days=days, stores=stores)


@transaction.atomic
def offering_create(
    *, merchant: Merchant, actor: User, kind: str, title: str, description: str = "", price: Any,
    list_price: Any = None, quantity_total: Any = None, per_customer_limit: Any = 0, valid_days: Any = 90,
    redeemable_store_ids: Sequence[Any] = (), status: str = OfferingStatus.DRAFT,
    product: dict[str, Any] | None = None,
) -> Offering:
    """A new offering. A product (kind "product") takes `product`: {stock, options, section_id,
    prep_minutes} (catalogue.products.product_create) instead of quantity_total and redeemable stores."""
    if kind not in OfferingKind.values:
        raise Invalid(_("Unknown kind."), fields={"kind": ", ".join(OfferingKind.values)})
    if kind == OfferingKind.PRODUCT:
        from o2o.catalogue.products import product_create

        product = dict(product or {})
        if product.get("stock") is None and redeemable_store_ids:
            # the deal-shaped request of older clients: quantity_total (or unlimited) at each store named
            product["stock"] = [{"store_id": s, "quantity": quantity_total} for s in redeemable_store_ids]
        return product_create(merchant=merchant, actor=actor, title=title, description=description, price=price,
                              list_price=list_price, status=status, **product)
    f = _offering_fields(merchant=merchant, kind=kind, title=title, description=description, price=price,
                         list_price=list_price, quantity_total=quantity_total,
                         per_customer_limit=per_customer_limit, valid_days=valid_days,
                         redeemable_store_ids=redeemable_store_ids)
    if status not in (OfferingStatus.DRAFT, OfferingStatus.LIVE):
        raise Invalid(_("A new offering is draft or live."),
                      fields={"status": _("Choose draft or live.")})
    offering = Offering.objects.create(
        merchant=merchant, kind=kind, title=f.title, description=f.description, currency=f.price.currency,
        price_amount=f.price.amount, list_price_amount=f.list_price.amount, quantity_total=f.quantity_total,
        per_customer_limit=f.per_customer_limit, valid_days=f.valid_days, status=status,
    )
    offering.redeemable_stores.set(f.stores)
    stock_init(offering_id=offering.pk, total=f.quantity_total)
    OfferingEvent.objects.create(offering=offering, actor=actor, from_status="", to_status=status, reason="created")
    audit_record(actor=actor, action="offering.create", obj=offering, summary=f"{kind} “{f.title}” {f.price.amount} {f.price.currency} ×{f.quantity_total} ({status})")
    return offering


_EDITABLE = ("title", "description", "price", "list_price", "quantity_total", "per_customer_limit", "valid_days",
             "redeemable_store_ids")


def offering_update(*, offering_id: Any, merchant: Merchant, actor: User, **changes: Any) -> Offering:
    """Edit an offering with the rules of creation. Only the given fields change.

    Orders already placed keep their own unit prices and titles (order lines copy them) and issued
    vouchers keep their valid_until; the new values apply to what is sold from now on. The total
    quantity never drops below the units already sold or held by unpaid orders: the difference
    moves in the stock buckets by the same conditional updates as a sale, so a buyer at the same
    moment cannot make the deal oversell.
    """
    unknown = sorted(set(changes) - set(_EDITABLE))
    if unknown:
        raise Invalid(_("Some fields cannot be changed."),
                      fields={k: _("This field cannot be changed here.") for k in unknown})
    with transaction.atomic():
        # FOR NO KEY UPDATE where the database has it: a checkout inserting an order line takes a key-share
        # lock on the offering after taking its stock, and a plain FOR UPDATE here would deadlock with it.
        no_key = connection.features.has_select_for_no_key_update
        offering = (Offering.objects.select_for_update(no_key=no_key)
                    .filter(merchant=merchant, pk=as_uuid(offering_id)).first())
        if offering is None:
            raise NotFound()
        current: dict[str, Any] = {
            "title": offering.title, "description": offering.description,
            "price": {"amount": str(offering.price_amount), "currency": offering.currency},
            "list_price": {"amount": str(offering.list_price_amount), "currency": offering.currency},
            "quantity_total": offering.quantity_total, "per_customer_limit": offering.per_customer_limit,
            "valid_days": offering.valid_days,
            "redeemable_store_ids": list(offering.redeemable_stores.values_list("pk", flat=True)),
        }
        merged = {**current, **changes}
        if "price" in changes and "list_price" not in changes and isinstance(changes["price"], dict):
            # a new price keeps the old list price, in the price's currency for the currency check below
            merged["list_price"] = {**current["list_price"], "currency": changes["price"].get("currency")
                                    or offering.currency}
        f = _offering_fields(merchant=merchant, kind=offering.kind, **merged)
        if f.price.currency != offering.currency:
            raise Invalid(_("The currency of an offering cannot change."),
                          fields={"price": _("Keep the currency %(c)s.") % {"c": offering.currency}})
        delta = f.quantity_total - offering.quantity_total
        if delta > 0:
            stock_give(offering_id=offering.pk, n=delta)
        elif delta < 0 and not stock_take(offering_id=offering.pk, n=-delta):
            taken = offering.quantity_total - stock_left([offering.pk]).get(offering.pk, 0)
            raise Invalid(_("The quantity cannot go below what is already sold or reserved."), fields={
                "quantity_total": _("At least %(n)d: that many are already sold or held by unpaid orders.")
                % {"n": taken}})
        before = {k: v for k, v in current.items() if k in changes}
        offering.title, offering.description = f.title, f.description
        offering.price_amount, offering.list_price_amount = f.price.amount, f.list_price.amount
        offering.quantity_total, offering.per_customer_limit = f.quantity_total, f.per_customer_limit
        offering.valid_days = f.valid_days
        offering.save(update_fields=["title", "description", "price_amount", "list_price_amount", "quantity_total",
                                     "per_customer_limit", "valid_days", "updated_at"])
        if "redeemable_store_ids" in changes:
            offering.redeemable_stores.set(f.stores)
        offering.refresh_from_db()
    audit_record(actor=actor, action="offering.update", obj=offering,
                 summary=f"“{offering.title}” edited: {', '.join(sorted(changes)) or 'nothing'}",
                 data={"before": {k: (v if not isinstance(v, list) else [str(x) for x in v]) for k, v in before.items()},
                       "fields": sorted(changes)})
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


def offering_photo_remove(*, offering: Offering, photo_ids: Sequence[Any], actor: User | None = None) -> int:
    """Take photos off an offering (only its own; unknown ids are ignored). Returns how many went."""
    ids = [as_uuid(p) for p in photo_ids]
    photos = list(OfferingPhoto.objects.filter(offering=offering, pk__in=ids))
    for photo in photos:
        photo.image.delete(save=False)
        photo.delete()
    if photos:
        audit_record(actor=actor, action="offering.photo_remove", obj=offering,
                     summary=f"{len(photos)} photo(s) removed from “{offering.title}”",
                     data={"photos": [str(p.pk) for p in photos]})
    return len(photos)
