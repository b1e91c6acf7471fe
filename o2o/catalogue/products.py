"""Products and menu items (offerings of kind "product"): option groups with price deltas, per-store
stock (or unlimited for a dish made to order), a per-store sold-out switch, prep time, menu sections
in the merchant's order; and the one function that prices a line's chosen options (`options_price`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from o2o.accounts.models import User
from o2o.audit.services import audit_record
from o2o.catalogue.enums import OfferingKind, OfferingStatus
from o2o.catalogue.models import MenuSection, Offering, OfferingEvent, OptionChoice, OptionGroup, StoreStock
from o2o.core.errors import Invalid, NotFound
from o2o.core.money import Money
from o2o.merchants.access import as_uuid
from o2o.merchants.models import Merchant, Store

MAX_GROUPS = 8
MAX_CHOICES = 20
MAX_STOCK = 1_000_000
MAX_PREP = 240


def _text(value: Any, field: str, *, max_len: int) -> str:
    if not isinstance(value, str) or not value.strip() or len(value.strip()) > max_len:
        raise Invalid(_("Some fields are not valid."), fields={field: _("1 to %(n)d characters") % {"n": max_len}})
    return value.strip()


def _delta(value: Any, field: str, currency: str) -> Decimal:
    from o2o.core.money import parse_amount

    raw = value.get("amount") if isinstance(value, dict) else value
    cur = value.get("currency", currency) if isinstance(value, dict) else currency
    if cur != currency:
        raise Invalid(_("Some fields are not valid."), fields={field: _("Use the product's currency.")})
    amount = parse_amount(raw if raw is not None else "0", currency=currency, field=field).amount
    if amount < 0 or amount > Decimal("100000"):
        raise Invalid(_("Some fields are not valid."), fields={field: _("0 to 100000")})
    return amount


@dataclass(frozen=True)
class GroupIn:
    name: str
    required: bool
    max_choices: int
    choices: list[tuple[str, Decimal]]


def clean_options(options: Any, *, currency: str) -> list[GroupIn]:
    """API.md's options: [{name, required, max_choices, choices: [{name, price_delta}]}], checked."""
    if options is None:
        return []
    if not isinstance(options, list) or len(options) > MAX_GROUPS:
        raise Invalid(_("Some fields are not valid."), fields={"options": _("at most %(n)d groups") % {"n": MAX_GROUPS}})
    out: list[GroupIn] = []
    names: set[str] = set()
    for i, g in enumerate(options):
        if not isinstance(g, dict):
            raise Invalid(_("Some fields are not valid."), fields={f"options.{i}": _("object expected")})
        name = _text(g.get("name"), f"options.{i}.name", max_len=60)
        if name in names:
            raise Invalid(_("Some fields are not valid."), fields={f"options.{i}.name": _("used twice")})
        names.add(name)
        choices = g.get("choices")
        if not isinstance(choices, list) or not choices or len(choices) > MAX_CHOICES:
            raise Invalid(_("Some fields are not valid."),
                          fields={f"options.{i}.choices": _("1 to %(n)d choices") % {"n": MAX_CHOICES}})
        seen: set[str] = set()
        clean: list[tuple[str, Decimal]] = []
        for j, c in enumerate(choices):
            if not isinstance(c, dict):
                raise Invalid(_("Some fields are not valid."), fields={f"options.{i}.choices.{j}": _("object expected")})
            cname = _text(c.get("name"), f"options.{i}.choices.{j}.name", max_len=60)
            if cname in seen:
                raise Invalid(_("Some fields are not valid."), fields={f"options.{i}.choices.{j}.name": _("used twice")})
            seen.add(cname)
            clean.append((cname, _delta(c.get("price_delta"), f"options.{i}.choices.{j}.price_delta", currency)))
        most = g.get("max_choices", 1)
        if isinstance(most, bool) or not isinstance(most, int) or not 1 <= most <= len(clean):
            raise Invalid(_("Some fields are not valid."),
                          fields={f"options.{i}.max_choices": _("1 to %(n)d") % {"n": len(clean)}})
        required = g.get("required", False)
        if not isinstance(required, bool):
            raise Invalid(_("Some fields are not valid."), fields={f"options.{i}.required": _("true or false")})
        out.append(GroupIn(name=name, required=required, max_choices=most, choices=clean))
    return out


def clean_stock(stock: Any, *, merchant: Merchant) -> dict[Any, int | None]:
    """API.md's stock: [{store_id, quantity}] with quantity null for unlimited; stores of this merchant."""
    if not isinstance(stock, list) or len(stock) > 500:
        raise Invalid(_("Say which stores sell it."), fields={"stock": _("a list of {store_id, quantity}")})
    out: dict[Any, int | None] = {}
    for i, row in enumerate(stock):
        if not isinstance(row, dict):
            raise Invalid(_("Some fields are not valid."), fields={f"stock.{i}": _("object expected")})
        sid = as_uuid(row.get("store_id"))
        qty = row.get("quantity")
        if qty is not None and (isinstance(qty, bool) or not isinstance(qty, int) or not 0 <= qty <= MAX_STOCK):
            raise Invalid(_("Some fields are not valid."),
                          fields={f"stock.{i}.quantity": _("0 to %(n)d, or null for unlimited") % {"n": MAX_STOCK}})
        out[sid] = qty
    found = set(Store.objects.filter(merchant=merchant, pk__in=list(out)).values_list("pk", flat=True))
    if found != set(out):
        raise Invalid(_("Unknown store."), fields={"stock": _("Choose stores of this merchant only.")})
    return out


def _prep(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_PREP:
        raise Invalid(_("Some fields are not valid."), fields={"prep_minutes": _("0 to %(n)d") % {"n": MAX_PREP}})
    return value


def _section(merchant: Merchant, section_id: Any) -> MenuSection | None:
    if section_id is None:
        return None
    section = MenuSection.objects.filter(merchant=merchant, pk=as_uuid(section_id)).first()
    if section is None:
        raise Invalid(_("Unknown menu section."), fields={"section_id": _("a section of this merchant")})
    return section


def options_write(*, offering: Offering, groups: Sequence[GroupIn]) -> None:
    """Replace the product's option groups (orders keep their own snapshot of what was chosen)."""
    OptionGroup.objects.filter(offering=offering).delete()
    for gi, g in enumerate(groups):
        group = OptionGroup.objects.create(offering=offering, name=g.name, required=g.required,
                                           max_choices=g.max_choices, position=gi)
        OptionChoice.objects.bulk_create([OptionChoice(group=group, name=n, price_delta_amount=d, position=ci)
                                          for ci, (n, d) in enumerate(g.choices)])


@transaction.atomic
def product_create(*, merchant: Merchant, actor: User, title: Any, description: Any = "", price: Any,
                   list_price: Any = None, stock: Any = None, options: Any = None, section_id: Any = None,
                   prep_minutes: Any = 0, status: str = OfferingStatus.DRAFT) -> Offering:
    """A product or menu item with its option groups and its stock per store."""
    from o2o.catalogue.services import _money

    title = _text(title, "title", max_len=140)
    if not isinstance(description, str) or len(description) > 8000:
        raise Invalid(_("Some fields are not valid."), fields={"description": _("at most 8000 characters")})
    price_m = _money(price, "price")
    list_m = _money(list_price, "list_price") if list_price is not None else price_m
    if list_m.currency != price_m.currency or list_m.amount < price_m.amount:
        raise Invalid(_("The list price cannot be below the price."), fields={"list_price": _("at least the price")})
    if status not in (OfferingStatus.DRAFT, OfferingStatus.LIVE):
        raise Invalid(_("A new offering is draft or live."), fields={"status": _("Choose draft or live.")})
    groups = clean_options(options, currency=price_m.currency)
    per_store = clean_stock(stock, merchant=merchant)
    offering = Offering.objects.create(
        merchant=merchant, kind=OfferingKind.PRODUCT, title=title, description=description.strip(),
        currency=price_m.currency, price_amount=price_m.amount, list_price_amount=list_m.amount,
        quantity_total=sum(q for q in per_store.values() if q is not None), per_customer_limit=0,
        valid_days=1, status=status, section=_section(merchant, section_id), prep_minutes=_prep(prep_minutes),
        position=Offering.objects.filter(merchant=merchant, kind=OfferingKind.PRODUCT).count())
    options_write(offering=offering, groups=groups)
    StoreStock.objects.bulk_create([StoreStock(offering=offering, store_id=sid, quantity_left=q)
                                    for sid, q in per_store.items()])
    offering.redeemable_stores.set(list(per_store))
    OfferingEvent.objects.create(offering=offering, actor=actor, from_status="", to_status=status, reason="created")
    audit_record(actor=actor, action="offering.create", obj=offering,
                 summary=f"product “{title}” {price_m.amount} {price_m.currency} at {len(per_store)} store(s) ({status})")
    return offering


@transaction.atomic
def product_update(*, offering: Offering, actor: User, options: Any = None, section_id: Any = ...,
                   prep_minutes: Any = None) -> Offering:
    """Change a product's option groups, menu section or prep time (other fields: offering_update)."""
    if offering.kind != OfferingKind.PRODUCT:
        raise Invalid(_("Only products have options."), fields={"kind": offering.kind})
    changed = []
    if options is not None:
        options_write(offering=offering, groups=clean_options(options, currency=offering.currency))
        changed.append("options")
    if section_id is not ...:
        offering.section = _section(offering.merchant, section_id)
        changed.append("section")
    if prep_minutes is not None:
        offering.prep_minutes = _prep(prep_minutes)
        changed.append("prep_minutes")
    offering.save(update_fields=["section", "prep_minutes", "updated_at"])
    audit_record(actor=actor, action="offering.update", obj=offering,
                 summary=f"“{offering.title}” edited: {', '.join(changed) or 'nothing'}", data={"fields": changed})
    return offering


def store_stock_set(*, offering: Offering, store: Store, actor: User, quantity: Any = ...,
                    sold_out: Any = None) -> StoreStock:
    """Set the store's count of a product (null for unlimited) and/or its sold-out switch. A store that
    did not sell the product starts selling it."""
    if offering.kind != OfferingKind.PRODUCT or offering.merchant_id != store.merchant_id:
        raise NotFound()
    with transaction.atomic():
        row, _created = StoreStock.objects.select_for_update().get_or_create(offering=offering, store=store)
        if quantity is not ...:
            if quantity is not None and (isinstance(quantity, bool) or not isinstance(quantity, int)
                                         or not 0 <= quantity <= MAX_STOCK):
                raise Invalid(_("Some fields are not valid."), fields={"quantity": _("0 to %(n)d, or null for unlimited")
                                                                      % {"n": MAX_STOCK}})
            row.quantity_left = quantity
        if sold_out is not None:
            if not isinstance(sold_out, bool):
                raise Invalid(_("Some fields are not valid."), fields={"sold_out": _("true or false")})
            row.sold_out = sold_out
        row.save()
        offering.redeemable_stores.add(store)
    audit_record(actor=actor, action="stock.set", obj=offering,
                 summary=f"“{offering.title}” at {store.name}: {row.quantity_left if row.quantity_left is not None else '∞'}"
                         f"{' sold out' if row.sold_out else ''}",
                 data={"store": str(store.pk), "quantity": row.quantity_left, "sold_out": row.sold_out})
    return row


def menu_section_create(*, merchant: Merchant, actor: User, title: Any) -> MenuSection:
    title = _text(title, "title", max_len=80)
    section = MenuSection.objects.create(merchant=merchant, title=title,
                                         position=MenuSection.objects.filter(merchant=merchant).count())
    audit_record(actor=actor, action="menu.section", obj=section, summary=f"Menu section “{title}”")
    return section


@transaction.atomic
def menu_sections_order(*, merchant: Merchant, actor: User, section_ids: Any) -> list[MenuSection]:
    """Put the merchant's sections in this order (every section, each once)."""
    if not isinstance(section_ids, list):
        raise Invalid(_("Some fields are not valid."), fields={"section_ids": _("a list of ids")})
    ids = [as_uuid(s) for s in section_ids]
    sections = {s.pk: s for s in MenuSection.objects.select_for_update().filter(merchant=merchant)}
    if len(set(ids)) != len(ids) or set(ids) != set(sections):
        raise Invalid(_("Give every section of the menu once."), fields={"section_ids": _("every section, once")})
    for pos, sid in enumerate(ids):
        MenuSection.objects.filter(pk=sid).update(position=pos)
    audit_record(actor=actor, action="menu.order", obj=merchant, summary="Menu sections reordered")
    return list(MenuSection.objects.filter(merchant=merchant))


@dataclass(frozen=True)
class PricedOptions:
    unit_price: Money
    snapshot: list[dict[str, str]]  # [{"name": "Size", "choice": "Large", "price_delta": "3.00"}]


def options_price(*, offering: Offering, chosen: Any, field: str = "options") -> PricedOptions:
    """The unit price of the product with these choices (API.md: [{name, choice}]) and the snapshot the
    order line keeps. Unknown groups or choices, too many choices or a missing required group -> 422
    with `fields`. Expects offering.option_groups prefetched with their choices (else queries)."""
    groups = {g.name: g for g in offering.option_groups.all()}
    if chosen is None:
        chosen = []
    if not isinstance(chosen, list) or len(chosen) > 40:
        raise Invalid(_("Some fields are not valid."), fields={field: _("a list of {name, choice}")})
    picked: dict[str, list[OptionChoice]] = {}
    for i, c in enumerate(chosen):
        if not isinstance(c, dict) or not isinstance(c.get("name"), str) or not isinstance(c.get("choice"), str):
            raise Invalid(_("Some fields are not valid."), fields={f"{field}.{i}": _("{name, choice} expected")})
        group = groups.get(c["name"])
        if group is None:
            raise Invalid(_("This option does not exist."), fields={f"{field}.{i}.name": _("no such option")})
        choice = next((ch for ch in group.choices.all() if ch.name == c["choice"]), None)
        if choice is None:
            raise Invalid(_("This choice does not exist."), fields={f"{field}.{i}.choice": _("no such choice")})
        already = picked.setdefault(group.name, [])
        if choice in already:
            raise Invalid(_("Some fields are not valid."), fields={f"{field}.{i}.choice": _("chosen twice")})
        already.append(choice)
        if len(already) > group.max_choices:
            raise Invalid(_("Too many choices for %(g)s.") % {"g": group.name},
                          fields={f"{field}.{i}.name": _("at most %(n)d") % {"n": group.max_choices}})
    for g in groups.values():
        if g.required and g.name not in picked:
            raise Invalid(_("Please choose %(g)s.") % {"g": g.name}, fields={field: _("%(g)s is required") % {"g": g.name}})
    snapshot = []
    total = offering.price_amount
    for g in sorted(groups.values(), key=lambda g: g.position):
        for ch in sorted(picked.get(g.name, []), key=lambda ch: ch.position):
            snapshot.append({"name": g.name, "choice": ch.name, "price_delta": str(ch.price_delta_amount)})
            total += ch.price_delta_amount
    return PricedOptions(unit_price=Money(total, offering.currency), snapshot=snapshot)
