"""API tokens are listed and revoked by their owner; revoked tokens stop working at once."""

from __future__ import annotations

import pytest

from o2o.api.api import api as ninja_api
from tests.helpers import ApiClient, assert_error, quick_user

pytestmark = pytest.mark.django_db


def test_list_and_revoke_own_tokens(api_client: ApiClient):
    me = api_client.register("tok")
    r = api_client.post("/auth/token", {"email": me["email"], "password": "correct-horse-battery-9"})
    second = r.json()["token"]
    r = api_client.get("/auth/tokens", me["token"])
    assert r.status_code == 200
    rows = r.json()["results"]
    assert len(rows) == 2
    assert set(rows[0]) == {"id", "name", "prefix", "created_at", "last_used_at", "revoked"}
    assert {row["prefix"] for row in rows} == {me["token"][:12], second[:12]}
    assert all(not row["revoked"] for row in rows)
    assert all(second not in str(row) and me["token"] not in str(row) for row in rows)  # never the clear token
    used = next(row for row in rows if row["prefix"] == me["token"][:12])
    assert used["last_used_at"] is not None

    target = next(row for row in rows if row["prefix"] == second[:12])
    r = api_client.post(f"/auth/tokens/{target['id']}/revoke", {}, me["token"])
    assert r.status_code == 204
    assert_error(api_client.get("/me", second), 401, "not_authenticated")
    assert api_client.get("/me", me["token"]).status_code == 200
    # revoking twice is harmless
    assert api_client.post(f"/auth/tokens/{target['id']}/revoke", {}, me["token"]).status_code == 204
    rows = {row["id"]: row for row in api_client.get("/auth/tokens", me["token"]).json()["results"]}
    assert rows[target["id"]]["revoked"] is True


def test_another_users_token_is_404_and_stays_valid(api_client: ApiClient):
    alice, bob = quick_user("alice"), quick_user("bob")
    bob_token_id = api_client.get("/auth/tokens", bob["token"]).json()["results"][0]["id"]
    assert_error(api_client.post(f"/auth/tokens/{bob_token_id}/revoke", {}, alice["token"]), 404, "not_found")
    assert_error(api_client.post("/auth/tokens/not-a-uuid/revoke", {}, alice["token"]), 404, "not_found")
    assert api_client.get("/me", bob["token"]).status_code == 200
    assert all(r["id"] != bob_token_id for r in api_client.get("/auth/tokens", alice["token"]).json()["results"])


def test_token_endpoints_need_a_signed_in_user(api_client: ApiClient):
    assert_error(api_client.get("/auth/tokens"), 401, "not_authenticated")
    assert_error(api_client.post("/auth/tokens/00000000-0000-0000-0000-000000000000/revoke", {}), 401)


def test_revoke_current_token(api_client: ApiClient):
    me = quick_user("cur")
    assert api_client.post("/auth/token/revoke", {}, me["token"]).status_code == 204
    assert_error(api_client.get("/me", me["token"]), 401)


def test_openapi_documents_the_token_endpoints_with_error_schemas():
    paths = ninja_api.get_openapi_schema()["paths"]
    listing = paths["/api/v1/auth/tokens"]["get"]["responses"]
    revoke = paths["/api/v1/auth/tokens/{token_id}/revoke"]["post"]["responses"]
    login = paths["/api/v1/auth/token"]["post"]["responses"]
    for responses, codes in ((listing, (400, 401)), (revoke, (400, 401, 404)), (login, (400, 401, 422, 429))):
        for code in codes:
            ref = responses[code]["content"]["application/json"]["schema"]["$ref"]
            assert ref.endswith("/ErrorOut"), (code, ref)
    assert "account_locked" in paths["/api/v1/auth/token"]["post"]["description"]
