from typing import Any

from django.db.models import QuerySet

from o2o.core.errors import NotFound
from o2o.merchants.access import as_uuid, merchant_for_staff
from o2o.orders.models import Order


def _with_related(qs: QuerySet[Order]) -> QuerySet[Order]:
    return qs.select_related("merchant").prefetch_related("lines", "vouchers__redeemed_store", "payments")


def order_for_customer(*, user: Any, order_id: Any) -> Order:
    """The customer's own order; anyone else's answers NotFound."""
    if not getattr(user, "is_authenticated", False):
        raise NotFound()
    order = _with_related(Order.objects.filter(pk=as_uuid(order_id), customer=user)).first()
    if order is None:
        raise NotFound()
    return order


def orders_of_customer(*, user: Any) -> QuerySet[Order]:
    return _with_related(Order.objects.filter(customer=user)).order_by("-created_at")


def orders_of_merchant(*, user: Any, merchant_id: Any) -> QuerySet[Order]:
    merchant, _m = merchant_for_staff(user=user, merchant_id=merchant_id, manage=True)
    return _with_related(Order.objects.filter(merchant=merchant)).select_related("customer").order_by("-created_at")
