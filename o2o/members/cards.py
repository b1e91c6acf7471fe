"""Member cards: the QR on the customer's phone and the clerk's scan of it at the counter.

The QR is signed like a voucher's (o2o.vouchers.signing: Ed25519 over the exact payload bytes,
`O2O1.<payload>.<signature>`, the keys of GET /keys/vouchers), so a counter can check it with no
network. Its payload says what it is: `{"kid", "typ": "card", "card" (member card id), "mid" (merchant
id), "exp" (unix seconds)}`; a voucher's QR (no `typ`) is never taken for a card, nor a card for a voucher
(it has no `vid`). A card QR lasts CARD_QR_TTL: the phone page shows a fresh one.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from o2o.accounts.models import User
from o2o.core.errors import Conflict, NotFound
from o2o.members.checkout import checked_points, points_adjustment
from o2o.members.errors import InvalidMemberCard
from o2o.members.hooks import earn_for_order
from o2o.members.models import Membership
from o2o.members.services import membership_get_or_create, points_expire_card, points_spend
from o2o.merchants.access import as_uuid, store_for_staff
from o2o.merchants.enums import MerchantStatus
from o2o.merchants.models import Merchant
from o2o.ordering.counter import counter_sale_create
from o2o.orders.models import Order
from o2o.orders.services import order_adjust_unpaid
from o2o.vouchers import signing

CARD_QR_TTL = timedelta(hours=24)
CARD_TYPE = "card"


class CardOfOtherMerchant(Conflict):
    code = "wrong_merchant"


class CardQrExpired(Conflict):
    code = "card_expired"


def member_card_join(*, customer: User, merchant_id: Any) -> tuple[Membership, bool]:
    """The customer's card at the merchant (made now if new): (card, created)."""
    merchant = Merchant.objects.filter(pk=as_uuid(merchant_id), status=MerchantStatus.ACTIVE).first()
    if merchant is None:
        raise NotFound()
    existed = Membership.objects.filter(merchant=merchant, customer=customer).exists()
    return membership_get_or_create(merchant=merchant, customer=customer), not existed


def member_card_qr(card: Membership) -> tuple[str, int]:
    """The card's signed QR payload and its expiry (unix seconds)."""
    exp = int((timezone.now() + CARD_QR_TTL).timestamp())
    return signing.sign({"typ": CARD_TYPE, "card": str(card.pk), "mid": str(card.merchant_id), "exp": exp}), exp


def member_card_scan(*, user: User, store_id: Any, qr_payload: Any) -> Membership:
    """The card whose QR a clerk of the store scanned: a forged or altered QR -> 400 invalid_signature;
    a genuine QR that is not a member card -> 400 invalid_member_card; another merchant's card -> 409
    wrong_merchant; an old QR -> 409 card_expired (the phone shows a fresh one)."""
    store, _m = store_for_staff(user=user, store_id=store_id)
    payload = signing.verify(qr_payload)
    if payload.get("typ") != CARD_TYPE or not isinstance(payload.get("card"), str):
        raise InvalidMemberCard()
    if payload.get("mid") != str(store.merchant_id):
        raise CardOfOtherMerchant(_("This member card is for another merchant."))
    exp = payload.get("exp")
    if not isinstance(exp, int) or exp < timezone.now().timestamp():
        raise CardQrExpired(_("This member card QR is old; ask the customer to open the card again."))
    card = Membership.objects.select_related("customer").filter(pk=as_uuid(payload["card"]),
                                                                 merchant_id=store.merchant_id).first()
    if card is None:
        raise InvalidMemberCard()
    return card


def member_counter_sale(*, user: User, store_id: Any, lines: Any, payment: Any, member_card: Any,
                        points: Any = None) -> tuple[Order, Membership, int]:
    """POST /stores/{id}/sales with `member_card` (the scanned QR) and optionally `points` to spend: the
    walk-in sale (ordering.counter) with the points as an adjustment line, then the points it earns for
    the card's customer. Answers (order, card, points earned)."""
    card = member_card_scan(user=user, store_id=store_id, qr_payload=member_card)
    n = checked_points(points)

    def spend(order: Order) -> Order:
        if not n:
            return order
        points_expire_card(card=card)
        with transaction.atomic():
            adj = points_adjustment(merchant_id=card.merchant_id, points=n, currency=order.currency,
                                    left=Decimal(order.total_amount))
            order = order_adjust_unpaid(order_id=order.pk, adjustments=[adj])
            points_spend(merchant=card.merchant_id, customer=card.customer, points=n, reference=str(order.pk))
        return order

    order = counter_sale_create(user=user, store_id=store_id, lines=lines, payment=payment, before_pay=spend)
    earned = earn_for_order(order=order, customer=card.customer)
    card.refresh_from_db()
    return order, card, earned
