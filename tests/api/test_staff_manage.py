"""Staff: remove (access ends at once) and change role (the owner stays owner; nobody is made owner)."""

import pytest

from o2o.core.errors import Invalid
from o2o.merchants.models import StaffMembership
from o2o.merchants.services import staff_accept_invite
from tests.helpers import add_staff, assert_error, quick_user, world

pytestmark = pytest.mark.django_db


def _sid(w, person) -> str:  # type: ignore[no-untyped-def]
    return str(StaffMembership.objects.get(merchant_id=w["merchant"]["id"], user__email=person["email"]).pk)


def _owner_sid(w) -> str:  # type: ignore[no-untyped-def]
    return _sid(w, w["owner"])


def test_removing_a_clerk_ends_their_access_at_once(api_client):
    w = world(api_client)
    order = api_client.buy(w["customer"], w["deal"]["id"], 2)
    codes = [v["code"] for v in order["vouchers"]]
    assert api_client.post("/redemptions", {"store_id": w["store"]["id"], "code": codes[0]},
                           w["clerk"]["token"]).status_code == 201
    r = api_client.call("DELETE", f"/merchants/{w['merchant']['id']}/staff/{_sid(w, w['clerk'])}", None,
                        w["owner"]["token"])
    assert r.status_code == 204, r.content
    # the same token, the next request: not staff any more (404, never the data)
    assert_error(api_client.post("/redemptions", {"store_id": w["store"]["id"], "code": codes[1]},
                                 w["clerk"]["token"]), 404)
    me = api_client.get("/me", w["clerk"]["token"]).json()
    assert all(m["merchant_id"] != w["merchant"]["id"] for m in me["memberships"])
    listed = api_client.get(f"/merchants/{w['merchant']['id']}/staff", w["owner"]["token"]).json()
    assert w["clerk"]["email"] not in [s["email"] for s in listed]
    # removing again: the membership is gone
    assert_error(api_client.call("DELETE", f"/merchants/{w['merchant']['id']}/staff/{_sid(w, w['clerk'])}", None,
                                 w["owner"]["token"]), 404)


def test_the_owner_cannot_be_removed_or_demoted(api_client):
    w = world(api_client)
    manager = add_staff(api_client, w["owner"], w["merchant"]["id"], "manager", [])
    base = f"/merchants/{w['merchant']['id']}/staff/{_owner_sid(w)}"
    for token in (w["owner"]["token"], manager["token"]):
        assert_error(api_client.call("DELETE", base, None, token), 409, "owner_protected")
        assert_error(api_client.call("PATCH", base, {"role": "clerk"}, token), 409, "owner_protected")
    assert StaffMembership.objects.get(pk=_owner_sid(w)).role == "owner"
    assert StaffMembership.objects.get(pk=_owner_sid(w)).is_active


def test_nobody_is_made_owner_by_a_role_change(api_client):
    w = world(api_client)
    manager = add_staff(api_client, w["owner"], w["merchant"]["id"], "manager", [])
    path = f"/merchants/{w['merchant']['id']}/staff/{_sid(w, w['clerk'])}"
    assert_error(api_client.call("PATCH", path, {"role": "owner"}, manager["token"]), 403, "forbidden")
    assert_error(api_client.call("PATCH", path, {"role": "owner"}, w["owner"]["token"]), 422)
    assert_error(api_client.call("PATCH", path, {"role": "chef"}, w["owner"]["token"]), 422)
    assert StaffMembership.objects.get(pk=_sid(w, w["clerk"])).role == "clerk"


def test_change_role_and_stores_takes_effect_on_the_next_request(api_client):
    w = world(api_client)
    second = api_client.post(f"/merchants/{w['merchant']['id']}/stores", {
        "name": "Second", "address": "2 Road", "lat": 30.66, "lng": 104.07}, w["owner"]["token"]).json()
    path = f"/merchants/{w['merchant']['id']}/staff/{_sid(w, w['clerk'])}"
    assert_error(api_client.call("POST", f"/merchants/{w['merchant']['id']}/stores", {
        "name": "Third", "address": "3 Road", "lat": 30.6, "lng": 104.0}, w["clerk"]["token"]), 403)
    r = api_client.call("PATCH", path, {"role": "manager"}, w["owner"]["token"])
    assert r.status_code == 200 and r.json()["role"] == "manager"
    assert api_client.post(f"/merchants/{w['merchant']['id']}/stores", {
        "name": "Third", "address": "3 Road", "lat": 30.6, "lng": 104.0}, w["clerk"]["token"]).status_code == 201
    r = api_client.call("PATCH", path, {"role": "clerk", "store_ids": [second["id"]]}, w["owner"]["token"])
    assert r.status_code == 200 and r.json()["store_ids"] == [second["id"]]
    order = api_client.buy(w["customer"], w["deal"]["id"], 1)  # redeemable at the first store only
    assert_error(api_client.post("/redemptions", {"store_id": w["store"]["id"], "code": order["vouchers"][0]["code"]},
                                 w["clerk"]["token"]), 403, "forbidden")
    rival_store = api_client.merchant_with_store(quick_user("rival"), name="Rival")["store"]
    err = assert_error(api_client.call("PATCH", path, {"store_ids": [rival_store["id"]]}, w["owner"]["token"]), 422)
    assert err["fields"]["store_ids"].endswith(".")


def test_tenancy_clerk_403_stranger_404(api_client):
    w = world(api_client)
    courier = add_staff(api_client, w["owner"], w["merchant"]["id"], "courier", [])
    path = f"/merchants/{w['merchant']['id']}/staff/{_sid(w, courier)}"
    assert_error(api_client.call("PATCH", path, {"role": "clerk"}, w["clerk"]["token"]), 403, "forbidden")
    assert_error(api_client.call("DELETE", path, None, w["clerk"]["token"]), 403, "forbidden")
    rival = quick_user("rival")
    rival_m = api_client.merchant_with_store(rival, name="Rival")["merchant"]
    assert_error(api_client.call("PATCH", path, {"role": "clerk"}, rival["token"]), 404)
    assert_error(api_client.call("DELETE", path, None, rival["token"]), 404)
    # one's own merchant in the path, another merchant's member as the id: 404 as well
    assert_error(api_client.call("DELETE", f"/merchants/{rival_m['id']}/staff/{_sid(w, courier)}", None,
                                 rival["token"]), 404)
    assert_error(api_client.call("DELETE", path, None, w["customer"]["token"]), 404)
    assert StaffMembership.objects.get(pk=_sid(w, courier)).is_active


def test_a_removed_invitee_cannot_use_the_link_and_a_new_invite_gives_a_new_one(api_client):
    w = world(api_client)
    r = api_client.post(f"/merchants/{w['merchant']['id']}/staff", {"email": "newbie@example.com", "role": "clerk",
                                                                   "store_ids": []}, w["owner"]["token"])
    first = r.json()["invite_token"]
    assert first
    api_client.call("DELETE", f"/merchants/{w['merchant']['id']}/staff/{r.json()['id']}", None, w["owner"]["token"])
    with pytest.raises(Invalid):
        staff_accept_invite(token=first, password="a-long-enough-pass-9", display_name="Newbie")
    again = api_client.post(f"/merchants/{w['merchant']['id']}/staff", {"email": "newbie@example.com",
                                                                       "role": "clerk"}, w["owner"]["token"]).json()
    assert again["invite_token"] and again["invite_token"] != first
