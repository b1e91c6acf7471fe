"""A merchant lowers a deal's quantity while customers buy it: never oversold, books balanced."""

from __future__ import annotations

import pytest

from o2o.catalogue.models import Offering
from o2o.catalogue.services import offering_update
from o2o.core.errors import Invalid
from o2o.orders.errors import SoldOut
from o2o.vouchers.models import Voucher
from tests.concurrency.test_no_oversell import buy, race, setup_deal
from tests.helpers import quick_user

pytestmark = [pytest.mark.django_db(transaction=True)]


def test_lowering_the_quantity_while_people_buy_never_oversells():
    w = setup_deal(quantity=20)
    deal = w["deal"]
    buyers = [quick_user(f"buyer{i}") for i in range(8)]

    def act(kind: str, who: object) -> object:
        if kind == "edit":
            return offering_update(offering_id=deal.pk, merchant=w["merchant"], actor=w["owner"]["user"],
                                   quantity_total=who)
        return buy(who, Offering.objects.get(pk=deal.pk), 2)  # type: ignore[arg-type]

    results = race(act, [("edit", 6), ("edit", 9)] + [("buy", b) for b in buyers])
    for r in results:
        assert not isinstance(r, BaseException) or isinstance(r, SoldOut | Invalid), repr(r)
    final = Offering.objects.get(pk=deal.pk)
    sold = Voucher.objects.filter(offering=deal).count()
    assert final.quantity_left >= 0
    assert sold + final.quantity_left == final.quantity_total  # books_problems() also runs after the test
    assert sold <= final.quantity_total
