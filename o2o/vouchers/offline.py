"""Redemptions a counter made with no network, synced when it is back online.

The counter verified each voucher's Ed25519 signature in the browser and handed over the goods; the
server now verifies every signature again and redeems in order of the device's time:

- the earliest redemption of a voucher stands (a voucher is redeemed once);
- any other redemption of the same voucher, online or offline, becomes a RedemptionConflict that the
  merchant sees, naming both devices, people and times. When an offline redemption that happened
  earlier arrives after a later one was recorded, the earlier one takes its place and the later one
  becomes the conflict;
- a device time is bounded to [voucher issued, now]: a wrong clock cannot put a redemption in the future
  or before the voucher existed;
- re-sending the same item from the same device answers the recorded outcome and records nothing new;
- a forged or unusable item is refused on its own and never stops the rest of the batch.

Each item runs in its own transaction with the voucher row locked, so syncs of the same voucher from
several counters at once are taken one after the other.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from o2o.accounts.models import User
from o2o.audit.services import audit_record
from o2o.core.errors import Invalid, NotFound, TransitionNotAllowed
from o2o.merchants.access import as_uuid, merchant_for_staff, store_for_staff
from o2o.merchants.models import Store
from o2o.vouchers import signing
from o2o.vouchers.enums import VoucherStatus
from o2o.vouchers.errors import AlreadyRedeemed
from o2o.vouchers.models import OfflineOutcome, OfflineRedemption, RedemptionConflict, Voucher, VoucherEvent
from o2o.vouchers.rules import redeem_refusal, voucher_move
from o2o.vouchers.services import wrong_merchant

MAX_ITEMS = 500


@dataclass
class Party:
    """One side of a conflict: where, who, with which device, when."""

    at: datetime | None
    store: Store | None
    by: User | None
    device_id: str = ""
    device_name: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {"at": self.at, "store_id": self.store.pk if self.store else None,
                "store_name": self.store.name if self.store else "",
                "by": self.by.display_name if self.by else "", "device_id": self.device_id,
                "device_name": self.device_name, "online": not self.device_id}


@dataclass
class ItemResult:
    index: int
    status: str  # "redeemed" | "conflict" | "rejected"
    code: str
    message: str
    voucher: Voucher | None = None
    redeemed_at: datetime | None = None
    conflict: RedemptionConflict | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def _parse_device_time(text: Any) -> datetime | None:
    try:
        value = parse_datetime(str(text or "").strip())
    except ValueError:
        return None
    if value is None:
        return None
    if timezone.is_naive(value):
        value = value.replace(tzinfo=UTC)
    try:
        return value.astimezone(UTC)
    except (OverflowError, ValueError):  # an offset that leaves the calendar (year 1 or 9999)
        return None


def _printable(text: Any, limit: int) -> str:
    """Text a device sent, fit for any database column: no control characters (PostgreSQL refuses NUL)."""
    return " ".join("".join(ch if ch.isprintable() else " " for ch in str(text or "")).split())[:limit]


def _bounded(device_time: datetime, voucher: Voucher, now: datetime) -> datetime:
    return max(min(device_time, now), voucher.created_at)


def _clean_device(device_id: Any, device_name: Any) -> tuple[str, str]:
    did = "".join(ch for ch in str(device_id or "") if ch.isalnum() or ch in "-_")[:64]
    if len(did) < 8:
        raise Invalid(_("The counter sent no device id."), fields={"device_id": _("at least 8 letters or digits")})
    name = _printable(device_name, 80)
    return did, name


def _standing(voucher: Voucher) -> tuple[Party, OfflineRedemption | None]:
    """Who holds the voucher's redemption now: the offline row that stands, or the online redemption."""
    row = (OfflineRedemption.objects.select_related("store", "actor")
           .filter(voucher=voucher, outcome=OfflineOutcome.REDEEMED).first())
    if row is not None:
        return Party(row.device_time, row.store, row.actor, row.device_id, row.device_name), row
    return Party(voucher.redeemed_at, voucher.redeemed_store, voucher.redeemed_by), None


def _conflict(voucher: Voucher, first: Party, second: Party) -> RedemptionConflict:
    return RedemptionConflict.objects.create(
        merchant_id=voucher.merchant_id, voucher=voucher,
        first_store=first.store, first_by=first.by, first_at=first.at or timezone.now(),
        first_device_id=first.device_id, first_device_name=first.device_name,
        second_store=second.store, second_by=second.by, second_at=second.at or timezone.now(),
        second_device_id=second.device_id, second_device_name=second.device_name)


def _conflict_message(first: Party) -> str:
    who = first.device_name or (_("an online counter") if not first.device_id else first.device_id[:8])
    return _("Already redeemed first by %(who)s at %(store)s. Your redemption was reported to the merchant.") % {
        "who": who, "store": first.store.name if first.store else "?"}


def _recorded(row: OfflineRedemption, index: int) -> ItemResult:
    """The answer for an item this device sent before."""
    conflict = None
    if row.outcome == OfflineOutcome.CONFLICT:
        conflict = (RedemptionConflict.objects.filter(voucher_id=row.voucher_id, second_device_id=row.device_id)
                    .order_by("-created_at").first())
    return ItemResult(index, row.outcome, row.code or row.outcome, row.message, voucher=row.voucher,
                      redeemed_at=row.device_time, conflict=conflict)


def _reject(index: int, code: str, message: str, voucher: Voucher | None = None) -> ItemResult:
    return ItemResult(index, OfflineOutcome.REJECTED, code, message, voucher=voucher)


def _sync_one(*, actor: User, store: Store, device_id: str, device_name: str, index: int,
              qr_payload: Any, reported: Any, now: datetime) -> ItemResult:
    try:
        payload = signing.verify(qr_payload)
    except signing.InvalidSignatureError as exc:
        return _reject(index, exc.code, _("This QR code is not a genuine o2o voucher."))
    device_time = _parse_device_time(reported)
    if device_time is None:
        return _reject(index, "invalid", _("The counter sent no time for this redemption."))
    try:
        vid, mid = as_uuid(payload.get("vid")), as_uuid(payload.get("mid"))
    except NotFound:
        return _reject(index, "not_found", _("No voucher with this code."))
    if mid != store.merchant_id:  # genuinely signed, of another merchant: say so (as the online counter does)
        refusal = wrong_merchant(mid=mid)
        return _reject(index, refusal.code, refusal.message)

    with transaction.atomic():
        voucher = (Voucher.objects.select_for_update(of=("self",))
                   .select_related("offering", "redeemed_store", "redeemed_by")
                   .filter(pk=vid, merchant_id=store.merchant_id).first())
        if voucher is None:
            return _reject(index, "not_found", _("No voucher with this code."))
        earlier = OfflineRedemption.objects.select_related("voucher").filter(voucher=voucher,
                                                                             device_id=device_id).first()
        if earlier is not None:
            return _recorded(earlier, index)
        when = _bounded(device_time, voucher, now)
        row = OfflineRedemption(voucher=voucher, store=store, actor=actor, device_id=device_id,
                                device_name=device_name, device_time=when, reported_time=_printable(reported, 64))
        result = _decide(voucher=voucher, store=store, actor=actor, row=row, index=index, now=now)
        row.outcome, row.code, row.message = result.status, result.code, result.message[:300]
        row.save(force_insert=True)
    if result.status == OfflineOutcome.REDEEMED:
        audit_record(actor=actor, action="voucher.redeem", obj=voucher,
                     summary=f"Voucher …{voucher.code[-4:]} redeemed offline at {store.name}",
                     data={"store_id": str(store.pk), "via": "offline", "device": device_id,
                           "device_time": when.isoformat()})
    elif result.status == OfflineOutcome.CONFLICT:
        audit_record(actor=actor, action="voucher.redeem_conflict", obj=voucher,
                     summary=f"Voucher …{voucher.code[-4:]} redeemed twice (offline at {store.name})",
                     data={"store_id": str(store.pk), "device": device_id, "device_time": when.isoformat()})
    return result


def _decide(*, voucher: Voucher, store: Store, actor: User, row: OfflineRedemption, index: int,
            now: datetime) -> ItemResult:
    """Inside the item's transaction, the voucher row locked: redeem, conflict or refuse."""
    when = row.device_time
    event_data = {"via": "offline", "device": row.device_id, "device_name": row.device_name,
                  "device_time": when.isoformat(), "synced_at": now.isoformat()}
    # The same rule as the online counter; "already redeemed" (always the last reason offline) is not
    # a refusal here but a conflict, decided below by which redemption came first.
    refusal = redeem_refusal(voucher, store, at=when, offline=True)
    if refusal is not None and not isinstance(refusal, AlreadyRedeemed):
        return _reject(index, refusal.code, refusal.message, voucher)

    mine = Party(when, store, actor, row.device_id, row.device_name)
    if voucher.status == VoucherStatus.ISSUED:
        try:
            voucher_move(voucher, VoucherStatus.REDEEMED, actor=actor, store=store, now=now,
                         reason="redeemed offline at counter", data=event_data,
                         extra={"redeemed_at": when, "redeemed_store": store, "redeemed_by": actor})
        except TransitionNotAllowed:  # cannot happen under the row lock; refuse rather than guess
            return _reject(index, "conflict", _("The voucher changed while syncing; sync again."), voucher)
        return ItemResult(index, OfflineOutcome.REDEEMED, "redeemed", _("Redeemed."), voucher=voucher,
                          redeemed_at=when)

    first, first_row = _standing(voucher)
    if first.at is not None and when < first.at:
        # This redemption happened before the one on record: it stands, the recorded one is the conflict.
        Voucher.objects.filter(pk=voucher.pk).update(redeemed_at=when, redeemed_store=store, redeemed_by=actor,
                                                     updated_at=now)
        if first_row is not None:
            OfflineRedemption.objects.filter(pk=first_row.pk).update(
                outcome=OfflineOutcome.CONFLICT, code="conflict", message=_conflict_message(mine)[:300],
                updated_at=now)
        RedemptionConflict.objects.filter(voucher=voucher).update(
            first_store=store, first_by=actor, first_at=when, first_device_id=row.device_id,
            first_device_name=row.device_name, updated_at=now)
        conflict = _conflict(voucher, mine, first)
        VoucherEvent.objects.create(voucher=voucher, actor=actor, from_status=VoucherStatus.REDEEMED,
                                    to_status=VoucherStatus.REDEEMED, store=store,
                                    reason="earlier offline redemption stands; the later one is a conflict",
                                    data={**event_data, "conflict": str(conflict.pk),
                                          "replaced_device": first.device_id,
                                          "replaced_time": first.at.isoformat()})
        return ItemResult(index, OfflineOutcome.REDEEMED, "redeemed", _("Redeemed."), voucher=voucher,
                          redeemed_at=when, conflict=conflict)

    conflict = _conflict(voucher, first, mine)
    VoucherEvent.objects.create(voucher=voucher, actor=actor, from_status=VoucherStatus.REDEEMED,
                                to_status=VoucherStatus.REDEEMED, store=store,
                                reason="redeemed again offline: conflict reported",
                                data={**event_data, "conflict": str(conflict.pk)})
    return ItemResult(index, OfflineOutcome.CONFLICT, "already_redeemed", _conflict_message(first),
                      voucher=voucher, redeemed_at=when, conflict=conflict)


def vouchers_sync_offline(*, actor: User, store_id: Any, device_id: Any, items: list[dict[str, Any]],
                          device_name: Any = "") -> tuple[Store, list[ItemResult], list[RedemptionConflict]]:
    """Redeem what a counter queued while offline; answers one result per item, in the order sent,
    and the open conflicts in which this device's redemption was the one refused.

    Not staff of the store's merchant -> NotFound; a clerk not assigned to the store -> Forbidden.
    """
    store, _membership = store_for_staff(user=actor, store_id=store_id)
    did, name = _clean_device(device_id, device_name)
    if len(items) > MAX_ITEMS:
        raise Invalid(_("At most %(n)d redemptions per sync.") % {"n": MAX_ITEMS}, fields={"items": _("too many")})
    now = timezone.now()
    order = sorted(range(len(items)), key=lambda i: (
        _parse_device_time(items[i].get("redeemed_at")) or datetime.max.replace(tzinfo=UTC), i))
    results: dict[int, ItemResult] = {}
    for i in order:
        item = items[i]
        for attempt in range(2):
            try:
                results[i] = _sync_one(actor=actor, store=store, device_id=did, device_name=name, index=i,
                                       qr_payload=item.get("qr_payload"), reported=item.get("redeemed_at"), now=now)
                break
            except IntegrityError:  # the same device synced this item at the same moment: read its outcome
                if attempt:
                    raise
    return store, [results[i] for i in range(len(items))], device_conflicts(store=store, device_id=did)


def device_conflicts(*, store: Store, device_id: str, days: int = 14) -> list[RedemptionConflict]:
    """Open conflicts in which this device's redemption is the one refused (for the counter to show)."""
    since = timezone.now() - timedelta(days=days)
    return list(RedemptionConflict.objects.select_related("voucher__offering", "first_store", "first_by",
                                                          "second_store", "second_by")
                .filter(merchant_id=store.merchant_id, second_device_id=device_id, resolved_at__isnull=True,
                        created_at__gte=since).order_by("-created_at")[:50])


def conflict_as_dict(c: RedemptionConflict) -> dict[str, Any]:
    """A conflict as the counter and the API show it (both parties, which one stands)."""
    first = Party(c.first_at, c.first_store, c.first_by, c.first_device_id, c.first_device_name)
    second = Party(c.second_at, c.second_store, c.second_by, c.second_device_id, c.second_device_name)
    return {"id": c.pk, "voucher_id": c.voucher_id, "code_tail": c.voucher.code[-4:],
            "offering_title": c.voucher.offering.title, "first": first.as_dict(), "second": second.as_dict(),
            "created_at": c.created_at, "resolved": c.resolved}


def merchant_conflicts(*, user: Any, merchant_id: Any, include_resolved: bool = False) -> tuple[Any, list[Any],
                                                                                                   list[Any]]:
    """The merchant's redemption conflicts (owners and managers only; another merchant -> NotFound) and the
    offline redemptions the server refused (refunded, expired, wrong store) for the console."""
    merchant, _m = merchant_for_staff(user=user, merchant_id=merchant_id, manage=True)
    rows = (RedemptionConflict.objects.filter(merchant=merchant)
            .select_related("voucher__offering", "first_store", "first_by", "second_store", "second_by",
                            "resolved_by").order_by("resolved_at", "-created_at"))
    if not include_resolved:
        rows = rows.filter(resolved_at__isnull=True)
    refused = (OfflineRedemption.objects.filter(voucher__merchant=merchant, outcome=OfflineOutcome.REJECTED)
               .select_related("voucher__offering", "store", "actor").order_by("-created_at"))
    return merchant, list(rows[:200]), list(refused[:100])


def open_conflict_count(*, merchant: Any) -> int:
    return RedemptionConflict.objects.filter(merchant=merchant, resolved_at__isnull=True).count()


def conflict_resolve(*, actor: User, merchant_id: Any, conflict_id: Any) -> RedemptionConflict:
    """An owner or manager marks a conflict as dealt with (the row stays, with who and when)."""
    merchant, _m = merchant_for_staff(user=actor, merchant_id=merchant_id, manage=True)
    conflict = RedemptionConflict.objects.filter(merchant=merchant, pk=as_uuid(conflict_id)).first()
    if conflict is None:
        raise NotFound()
    now = timezone.now()
    if RedemptionConflict.objects.filter(pk=conflict.pk, resolved_at__isnull=True).update(
            resolved_at=now, resolved_by=actor, updated_at=now):
        audit_record(actor=actor, action="voucher.conflict_resolve", obj=conflict.voucher, merchant=merchant,
                     summary=f"Redemption conflict of voucher …{conflict.voucher.code[-4:]} resolved")
    conflict.refresh_from_db()
    return conflict
