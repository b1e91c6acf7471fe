"""The audit log: staff actions are recorded with who, what, which merchant and from where; entries
can never be changed or deleted; owners read their own merchant's log; the operator searches it."""

from __future__ import annotations

import logging

import pytest
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.test import Client

from o2o.accounts.models import User
from o2o.audit.models import AppendOnlyError, AuditEntry
from o2o.audit.services import audit_record
from o2o.core.errors import Forbidden, NotFound
from o2o.merchants.audit_log import audit_for_merchant
from o2o.merchants.models import Merchant
from o2o.merchants.services import merchant_set_status
from tests.helpers import ApiClient, world
from tests.web import builders

pytestmark = pytest.mark.django_db


@pytest.fixture
def loop(api_client: ApiClient):  # type: ignore[no-untyped-def]
    """The whole loop through the API: store, staff, deal, sale, redemption, review + reply, refund."""
    w = world(api_client)
    order = api_client.buy(w["customer"], w["deal"]["id"], quantity=2)
    code = order["vouchers"][0]["code"]
    r = api_client.post("/redemptions", {"store_id": w["store"]["id"], "code": code}, w["clerk"]["token"])
    assert r.status_code == 201, r.content
    r = api_client.post("/reviews", {"order_id": order["id"], "rating": 4, "text": "good"}, w["customer"]["token"])
    assert r.status_code == 201, r.content
    w["review"] = r.json()
    r = api_client.post(f"/reviews/{w['review']['id']}/reply", {"text": "Thank you!"}, w["owner"]["token"])
    assert r.status_code == 200, r.content
    r = api_client.post(f"/orders/{order['id']}/refund", {}, w["customer"]["token"])
    assert r.status_code == 200, r.content
    w["order"] = order
    return w


def test_the_loop_leaves_a_trail_of_who_did_what(loop):
    mid = loop["merchant"]["id"]
    rows = list(AuditEntry.objects.filter(merchant_id=mid).order_by("at", "id"))
    by_action = {}
    for row in rows:
        by_action.setdefault(row.action, []).append(row)
    expected = {  # action -> (actor, object id)
        "store.create": (loop["owner"], loop["store"]["id"]),
        "offering.create": (loop["owner"], loop["deal"]["id"]),
        "staff.add": (loop["owner"], None),
        "voucher.redeem": (loop["clerk"], loop["order"]["vouchers"][0]["id"]),
        "review.reply": (loop["owner"], loop["review"]["id"]),
        "order.refund": (loop["customer"], loop["order"]["id"]),
    }
    for action, (actor, object_id) in expected.items():
        assert len(by_action.get(action, [])) == 1, (action, [r.action for r in rows])
        entry = by_action[action][0]
        assert entry.actor_email == actor["email"] and str(entry.actor_id) == actor["id"], action
        assert str(entry.merchant_id) == mid
        assert entry.ip == "127.0.0.1", action
        assert entry.summary
        if object_id:
            assert entry.object_id == object_id, action
    assert by_action["staff.add"][0].summary == f"{loop['clerk']['email']} as clerk"
    assert by_action["staff.add"][0].object_type == "merchants.staffmembership"
    assert by_action["voucher.redeem"][0].data["store_id"] == loop["store"]["id"]
    assert loop["order"]["vouchers"][0]["code"] not in str(by_action["voucher.redeem"][0].__dict__)
    # the rival's actions are not in this merchant's log
    assert not AuditEntry.objects.filter(merchant_id=mid).exclude(
        actor_email__in=[loop[k]["email"] for k in ("owner", "clerk", "customer")]).exists()


def test_page_actions_and_operator_actions_are_audited():
    w = builders.world()
    owner = Client()
    owner.force_login(w["owner"])
    r = owner.post(f"/merchant/{w['merchant'].pk}/deals/{w['deal'].pk}/status/", {"status": "paused"})
    assert r.status_code == 302
    entry = AuditEntry.objects.get(action="offering.status")
    assert entry.actor_id == w["owner"].pk and entry.object_id == str(w["deal"].pk)
    assert entry.data["to"] == "paused" and entry.ip == "127.0.0.1"
    operator = User.objects.create_superuser(email="op@example.com", password="x-pass-123456", display_name="Op")
    merchant_set_status(merchant=w["merchant"], status="suspended", actor=operator, reason="complaints")
    entry = AuditEntry.objects.get(action="merchant.status")
    assert entry.actor_email == "op@example.com" and entry.merchant_id == w["merchant"].pk
    assert entry.data == {"to": "suspended"} and entry.ip is None  # no request: a service call


def test_entries_are_append_only(loop):
    entry = AuditEntry.objects.filter(merchant_id=loop["merchant"]["id"]).first()
    entry.summary = "nothing happened"
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        entry.delete()
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.filter(pk=entry.pk).update(summary="x")
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.filter(pk=entry.pk).delete()
    # the database itself refuses an UPDATE that goes around the model
    with pytest.raises((DatabaseError, IntegrityError)), transaction.atomic(), connection.cursor() as cur:
        cur.execute("UPDATE audit_auditentry SET summary = 'rewritten' WHERE id = %s", [entry.pk])
    if connection.vendor == "postgresql":
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cur:
            cur.execute("DELETE FROM audit_auditentry WHERE id = %s", [entry.pk])
    assert AuditEntry.objects.get(pk=entry.pk).summary != "rewritten"


def test_a_failing_audit_write_never_breaks_the_callers_flow(caplog):
    owner = builders.user("Owner")
    with caplog.at_level(logging.WARNING, logger="o2o.audit"), transaction.atomic():
        assert audit_record(actor=owner, action="test.bad", data={"x": object()}) is None
        if connection.vendor == "postgresql":  # a database-level failure, inside the caller's transaction
            assert audit_record(actor=owner, action="test.bad_ip", ip="not-an-ip") is None
        merchant = Merchant.objects.create(name="Still works", category="other", status="active", owner=owner)
    assert Merchant.objects.filter(pk=merchant.pk).exists()
    assert "audit entry 'test.bad' not written" in caplog.text
    assert not AuditEntry.objects.filter(action__startswith="test.").exists()


def test_owner_reads_own_merchant_log_others_do_not(loop, api_client):
    owner = User.objects.get(pk=loop["owner"]["id"])
    mid = loop["merchant"]["id"]
    entries = audit_for_merchant(user=owner, merchant_id=mid)
    assert {e.action for e in entries} >= {"store.create", "staff.add", "offering.create", "voucher.redeem",
                                           "review.reply", "order.refund"}
    assert all(str(e.merchant_id) == mid for e in entries)
    assert [e.action for e in audit_for_merchant(user=owner, merchant_id=mid, action="voucher")] == ["voucher.redeem"]
    assert {e.action for e in audit_for_merchant(user=owner, merchant_id=mid, query=loop["clerk"]["email"])} == {
        "staff.add", "voucher.redeem"}
    assert [e.action for e in audit_for_merchant(user=owner, merchant_id=mid, query=loop["deal"]["id"])] == [
        "offering.create"]
    with pytest.raises(Forbidden):
        audit_for_merchant(user=User.objects.get(pk=loop["clerk"]["id"]), merchant_id=mid)
    with pytest.raises(NotFound):
        audit_for_merchant(user=User.objects.get(pk=loop["customer"]["id"]), merchant_id=mid)
    rival = api_client.register("rival")
    api_client.merchant_with_store(rival, name="Rival")
    with pytest.raises(NotFound):
        audit_for_merchant(user=User.objects.get(pk=rival["id"]), merchant_id=mid)
    with pytest.raises(NotFound):
        audit_for_merchant(user=owner, merchant_id="not-a-uuid")


def test_operator_admin_searches_but_cannot_touch(loop):
    op = Client()
    op.force_login(User.objects.create_superuser(email="op@example.com", password="x-pass-123456",
                                                 display_name="Op"))
    base = "/admin/audit/auditentry/"
    r = op.get(base)
    assert r.status_code == 200

    def listed(**params: str) -> set[str]:
        r = op.get(base, params)
        assert r.status_code == 200
        return {e.action for e in r.context["cl"].result_list}

    assert listed(q=loop["clerk"]["email"]) == {"staff.add", "voucher.redeem"}  # by actor or summary
    assert listed(action="order.refund") == {"order.refund"}
    assert listed(q=loop["order"]["id"]) == {"order.refund"}  # by object id
    assert listed(q="redeemed at") == {"voucher.redeem"}  # by summary
    assert listed(merchant__id__exact=loop["merchant"]["id"]) >= {"store.create", "order.refund"}
    entry = AuditEntry.objects.filter(action="staff.add").first()
    assert op.get(f"{base}{entry.pk}/change/").status_code == 200
    assert op.post(f"{base}{entry.pk}/change/", {"summary": "x"}).status_code == 403
    assert op.get(f"{base}add/").status_code == 403
    assert op.post(f"{base}{entry.pk}/delete/", {"post": "yes"}).status_code == 403
    assert AuditEntry.objects.get(pk=entry.pk).summary != "x"
