"""POST /orders with an Idempotency-Key when the process dies between writing the order and storing the
key's answer (a node SIGKILLed; tests/live/test_cluster.py does it for real): the order and the answer
commit together, so what the dead attempt leaves is its stale placeholder and no order, and the retry,
taking the key over, makes the one order."""

from __future__ import annotations

from datetime import timedelta
from unittest import mock

import pytest
from django.db.models import QuerySet
from django.utils import timezone

from o2o.api.idempotency import ABANDONED_AFTER
from o2o.core.idempotency import IdempotencyRecord, request_fingerprint
from o2o.orders.models import Order
from tests.helpers import quantity_left, world

pytestmark = pytest.mark.django_db


class _Killed(BaseException):
    """What the process sees of a SIGKILL: nothing after this point runs (not even `except Exception`)."""


def test_a_checkout_killed_before_its_answer_was_stored_is_made_once_by_the_retry(api_client):
    w = world(api_client)
    deal, customer = w["deal"]["id"], w["customer"]
    left = quantity_left(deal)
    original = QuerySet.update

    def dies_storing_the_answer(qs, **kwargs):  # type: ignore[no-untyped-def]
        if qs.model is IdempotencyRecord and "response" in kwargs:
            raise _Killed
        return original(qs, **kwargs)

    body = {"lines": [{"offering_id": deal, "quantity": 1}]}
    with mock.patch.object(QuerySet, "update", dies_storing_the_answer), pytest.raises(_Killed):
        api_client.post("/orders", body, customer["token"], headers={"Idempotency-Key": "k1"})
    # a killed process cleans nothing up: its placeholder stays (the in-process handler above deleted it;
    # put back what a SIGKILL leaves), aged past ABANDONED_AFTER so that the retry takes the key over
    IdempotencyRecord.objects.filter(key="k1").delete()
    IdempotencyRecord.objects.create(user_id=customer["id"], endpoint="orders.create", key="k1",
                                     request_hash=request_fingerprint(body))
    IdempotencyRecord.objects.filter(key="k1").update(created_at=timezone.now() - ABANDONED_AFTER - timedelta(seconds=1))
    assert not Order.objects.filter(customer_id=customer["id"]).exists()  # rolled back with its answer

    r = api_client.post("/orders", body, customer["token"], headers={"Idempotency-Key": "k1"})
    assert r.status_code == 201, r.content
    again = api_client.post("/orders", body, customer["token"], headers={"Idempotency-Key": "k1"})
    assert (again.status_code, again.json()["id"]) == (200, r.json()["id"])
    made = [str(i) for i in Order.objects.filter(customer_id=customer["id"]).values_list("id", flat=True)]
    assert made == [r.json()["id"]]
    assert quantity_left(deal) == left - 1
