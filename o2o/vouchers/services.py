"""Issue, redeem and refund vouchers. A voucher is redeemed at most once: the status moves by a
conditional UPDATE, so of two counters submitting at the same moment exactly one wins."""

from __future__ import annotations

import secrets
from datetime import timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from o2o.accounts.models import User
from o2o.audit.services import audit_record
from o2o.core.errors import Invalid, NotFound, TransitionNotAllowed
from o2o.merchants.access import StoreOfOtherMerchant, as_uuid, membership_of, store_for_counter
from o2o.merchants.models import Store
from o2o.vouchers import signing
from o2o.vouchers.enums import VoucherStatus
from o2o.vouchers.errors import WrongMerchant
from o2o.vouchers.models import Voucher, VoucherEvent
from o2o.vouchers.rules import already_redeemed, redeem_refusal, voucher_move

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
        try:
            voucher_move(v, VoucherStatus.REFUNDED, actor=actor, reason="refund", extra={"refunded_at": now}, now=now)
        except TransitionNotAllowed:
            continue  # redeemed (or refunded) meanwhile
        done.append(v)
    return done


def wrong_merchant(*, mid: Any) -> WrongMerchant:
    """409 wrong_merchant, naming the voucher's merchant when it is a public (active) one."""
    from o2o.merchants.enums import MerchantStatus
    from o2o.merchants.models import Merchant

    try:
        name = (Merchant.objects.filter(pk=as_uuid(mid), status=MerchantStatus.ACTIVE)
                .values_list("name", flat=True).first())
    except NotFound:
        name = None
    if name:
        return WrongMerchant(_("This voucher belongs to another merchant (%(name)s).") % {"name": name},
                             fields={"merchant_name": name})
    return WrongMerchant()


def _foreign_qr(*, actor: User, store_id: Any, payload: dict[str, Any]) -> WrongMerchant | None:
    """A genuine QR whose merchant is not the merchant of the counter's store, scanned by staff of that
    store's merchant: say so (409) rather than "no such voucher". Anyone else keeps getting 404."""
    if store_id is None:
        return None
    try:
        store = Store.objects.filter(pk=as_uuid(store_id)).first()
        mid = as_uuid(payload.get("mid"))
    except NotFound:
        return None
    if store is None or mid == store.merchant_id or membership_of(actor, store.merchant_id) is None:
        return None
    return wrong_merchant(mid=mid)


def _find_for_staff(*, actor: User, code: Any = None, qr_payload: Any = None, store_id: Any = None) -> Voucher:
    """The voucher by typed code or signed QR, visible only to staff of its merchant (404 otherwise).

    A typed code of another merchant stays vague (404); a genuinely signed QR names its merchant, so
    staff at a counter of their own merchant are told it belongs to another one (409 wrong_merchant).
    """
    if qr_payload:
        payload = signing.verify(qr_payload)
        foreign = _foreign_qr(actor=actor, store_id=store_id, payload=payload)
        if foreign is not None and membership_of(actor, payload.get("mid")) is None:
            raise foreign
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


def voucher_check(*, actor: User, store_id: Any, code: Any = None, qr_payload: Any = None) -> Voucher:
    """What the counter shows before redeeming: raises the same errors redeeming would."""
    voucher = _find_for_staff(actor=actor, code=code, qr_payload=qr_payload, store_id=store_id)
    store = _store_for_counter(actor=actor, store_id=store_id, merchant_id=voucher.merchant_id)
    _raise_if_unusable(voucher, store)
    return voucher


def _store_for_counter(*, actor: User, store_id: Any, merchant_id: Any) -> Store:
    try:
        return store_for_counter(user=actor, store_id=store_id, merchant_id=merchant_id)
    except StoreOfOtherMerchant:
        # The clerk's own store belongs to another merchant than the voucher: not redeemable here.
        raise wrong_merchant(mid=merchant_id) from None


def _raise_if_unusable(voucher: Voucher, store: Store) -> None:
    refusal = redeem_refusal(voucher, store, at=timezone.now())
    if refusal is not None:
        raise refusal


def voucher_redeem(*, actor: User, store_id: Any, code: Any = None, qr_payload: Any = None) -> Voucher:
    voucher = _find_for_staff(actor=actor, code=code, qr_payload=qr_payload, store_id=store_id)
    store = _store_for_counter(actor=actor, store_id=store_id, merchant_id=voucher.merchant_id)
    _raise_if_unusable(voucher, store)
    now = timezone.now()
    try:
        voucher_move(voucher, VoucherStatus.REDEEMED, actor=actor, store=store, reason="redeemed at counter",
                     data={"via": "qr" if qr_payload else "code"}, where={"valid_until__gt": now}, now=now,
                     extra={"redeemed_at": now, "redeemed_store": store, "redeemed_by": actor})
    except TransitionNotAllowed:  # lost a race: report what the winner did
        voucher.refresh_from_db()
        _raise_if_unusable(voucher, store)
        raise already_redeemed(voucher) from None
    audit_record(actor=actor, action="voucher.redeem", obj=voucher, summary=f"Voucher …{voucher.code[-4:]} redeemed at {store.name}", data={"store_id": str(store.pk), "via": "qr" if qr_payload else "code"})
    return voucher
