"""Campaign writes: campaigns and their placements, the merchant's attribution window, scans, visitors.

Every merchant-side write passes merchants.access (another merchant's campaign -> 404; a clerk -> 403).
A scan is counted at most `O2O_SCAN_RATE` times per client address and code; past that the client is
answered 429 and nothing is written (a bot hammering a poster's code inflates no figure).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from o2o.audit.services import audit_record
from o2o.campaigns.enums import PlacementKind
from o2o.campaigns.models import MAX_WINDOW_DAYS, AttributionSetting, Campaign, Placement, Scan, Visitor
from o2o.catalogue.models import Offering
from o2o.core import conf, ratelimit
from o2o.core.errors import Invalid
from o2o.core.events import EventKind, event_append
from o2o.core.money import Money
from o2o.merchants.access import as_uuid, merchant_for_staff
from o2o.merchants.models import Merchant, Store

# Short codes: lower-case letters and digits without the look-alikes (0/o, 1/l/i); 31^8 ~ 8.5e11 codes,
# so a guesser hitting the rate limit finds nothing in a lifetime.
CODE_ALPHABET = "23456789abcdefghjkmnpqrstuvwxyz"
CODE_LENGTH = 8
MAX_PLACEMENTS = 50
VISITOR_KEY_BYTES = 24


def code_new() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def code_normal(code: Any) -> str | None:
    """The code as stored, or None when it cannot be one (wrong length or characters): no query needed."""
    text = str(code or "").strip().lower()
    if len(text) != CODE_LENGTH or any(c not in CODE_ALPHABET for c in text):
        return None
    return text


def visitor_key_new() -> str:
    return secrets.token_urlsafe(VISITOR_KEY_BYTES)


def _name(value: Any, field: str) -> str:
    text = value.strip() if isinstance(value, str) else ""
    if not text or len(text) > 120 or any(ord(c) < 32 or ord(c) == 127 for c in text):  # PostgreSQL refuses NUL
        raise Invalid(_("Some fields are not valid."), fields={field: _("Enter a name of 1 to 120 characters.")})
    return text


def _cost(value: Any, field: str) -> Money:
    currency = conf.get().currency
    if not isinstance(value, dict) or "amount" not in value:
        raise Invalid(_("Some fields are not valid."), fields={
            field: _("Give an amount and a currency, such as {\"amount\": \"39.00\", \"currency\": \"CNY\"}.")})
    sent = value.get("currency") or currency
    if sent != currency:
        raise Invalid(_("Some fields are not valid."), fields={
            field: _("Costs are in %(currency)s.") % {"currency": currency}}, code="wrong_currency")
    try:
        money = Money.parse(value["amount"], currency, field=field)
    except (Invalid, ValueError):
        raise Invalid(_("Some fields are not valid."), fields={field: _("Enter an amount such as 39.00.")}) from None
    if money.amount < 0:
        raise Invalid(_("Some fields are not valid."), fields={field: _("The amount cannot be negative.")})
    return money


def _target(merchant: Merchant, value: Any, field: str) -> tuple[Offering | None, Store | None]:
    if not isinstance(value, dict) or len([k for k in ("offering_id", "store_id") if value.get(k)]) != 1:
        raise Invalid(_("Some fields are not valid."), fields={
            field: _("Give exactly one of offering_id and store_id.")})
    if value.get("offering_id"):
        offering = Offering.objects.filter(pk=_maybe_uuid(value["offering_id"]), merchant=merchant).first()
        if offering is None:
            raise Invalid(_("Some fields are not valid."), fields={field: _("No such offering of this merchant.")})
        return offering, None
    store = Store.objects.filter(pk=_maybe_uuid(value["store_id"]), merchant=merchant).first()
    if store is None:
        raise Invalid(_("Some fields are not valid."), fields={field: _("No such store of this merchant.")})
    return None, store


def _maybe_uuid(value: Any) -> Any:
    try:
        return as_uuid(value)
    except Exception:  # noqa: BLE001  # NotFound for a malformed id: here it is a field error
        return None


@dataclass(frozen=True)
class _PlacementIn:
    kind: str
    name: str
    cost: Money
    offering: Offering | None
    store: Store | None


def _placements(merchant: Merchant, raw: Any) -> list[_PlacementIn]:
    if not isinstance(raw, list) or not 1 <= len(raw) <= MAX_PLACEMENTS:
        raise Invalid(_("Some fields are not valid."), fields={
            "placements": _("Give 1 to %(n)d placements.") % {"n": MAX_PLACEMENTS}})
    out = []
    for i, p in enumerate(raw):
        at = f"placements.{i}"
        if not isinstance(p, dict):
            raise Invalid(_("Some fields are not valid."), fields={at: _("Give a placement object.")})
        kind = p.get("kind")
        if kind not in PlacementKind.values:
            raise Invalid(_("Some fields are not valid."), fields={
                f"{at}.kind": _("Choose one of: %(kinds)s.") % {"kinds": ", ".join(PlacementKind.values)}})
        offering, store = _target(merchant, p.get("target"), f"{at}.target")
        out.append(_PlacementIn(kind=kind, name=_name(p.get("name"), f"{at}.name"),
                                cost=_cost(p.get("cost"), f"{at}.cost"), offering=offering, store=store))
    return out


def campaign_create(*, user: Any, merchant_id: Any, name: Any, placements: Any) -> Campaign:
    """A campaign with its placements, each with a fresh short code. Owners and managers only."""
    merchant, _membership = merchant_for_staff(user=user, merchant_id=merchant_id, manage=True)
    title = _name(name, "name")
    wanted = _placements(merchant, placements)
    for _attempt in range(5):
        try:
            with transaction.atomic():
                campaign = Campaign.objects.create(merchant=merchant, name=title)
                for p in wanted:
                    Placement.objects.create(
                        campaign=campaign, merchant=merchant, kind=p.kind, name=p.name, code=code_new(),
                        cost_amount=p.cost.amount, currency=p.cost.currency, target_offering=p.offering,
                        target_store=p.store)
        except IntegrityError:  # a code already taken (one in ~10^11): draw again
            continue
        break
    else:  # pragma: no cover
        raise RuntimeError("could not draw unique placement codes")
    audit_record(actor=user, action="campaign.create", obj=campaign, merchant=merchant,
                 summary=f"“{title}” with {len(wanted)} placements")
    return campaign


def placement_set_active(*, user: Any, merchant_id: Any, placement_id: Any, active: bool) -> Placement:
    """Switch a placement's code on or off (an off code's scans land on the friendly unknown-code page)."""
    from o2o.campaigns.selectors import placement_for_staff

    placement = placement_for_staff(user=user, merchant_id=merchant_id, placement_id=placement_id, manage=True)
    Placement.objects.filter(pk=placement.pk).update(is_active=bool(active), updated_at=timezone.now())
    placement.is_active = bool(active)
    audit_record(actor=user, action="placement.enable" if active else "placement.disable", obj=placement,
                 merchant=placement.merchant, summary=placement.code)
    return placement


def attribution_window_set(*, user: Any, merchant_id: Any, days: Any) -> int:
    merchant, _membership = merchant_for_staff(user=user, merchant_id=merchant_id, manage=True)
    if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= MAX_WINDOW_DAYS:
        raise Invalid(_("Some fields are not valid."), fields={
            "window_days": _("Enter a number from %(lo)d to %(hi)d.") % {"lo": 1, "hi": MAX_WINDOW_DAYS}})
    AttributionSetting.objects.update_or_create(merchant=merchant, defaults={"window_days": days})
    return days


def visitor_link(*, visitor_key: str | None, user: Any, now: datetime | None = None) -> bool:
    """The browser `visitor_key` belongs to `user` from now on, and so do its scans so far (only if the
    visitor is not linked yet: the first account wins). True when this call linked it."""
    if not visitor_key or not getattr(user, "is_authenticated", False):
        return False
    now = now or timezone.now()
    with transaction.atomic():
        linked = Visitor.objects.filter(key=visitor_key, user__isnull=True).update(user=user, linked_at=now)
        if linked:
            Scan.objects.filter(visitor__key=visitor_key, user__isnull=True).update(user=user)
    return bool(linked)


@dataclass(frozen=True)
class ScanResult:
    placement: Placement
    visitor_key: str
    counted: bool


def scan_record(*, placement: Placement, visitor_key: str | None, user: Any, address: str | None,
                now: datetime | None = None) -> ScanResult:
    """Count one scan of an active placement's code by the browser `visitor_key` (a new visitor when None or
    unknown). Past the scan rate of this address for this code: RateLimited, nothing written."""
    ratelimit.hit("scan", f"{ratelimit.address_key(address) or 'unknown'}:{placement.code}", conf.get().scan_rate)
    now = now or timezone.now()
    signed_in = user if getattr(user, "is_authenticated", False) else None
    with transaction.atomic():
        visitor = Visitor.objects.filter(key=visitor_key).first() if visitor_key else None
        if visitor is None:
            visitor = Visitor.objects.create(key=visitor_key_new(), user=signed_in,
                                             linked_at=now if signed_in else None)
        elif visitor.user_id is None and signed_in is not None:
            visitor_link(visitor_key=visitor.key, user=signed_in, now=now)
            visitor.refresh_from_db()
        who = signed_in.pk if signed_in is not None else visitor.user_id
        Scan.objects.create(placement=placement, merchant_id=placement.merchant_id, visitor=visitor, user_id=who, at=now)
        event_append(kind=EventKind.SCAN, merchant_id=placement.merchant_id, at=now, placement_id=placement.pk,
                     store_id=placement.target_store_id, customer_id=who, visitor_id=visitor.pk)
    return ScanResult(placement=placement, visitor_key=visitor.key, counted=True)
