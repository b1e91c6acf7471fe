"""POST /api/v1/redemptions/sync: what counters redeemed offline, verified again and redeemed in the order of
the device clocks; the first redemption stands, a later one is a conflict the merchant sees."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from o2o.vouchers.models import OfflineRedemption, RedemptionConflict, Voucher, VoucherEvent
from o2o.vouchers.signing import b64u, unb64u
from tests.helpers import add_staff, assert_error, world

pytestmark = pytest.mark.django_db
DEV_A, DEV_B = "dev-aaaa-1111", "dev-bbbb-2222"


def _iso(dt: Any) -> str:
    return dt.isoformat().replace("+00:00", "Z")


@pytest.fixture
def w(api_client):  # type: ignore[no-untyped-def]
    data = world(api_client)
    data["clerk2"] = add_staff(api_client, data["owner"], data["merchant"]["id"], "clerk", [data["store"]["id"]])
    order = api_client.buy(data["customer"], data["deal"]["id"], 3)
    data["vouchers"] = order["vouchers"]
    # The vouchers were issued two hours ago: the device times below fall inside their life.
    Voucher.objects.filter(order_id=order["id"]).update(created_at=timezone.now() - timedelta(hours=2))
    data["t0"] = timezone.now()
    return data


def _sync(api: Any, w: dict[str, Any], token: str, device: str, items: list[tuple[str, Any]], name: str = ""):  # type: ignore[no-untyped-def]
    return api.post("/redemptions/sync", {
        "store_id": w["store"]["id"], "device_id": device, "device_name": name,
        "items": [{"qr_payload": qr, "redeemed_at": when if isinstance(when, str) else _iso(when)}
                  for qr, when in items]}, w["clerk"]["token"] if token is None else token)


def test_sync_redeems_at_the_device_time_and_records_the_offline_event(api_client, w):
    v = w["vouchers"][0]
    at = w["t0"] - timedelta(minutes=40)
    r = _sync(api_client, w, w["clerk"]["token"], DEV_A, [(v["qr_payload"], at)], name="Front desk iPad")
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["conflicts"] == []
    [res] = body["results"]
    assert res["status"] == "redeemed" and res["code"] == "redeemed" and res["voucher_id"] == v["id"]
    assert res["offering_title"] == "Hotpot for two" and res["index"] == 0
    voucher = Voucher.objects.get(pk=v["id"])
    assert voucher.status == "redeemed"
    assert abs((voucher.redeemed_at - at).total_seconds()) < 0.01
    assert str(voucher.redeemed_store_id) == w["store"]["id"] and str(voucher.redeemed_by_id) == w["clerk"]["id"]
    event = VoucherEvent.objects.get(voucher=voucher, to_status="redeemed")
    assert event.data["via"] == "offline" and event.data["device"] == DEV_A
    assert parse_datetime(event.data["device_time"]) == voucher.redeemed_at
    # Online, the counter then hears the voucher is used.
    r = api_client.post("/redemptions", {"store_id": w["store"]["id"], "qr_payload": v["qr_payload"]},
                        w["clerk2"]["token"])
    assert_error(r, 409, "already_redeemed")


def test_two_devices_same_voucher_first_by_device_time_stands_second_is_a_conflict(api_client, w):
    v = w["vouchers"][0]
    t_a, t_b = w["t0"] - timedelta(minutes=30), w["t0"] - timedelta(minutes=20)
    r = _sync(api_client, w, w["clerk"]["token"], DEV_A, [(v["qr_payload"], t_a)], name="Front desk")
    assert r.json()["results"][0]["status"] == "redeemed"
    r = _sync(api_client, w, w["clerk2"]["token"], DEV_B, [(v["qr_payload"], t_b)], name="Terrace")
    assert r.status_code == 200, r.content
    res = r.json()["results"][0]
    assert res["status"] == "conflict" and res["code"] == "already_redeemed"
    assert "Front desk" in res["message"]
    c = res["conflict"]
    assert c["first"]["device_id"] == DEV_A and c["first"]["device_name"] == "Front desk"
    assert c["second"]["device_id"] == DEV_B and c["second"]["device_name"] == "Terrace"
    assert abs((parse_datetime(c["first"]["at"]) - t_a).total_seconds()) < 0.01
    assert abs((parse_datetime(c["second"]["at"]) - t_b).total_seconds()) < 0.01
    assert r.json()["conflicts"][0]["id"] == c["id"]  # the refused device is told
    voucher = Voucher.objects.get(pk=v["id"])
    assert voucher.status == "redeemed" and abs((voucher.redeemed_at - t_a).total_seconds()) < 0.01
    conflict = RedemptionConflict.objects.get()
    assert (conflict.first_device_id, conflict.second_device_id) == (DEV_A, DEV_B)
    assert str(conflict.first_by_id) == w["clerk"]["id"] and str(conflict.second_by_id) == w["clerk2"]["id"]
    assert not conflict.resolved
    assert VoucherEvent.objects.filter(voucher=voucher, from_status="issued", to_status="redeemed").count() == 1
    # Device A, syncing again with nothing new, has no conflict of its own to show.
    r = _sync(api_client, w, w["clerk"]["token"], DEV_A, [])
    assert r.json() == {"store_id": w["store"]["id"], "device_id": DEV_A, "results": [], "conflicts": []}


def test_an_earlier_offline_redemption_that_syncs_later_takes_the_place_of_the_later_one(api_client, w):
    v = w["vouchers"][0]
    t_a, t_b = w["t0"] - timedelta(minutes=30), w["t0"] - timedelta(minutes=20)
    r = _sync(api_client, w, w["clerk2"]["token"], DEV_B, [(v["qr_payload"], t_b)], name="Terrace")
    assert r.json()["results"][0]["status"] == "redeemed"
    r = _sync(api_client, w, w["clerk"]["token"], DEV_A, [(v["qr_payload"], t_a)], name="Front desk")
    res = r.json()["results"][0]
    assert res["status"] == "redeemed"  # A was first: its redemption stands
    assert res["conflict"]["first"]["device_id"] == DEV_A and res["conflict"]["second"]["device_id"] == DEV_B
    voucher = Voucher.objects.get(pk=v["id"])
    assert abs((voucher.redeemed_at - t_a).total_seconds()) < 0.01 and str(voucher.redeemed_by_id) == w["clerk"]["id"]
    conflict = RedemptionConflict.objects.get()
    assert (conflict.first_device_id, conflict.second_device_id) == (DEV_A, DEV_B)
    assert OfflineRedemption.objects.get(device_id=DEV_B).outcome == "conflict"
    # B re-sends its item (say its answer was lost) or syncs empty: it now hears of the conflict.
    r = _sync(api_client, w, w["clerk2"]["token"], DEV_B, [(v["qr_payload"], t_b)])
    assert r.json()["results"][0]["status"] == "conflict"
    assert [c["id"] for c in r.json()["conflicts"]] == [str(conflict.pk)]
    assert RedemptionConflict.objects.count() == 1


def test_offline_redemption_after_an_online_one_is_a_conflict_naming_the_online_counter(api_client, w):
    v = w["vouchers"][0]
    r = api_client.post("/redemptions", {"store_id": w["store"]["id"], "code": v["code"]}, w["clerk2"]["token"])
    assert r.status_code == 201, r.content
    later = timezone.now() + timedelta(seconds=1)  # in the future: bounded to the time of sync
    r = _sync(api_client, w, w["clerk"]["token"], DEV_A, [(v["qr_payload"], later)])
    res = r.json()["results"][0]
    assert res["status"] == "conflict"
    assert res["conflict"]["first"]["online"] is True and res["conflict"]["first"]["device_id"] == ""
    assert res["conflict"]["second"]["device_id"] == DEV_A
    assert parse_datetime(res["redeemed_at"]) <= timezone.now()


def test_forged_and_broken_items_are_refused_and_do_not_stop_the_others(api_client, w):
    good1, good2, spare = w["vouchers"]
    prefix, body, sig = spare["qr_payload"].split(".")
    altered = unb64u(body).replace(spare["id"].encode(), good1["id"].encode())  # points at another voucher
    forged = f"{prefix}.{b64u(altered)}.{sig}"
    t = w["t0"] - timedelta(minutes=10)
    r = _sync(api_client, w, w["clerk"]["token"], DEV_A, [
        (good1["qr_payload"], t), (forged, t - timedelta(minutes=1)), ("O2O1.garbage.x", t),
        (good2["qr_payload"], "not a time"), (good2["qr_payload"], t + timedelta(seconds=5))])
    assert r.status_code == 200, r.content
    results = r.json()["results"]
    assert [x["index"] for x in results] == [0, 1, 2, 3, 4]
    assert [(x["status"], x["code"]) for x in results] == [
        ("redeemed", "redeemed"), ("rejected", "invalid_signature"), ("rejected", "invalid_signature"),
        ("rejected", "invalid"), ("redeemed", "redeemed")]
    assert Voucher.objects.get(pk=good1["id"]).status == "redeemed"
    assert Voucher.objects.get(pk=good2["id"]).status == "redeemed"
    assert Voucher.objects.get(pk=spare["id"]).status == "issued"
    assert RedemptionConflict.objects.count() == 0


def test_expired_refunded_and_other_merchant_items_are_refused(api_client, w):
    v_exp, v_ok, v_ref = w["vouchers"]
    t = w["t0"] - timedelta(minutes=30)
    # Redeemed offline while still valid, synced after it expired: it stands.
    Voucher.objects.filter(pk=v_ok["id"]).update(valid_until=w["t0"] - timedelta(minutes=5))
    # Redeemed offline after it expired: refused.
    Voucher.objects.filter(pk=v_exp["id"]).update(valid_until=t - timedelta(minutes=1))
    Voucher.objects.filter(pk=v_ref["id"]).update(status="refunded", refunded_at=t - timedelta(minutes=1))
    r = _sync(api_client, w, w["clerk"]["token"], DEV_A, [(v_exp["qr_payload"], t), (v_ok["qr_payload"], t),
                                                           (v_ref["qr_payload"], t)])
    assert [(x["status"], x["code"]) for x in r.json()["results"]] == [
        ("rejected", "expired"), ("redeemed", "redeemed"), ("rejected", "refunded")]
    # A genuine voucher of another merchant is refused as such (it names its merchant).
    other_owner = api_client.register("otherowner")
    ms = api_client.merchant_with_store(other_owner, name="Noodles")
    deal = api_client.deal(other_owner, ms["merchant"]["id"], [ms["store"]["id"]])
    other_v = api_client.buy(w["customer"], deal["id"], 1)["vouchers"][0]
    r = _sync(api_client, w, w["clerk"]["token"], DEV_A, [(other_v["qr_payload"], timezone.now())])
    assert (r.json()["results"][0]["status"], r.json()["results"][0]["code"]) == ("rejected", "wrong_merchant")
    assert "Noodles" in r.json()["results"][0]["message"]
    assert Voucher.objects.get(pk=other_v["id"]).status == "issued"


def test_tenancy_other_merchant_404_unassigned_clerk_403_anonymous_401(api_client, w):
    v = w["vouchers"][0]
    other_owner = api_client.register("otherowner")
    ms = api_client.merchant_with_store(other_owner, name="Noodles")
    other_clerk = add_staff(api_client, other_owner, ms["merchant"]["id"], "clerk", [ms["store"]["id"]])
    assert_error(_sync(api_client, w, other_clerk["token"], DEV_A, [(v["qr_payload"], timezone.now())]), 404,
                 "not_found")
    r = api_client.post(f"/merchants/{w['merchant']['id']}/stores", {
        "name": "Second", "address": "2 Road", "lat": 30.65, "lng": 104.06, "timezone": "Asia/Shanghai",
        "opening_hours": {}}, w["owner"]["token"])
    assert r.status_code == 201, r.content
    elsewhere = add_staff(api_client, w["owner"], w["merchant"]["id"], "clerk", [r.json()["id"]])
    assert_error(_sync(api_client, w, elsewhere["token"], DEV_A, [(v["qr_payload"], timezone.now())]), 403,
                 "forbidden")
    assert_error(api_client.post("/redemptions/sync", {"store_id": w["store"]["id"], "device_id": DEV_A,
                                                       "items": []}), 401)
    assert_error(_sync(api_client, w, w["clerk"]["token"], "short", []), 422)
    assert Voucher.objects.get(pk=v["id"]).status == "issued"
    assert OfflineRedemption.objects.count() == 0


def test_resending_the_same_item_is_not_a_new_redemption_nor_a_new_conflict(api_client, w):
    v = w["vouchers"][0]
    t_a, t_b = w["t0"] - timedelta(minutes=30), w["t0"] - timedelta(minutes=20)
    first = _sync(api_client, w, w["clerk"]["token"], DEV_A, [(v["qr_payload"], t_a)]).json()["results"][0]
    again = _sync(api_client, w, w["clerk"]["token"], DEV_A, [(v["qr_payload"], t_a)]).json()["results"][0]
    assert first["status"] == again["status"] == "redeemed" and first["redeemed_at"] == again["redeemed_at"]
    b1 = _sync(api_client, w, w["clerk2"]["token"], DEV_B, [(v["qr_payload"], t_b)]).json()["results"][0]
    b2 = _sync(api_client, w, w["clerk2"]["token"], DEV_B, [(v["qr_payload"], t_b)]).json()["results"][0]
    assert b1["status"] == b2["status"] == "conflict" and b1["conflict"]["id"] == b2["conflict"]["id"]
    assert RedemptionConflict.objects.count() == 1
    assert OfflineRedemption.objects.count() == 2
    assert VoucherEvent.objects.filter(voucher_id=v["id"]).count() == 3  # issued, redeemed, conflict noted


def test_conflicts_page_shows_both_devices_to_the_merchant_only(api_client, w):
    from o2o.accounts.models import User

    v = w["vouchers"][0]
    _sync(api_client, w, w["clerk"]["token"], DEV_A, [(v["qr_payload"], w["t0"] - timedelta(minutes=30))],
          name="Front desk iPad")
    _sync(api_client, w, w["clerk2"]["token"], DEV_B, [(v["qr_payload"], w["t0"] - timedelta(minutes=20))],
          name="Terrace tablet")
    owner = Client()
    owner.force_login(User.objects.get(pk=w["owner"]["id"]))
    url = f"/merchant/{w['merchant']['id']}/conflicts/"
    r = owner.get(url)
    assert r.status_code == 200
    html = r.content.decode()
    assert "Front desk iPad" in html and "Terrace tablet" in html and v["code"][-4:] in html
    assert "Hotpot for two" in html
    dash = owner.get(f"/merchant/{w['merchant']['id']}/").content.decode()
    assert url in dash
    # Resolve it: it leaves the open list.
    conflict = RedemptionConflict.objects.get()
    r = owner.post(f"{url}{conflict.pk}/resolve/")
    assert r.status_code == 302
    conflict.refresh_from_db()
    assert conflict.resolved and str(conflict.resolved_by_id) == w["owner"]["id"]
    other = api_client.register("stranger")
    ms = api_client.merchant_with_store(other, name="Noodles")
    stranger = Client()
    stranger.force_login(User.objects.get(pk=other["id"]))
    assert stranger.get(url).status_code == 404
    assert stranger.post(f"{url}{conflict.pk}/resolve/").status_code == 404
    assert stranger.get(f"/merchant/{ms['merchant']['id']}/conflicts/").content.decode().count("Front desk") == 0
    clerk = Client()
    clerk.force_login(User.objects.get(pk=w["clerk"]["id"]))
    assert clerk.get(url).status_code == 403


def test_odd_input_is_refused_per_item_never_a_server_error(api_client, w):
    v = w["vouchers"][0]
    r = api_client.post("/redemptions/sync", {
        "store_id": w["store"]["id"], "device_id": DEV_A, "device_name": "Front\x00desk\n iPad",
        "items": [{"qr_payload": "O2O1.\x00.\x00", "redeemed_at": "0001-01-01T00:00:00-05:00"},
                  {"qr_payload": v["qr_payload"], "redeemed_at": "9999-12-31T23:59:59+14:00"},
                  {"qr_payload": v["qr_payload"], "redeemed_at": "2026-02-30T10:00:00Z"}]}, w["clerk"]["token"])
    assert r.status_code == 200, r.content
    # year 9999 is bounded to the time of sync; 30 February is no time at all
    assert [x["code"] for x in r.json()["results"]] == ["invalid_signature", "redeemed", "invalid"]
    row = OfflineRedemption.objects.get()
    assert row.device_name == "Front desk iPad" and row.device_time <= timezone.now()
