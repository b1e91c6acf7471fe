"""The baseline: the plain checkout with one stock row, taken first by a conditional UPDATE
(`UPDATE ... SET left = left - n WHERE left >= n`) and held until the order rows are written
and committed — what a straightforward implementation does."""

from __future__ import annotations

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from o2o.accounts.models import User
from o2o.catalogue.models import Offering, StockBucket
from o2o.core import conf
from o2o.orders.checkout import new_number as _new_number
from o2o.orders.enums import OrderStatus
from o2o.orders.errors import SoldOut
from o2o.orders.models import Order, OrderEvent, OrderLine


def naive_order_create(*, customer: User, offering_id, quantity: int = 1) -> Order:  # type: ignore[no-untyped-def]
    now = timezone.now()
    with transaction.atomic():
        User.objects.select_for_update().filter(pk=customer.pk).first()
        offering = Offering.objects.get(pk=offering_id)
        if StockBucket.objects.filter(offering_id=offering_id, slot=0, left__gte=quantity).update(
                left=F("left") - quantity) != 1:
            raise SoldOut()
        order = Order.objects.create(
            number=_new_number(), customer=customer, merchant_id=offering.merchant_id,
            status=OrderStatus.AWAITING_PAYMENT, currency=offering.currency,
            total_amount=offering.price_amount * quantity, expires_at=now + conf.get().order_hold)
        OrderLine.objects.create(order=order, offering_id=offering_id, title=offering.title, quantity=quantity,
                                 unit_price_amount=offering.price_amount, currency=offering.currency)
        OrderEvent.objects.create(order=order, actor=customer, to_status=order.status, reason="created")
    return order
