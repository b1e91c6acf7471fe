"""The tier rules' arithmetic, as properties (hypothesis): a member price never takes more than a line nor
less than nothing, rounds to the fen and is the percent of the line within half a fen; a multiplier never
gives fewer points than without it; a card is in the highest tier its value reaches."""

from __future__ import annotations

from decimal import Decimal
from uuid import uuid4

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from o2o.members.models import Tier
from o2o.members.tiers import member_price_adjustments, multiplied, tier_for
from tests.helpers import quick_user

amounts = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("99999.99"), places=2)


@given(lines=st.lists(amounts, min_size=1, max_size=5), pct=st.integers(min_value=1, max_value=90))
def test_member_price_stays_within_each_line(lines, pct):  # type: ignore[no-untyped-def]
    tier = Tier(name="T", threshold=Decimal("0"), member_discount_percent=pct)
    totals = {uuid4(): amount for amount in lines}
    adj = member_price_adjustments(tier=tier, currency="CNY", line_totals=totals)
    for a in adj:
        line = totals[a.offering_id]
        off = -a.amount.amount
        assert a.kind == "member_price" and Decimal("0") < off <= line
        assert off == off.quantize(Decimal("0.01"))
        assert abs(off - line * pct / 100) <= Decimal("0.005")
    assert len(adj) <= len(totals)


@given(points=st.integers(min_value=0, max_value=10**7),
       mult=st.decimals(min_value=Decimal("1"), max_value=Decimal("10"), places=2))
def test_a_multiplier_never_gives_fewer_points(points, mult):  # type: ignore[no-untyped-def]
    got = multiplied(points=points, tier=Tier(name="T", threshold=Decimal("0"), points_multiplier=mult))
    assert points <= got <= points * mult < got + 1


@pytest.mark.django_db
@settings(max_examples=25, deadline=None)
@given(thresholds=st.sets(st.integers(min_value=0, max_value=5000), min_size=1, max_size=6),
       value=st.integers(min_value=0, max_value=6000))
def test_the_highest_tier_reached(thresholds, value):  # type: ignore[no-untyped-def]
    from o2o.merchants.services import merchant_create

    m = merchant_create(owner=quick_user("o")["user"], name="Tiered", category="restaurant")
    for t in thresholds:
        Tier.objects.create(merchant=m, name=f"T{t}", threshold=Decimal(t))
    tier = tier_for(merchant_id=m.pk, value=Decimal(value))
    reached = [t for t in thresholds if t <= value]
    assert (tier is None) == (not reached)
    if reached:
        assert tier is not None and tier.threshold == max(reached)
