"""Issue, redeem and refund vouchers. A voucher is redeemed at most once: the status moves by a
conditional UPDATE, so of two counters submitting at the same moment exactly one wins."""

from __future__ import annotations

import secrets
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.timezone import localtime
from django.utils.translation import gettext as _

from o2o.accounts.models import User
from o2o.audit.services import audit_record
from o2o.core.errors import Invalid, NotFound
from o2o.merchants.access import as_uuid, membership_allows_store, membership_of
from o2o.merchants.models import Store
from o2o.vouchers import signing
from o2o.vouchers.enums import VoucherStatus
from o2o.vouchers.errors import AlreadyRedeemed, VoucherExpired, VoucherRefunded, WrongStore
from o2o.vouchers.models import Voucher, VoucherEvent

CODE_DIGITS = 12


def _new_code() -> str:
    return f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"


def normalise_code(code: Any) -> str:
    text = "".join(ch for ch in str(code or "") if not ch.isspace() and ch != "-")
    if not text.isdigit() or len(text) != CODE_DIGITS:
        return ""
    return text


def vouchers_issue(*, order: Any) -> list[Voucher]:
    """Issue one signed voucher per unit of each line of a just-paid order (inside its transaction).

    All of them in one multi-row insert (and one for their events), signed with the key read once.
    A code collision (1 in 10^12 a pair) aborts the insert in its savepoint and the codes are drawn again.
    """
    key = signing.active_key()
    now = timezone.now()
    lines = list(order.lines.select_related("offering"))
    for attempt in range(5):
        vouchers: list[Voucher] = []
        for line in lines:
            valid_until = now + timedelta(days=line.offering.valid_days)
            for _unit in range(line.quantity):
                voucher = Voucher(
                    order=order, order_line=line, offering_id=line.offering_id, merchant_id=order.merchant_id,
                    customer_id=order.customer_id, code=_new_code(), status=VoucherStatus.ISSUED,
                    valid_until=valid_until, kid=key.kid,
                )
                payload = {"vid": str(voucher.pk), "mid": str(order.merchant_id), "oid": str(line.offering_id),
                           "exp": int(valid_until.timestamp())}
                voucher.qr_payload = signing.sign(payload, key=key)
                vouchers.append(voucher)
        try:
            with transaction.atomic():
                Voucher.objects.bulk_create(vouchers)
            break
        except IntegrityError:
            if attempt == 4:
                raise
    VoucherEvent.objects.bulk_create([
        VoucherEvent(voucher=v, actor=order.customer, to_status=VoucherStatus.ISSUED, reason="issued",
                     data={"order": order.number}) for v in vouchers])
    return vouchers


def vouchers_refund(*, vouchers: list[Voucher], actor: User) -> list[Voucher]:
    """Move issued vouchers to refunded; those redeemed meanwhile are left out."""
    done = []
    now = timezone.now()
    for v in vouchers:
        moved = Voucher.objects.filter(pk=v.pk, status=VoucherStatus.ISSUED).update(
            status=VoucherStatus.REFUNDED, refunded_at=now, updated_at=now)
        if moved == 1:
            VoucherEvent.objects.create(voucher=v, actor=actor, from_status=VoucherStatus.ISSUED,
                                        to_status=VoucherStatus.REFUNDED, reason="refund")
            v.status = VoucherStatus.REFUNDED
            done.append(v)
    return done


def _find_for_staff(*, actor: User, code: Any = None, qr_payload: Any = None) -> Voucher:
    """The voucher by typed code or signed QR, visible only to staff of its merchant (404 otherwise)."""
    if qr_payload:
        payload = signing.verify(qr_payload)
        try:
            voucher = Voucher.objects.select_related("offering", "merchant", "redeemed_store").filter(
                pk=as_uuid(payload.get("vid")), merchant_id=as_uuid(payload.get("mid"))).first()
        except NotFound:
            voucher = None
    elif code:
        clean = normalise_code(code)
        if not clean:
            raise Invalid(_("A voucher code has %(n)d digits.") % {"n": CODE_DIGITS}, fields={"code": _("12 digits")})
        voucher = Voucher.objects.select_related("offering", "merchant", "redeemed_store").filter(code=clean).first()
    else:
        raise Invalid(_("Scan a QR code or type the voucher code."), fields={"code": _("required")})
    if voucher is None or membership_of(actor, voucher.merchant_id) is None:
        raise NotFound(_("No voucher with this code."))
    return voucher


def _store_tz(store: Store | None) -> ZoneInfo | None:
    """Times shown at a counter are in that store's own timezone (the server's when unknown)."""
    try:
        return ZoneInfo(store.timezone) if store and store.timezone else None
    except (ZoneInfoNotFoundError, ValueError):
        return None


def _redeemed_message(v: Voucher) -> str:
    # the one date style of the language (o2o/web/formats: 24-hour, never ending in "p.m.")
    when = (date_format(localtime(v.redeemed_at, _store_tz(v.redeemed_store)), "DATETIME_FORMAT")
            if v.redeemed_at else "?")
    where = v.redeemed_store.name if v.redeemed_store else "?"
    return _("This voucher was redeemed at %(store)s on %(when)s.") % {"store": where, "when": when}


def voucher_check(*, actor: User, store_id: Any, code: Any = None, qr_payload: Any = None) -> Voucher:
    """What the counter shows before redeeming: raises the same errors redeeming would."""
    voucher = _find_for_staff(actor=actor, code=code, qr_payload=qr_payload)
    store = _store_for_counter(actor=actor, store_id=store_id, merchant_id=voucher.merchant_id)
    _raise_if_unusable(voucher, store)
    return voucher


def _store_for_counter(*, actor: User, store_id: Any, merchant_id: Any) -> Store:
    store = Store.objects.filter(pk=as_uuid(store_id)).first()
    membership = membership_of(actor, merchant_id)
    if store is None or membership is None:
        raise NotFound()
    if store.merchant_id != merchant_id:
        # The clerk's own store belongs to another merchant than the voucher: not redeemable here.
        own = membership_of(actor, store.merchant_id)
        if own is None:
            raise NotFound()
        raise WrongStore(_("This voucher belongs to another merchant."))
    if not membership_allows_store(membership, store):
        from o2o.core.errors import Forbidden

        raise Forbidden(_("You are not assigned to this store."))
    return store


def _raise_if_unusable(voucher: Voucher, store: Store) -> None:
    if voucher.status == VoucherStatus.REDEEMED:
        raise AlreadyRedeemed(_redeemed_message(voucher), fields={
            "redeemed_at": voucher.redeemed_at.isoformat() if voucher.redeemed_at else None,
            "store_id": str(voucher.redeemed_store_id), "store_name": voucher.redeemed_store.name
            if voucher.redeemed_store else None})
    if voucher.status == VoucherStatus.REFUNDED:
        raise VoucherRefunded()
    if voucher.valid_until <= timezone.now():
        raise VoucherExpired(_("This voucher expired on %(d)s.") % {
            "d": date_format(localtime(voucher.valid_until, _store_tz(store)), "DATE_FORMAT")})
    if not voucher.offering.redeemable_stores.filter(pk=store.pk).exists():
        raise WrongStore()


def voucher_redeem(*, actor: User, store_id: Any, code: Any = None, qr_payload: Any = None) -> Voucher:
    voucher = _find_for_staff(actor=actor, code=code, qr_payload=qr_payload)
    store = _store_for_counter(actor=actor, store_id=store_id, merchant_id=voucher.merchant_id)
    _raise_if_unusable(voucher, store)
    now = timezone.now()
    with transaction.atomic():
        moved = Voucher.objects.filter(pk=voucher.pk, status=VoucherStatus.ISSUED, valid_until__gt=now).update(
            status=VoucherStatus.REDEEMED, redeemed_at=now, redeemed_store=store, redeemed_by=actor, updated_at=now)
        if moved == 1:
            VoucherEvent.objects.create(voucher=voucher, actor=actor, from_status=VoucherStatus.ISSUED,
                                        to_status=VoucherStatus.REDEEMED, store=store, reason="redeemed at counter",
                                        data={"via": "qr" if qr_payload else "code"})
    voucher.refresh_from_db()
    if moved != 1:  # lost a race: report what the winner did
        _raise_if_unusable(voucher, store)
        raise AlreadyRedeemed(_redeemed_message(voucher))
    audit_record(actor=actor, action="voucher.redeem", obj=voucher, summary=f"Voucher …{voucher.code[-4:]} redeemed at {store.name}", data={"store_id": str(store.pk), "via": "qr" if qr_payload else "code"})
    return voucher
