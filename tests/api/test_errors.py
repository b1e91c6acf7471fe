"""Every error has API.md's shape and bad input never gives a 500."""

import uuid

import pytest

from tests.helpers import assert_error, world

# a fixed id no row has: parametrize ids must be the same in every xdist worker
UNKNOWN_ID = "00000000-0000-4000-8000-00000000dead"

pytestmark = pytest.mark.django_db


@pytest.fixture
def w(api_client):
    return world(api_client)


@pytest.mark.parametrize("raw", [b"{", b"not json", b"{\"lines\": [", b"\xff\xfe\x00", b"[1, 2", b"null", b"[]",
                                 b"\"text\"", b"42"])
def test_malformed_json_is_400_or_422_never_500(api_client, w, raw):
    for path, token in [("/orders", w["customer"]["token"]), ("/auth/register", None),
                        (f"/merchants/{w['merchant']['id']}/offerings", w["owner"]["token"]),
                        ("/redemptions", w["clerk"]["token"]), ("/reviews", w["customer"]["token"])]:
        r = api_client.post(path, raw, token)
        assert r.status_code in (400, 422), (path, raw, r.status_code, r.content[:300])
        assert_error(r, r.status_code)


@pytest.mark.parametrize("body, field", [
    ({"lines": "many"}, "lines"),
    ({"lines": [{"offering_id": "x", "quantity": "two"}]}, "lines.0.quantity"),
    ({"lines": [{"offering_id": None, "quantity": 1}]}, "lines.0.offering_id"),
    ({"lines": [{"quantity": 1}]}, "lines.0.offering_id"),
    ({}, "lines"),
])
def test_wrong_types_are_422_validation_error_with_fields(api_client, w, body, field):
    err = assert_error(api_client.post("/orders", body, w["customer"]["token"]), 422, "validation_error")
    assert field in err["fields"], err


def test_wrong_types_elsewhere(api_client, w):
    err = assert_error(api_client.post("/reviews", {"order_id": str(uuid.uuid4()), "rating": "five"},
                                       w["customer"]["token"]), 422, "validation_error")
    assert "rating" in err["fields"]
    err = assert_error(api_client.post(f"/merchants/{w['merchant']['id']}/stores", {
        "name": "S", "address": "A", "lat": "north", "lng": 104.0}, w["owner"]["token"]), 422, "validation_error")
    assert "lat" in err["fields"]
    err = assert_error(api_client.post(f"/merchants/{w['merchant']['id']}/offerings", {
        "kind": "deal", "title": "T", "price": {"amount": 9.5, "currency": "CNY"}, "quantity_total": 1,
        "redeemable_store_ids": [w["store"]["id"]]}, w["owner"]["token"]), 422)
    assert any(k.startswith("price") for k in err["fields"]), err
    err = assert_error(api_client.post(f"/merchants/{w['merchant']['id']}/offerings", {
        "kind": "deal", "title": "T", "price": {"amount": "9.999", "currency": "CNY"}, "quantity_total": 1,
        "redeemable_store_ids": [w["store"]["id"]]}, w["owner"]["token"]), 422)
    assert "price" in err["fields"]
    err = assert_error(api_client.post("/orders", {"lines": [{"offering_id": w["deal"]["id"], "quantity": 0}]},
                                       w["customer"]["token"]), 422)
    assert err["fields"]
    err = assert_error(api_client.post("/orders", {"lines": [{"offering_id": w["deal"]["id"], "quantity": True}]},
                                       w["customer"]["token"]), 422)
    assert err["fields"]


@pytest.mark.parametrize("path", ["/stores/{u}", "/stores/{u}/reviews", "/offerings/{u}"])
@pytest.mark.parametrize("ident", [UNKNOWN_ID, "not-a-uuid", "123", "%20", "' OR 1=1 --"])
def test_unknown_or_malformed_public_ids_are_404(api_client, path, ident):
    assert_error(api_client.get(path.format(u=ident)), 404, "not_found")


@pytest.mark.parametrize("ident", [UNKNOWN_ID, "not-a-uuid", "0"])
def test_unknown_or_malformed_private_ids_are_404(api_client, w, ident):
    cust, owner = w["customer"]["token"], w["owner"]["token"]
    assert_error(api_client.get(f"/orders/{ident}", cust), 404, "not_found")
    assert_error(api_client.post(f"/orders/{ident}/pay", {"provider": "sandbox", "card_number": "4242424242424242"},
                                 cust), 404, "not_found")
    assert_error(api_client.post(f"/orders/{ident}/refund", {}, cust), 404, "not_found")
    assert_error(api_client.get(f"/merchants/{ident}", owner), 404, "not_found")
    assert_error(api_client.post(f"/merchants/{ident}/stores", {"name": "S", "address": "A", "lat": 1, "lng": 1},
                                 owner), 404, "not_found")
    assert_error(api_client.post(f"/reviews/{ident}/reply", {"text": "thanks"}, owner), 404, "not_found")
    assert_error(api_client.post("/reviews", {"order_id": ident, "rating": 5}, cust), 404, "not_found")
    assert_error(api_client.post("/redemptions", {"store_id": ident, "code": "123412341234"}, w["clerk"]["token"]),
                 404)
    # an id in the body that is not an id at all is a field error; an unknown one is 404
    r = api_client.post("/orders", {"lines": [{"offering_id": ident, "quantity": 1}]}, cust)
    if len(ident) == 36:  # a well-formed UUID nobody has
        assert_error(r, 404)
    else:
        assert "lines.0.offering_id" in assert_error(r, 422)["fields"]


def test_huge_strings_are_422(api_client, w):
    huge = "x" * 100_000
    err = assert_error(api_client.post("/auth/register", {"email": huge + "@example.com", "password": huge,
                                                          "display_name": huge}), 422)
    assert err["fields"]
    assert_error(api_client.post("/merchants", {"name": huge, "category": "restaurant"}, w["owner"]["token"]), 422)
    assert_error(api_client.post("/reviews", {"order_id": huge, "rating": 5}, w["customer"]["token"]), 422)
    assert_error(api_client.post("/redemptions", {"store_id": w["store"]["id"], "qr_payload": huge},
                                 w["clerk"]["token"]), 422)
    assert_error(api_client.post("/orders", {"lines": [{"offering_id": huge, "quantity": 1}]},
                                 w["customer"]["token"]), 422)
    assert_error(api_client.post("/orders", {"lines": [{"offering_id": w["deal"]["id"], "quantity": 1}]},
                                 w["customer"]["token"], headers={"Idempotency-Key": "k" * 300}), 422)


@pytest.mark.parametrize("path", ["/stores/nearby", "/offerings/nearby", "/search"])
def test_huge_search_words_are_422(api_client, path):
    assert_error(api_client.get(path, lat=30.6, lng=104.0, q="x" * 100_000), 422)


@pytest.mark.parametrize("params, field", [
    ({"radius_m": 0}, "radius_m"),
    ({"radius_m": -5}, "radius_m"),
    ({"radius_m": 50001}, "radius_m"),
    ({"radius_m": "far"}, "radius_m"),
    ({"limit": 101}, "limit"),
    ({"limit": 0}, "limit"),
    ({"lat": 91}, "lat"),
    ({"lat": -90.5}, "lat"),
    ({"lng": 180.5}, "lng"),
    ({"lng": "abc"}, "lng"),
    ({"lat": "nan"}, "lat"),
    ({"lng": "inf"}, "lng"),
    ({"category": "spaceships"}, "category"),
])
@pytest.mark.parametrize("path", ["/stores/nearby", "/offerings/nearby", "/search"])
def test_bad_nearby_params_are_422(api_client, params, field, path):
    query = {"lat": 30.657, "lng": 104.066, **params}
    if path == "/search":
        query["q"] = "hotpot"
    err = assert_error(api_client.get(path, **query), 422)
    assert field in err["fields"], err


def test_nearby_without_coordinates_is_422(api_client):
    err = assert_error(api_client.get("/stores/nearby"), 422)
    assert {"lat", "lng"} <= set(err["fields"])


def test_nearby_edges_are_fine(api_client):
    assert api_client.get("/stores/nearby", lat=30.657, lng=104.066, radius_m=50000, limit=100).status_code == 200
    assert api_client.get("/stores/nearby", lat=30.657, lng=104.066, radius_m=1, limit=1).status_code == 200
    assert api_client.get("/stores/nearby", lat=90, lng=180).status_code == 200


@pytest.mark.parametrize("path", ["/no-such-thing", "/orders/", "/stores/nearby/x/y", "/v2/orders"])
def test_unknown_api_path_is_404_in_error_shape(api_client, path):
    r = api_client.get(path)
    assert r["Content-Type"].startswith("application/json")
    assert_error(r, 404, "not_found")


@pytest.mark.parametrize("method, path", [("DELETE", "/orders"), ("PUT", "/keys/vouchers"), ("POST", "/me"),
                                          ("PATCH", "/auth/register"), ("GET", "/redemptions")])
def test_wrong_method_is_405_in_error_shape(api_client, method, path):
    r = getattr(api_client.client, method.lower())("/api/v1" + path)
    assert_error(r, 405, "method_not_allowed")
    assert r["Allow"]


def test_docs_and_schema_still_served(api_client):
    assert api_client.get("/openapi.json").status_code == 200
    assert api_client.get("/docs").status_code == 200


def test_errors_are_translated_but_keep_their_code(api_client, w):
    r = api_client.call("POST", "/orders", {"lines": [{"offering_id": str(uuid.uuid4()), "quantity": 1}]},
                        w["customer"]["token"], headers={"Accept-Language": "zh-hans"})
    assert_error(r, 404)


@pytest.mark.parametrize("content_type", ["multipart/form-data", "multipart/form-data; boundary=", "multipart/form-data; boundary=x"])
def test_a_broken_multipart_upload_is_a_400_never_a_500(api_client, w, content_type):
    """A multipart body without its boundary (or not matching it) on an upload endpoint: the client's fault."""
    from django.test import Client

    r = Client().post("/api/v1/job-uploads", data=b"abc", content_type=content_type,
                      HTTP_AUTHORIZATION=f"Bearer {w['customer']['token']}")
    assert r.status_code in (400, 422), (content_type, r.status_code, r.content[:200])
    assert_error(r, r.status_code)


def test_the_openapi_document_has_no_duplicated_key(api_client):
    """Swagger UI (js-yaml) refuses a document with a key twice: an endpoint's own 200 description beside
    ninja's made the docs page blank."""
    import json

    def no_dupes(pairs):  # type: ignore[no-untyped-def]
        keys = [k for k, _v in pairs]
        assert len(keys) == len(set(keys)), sorted(k for k in keys if keys.count(k) > 1)
        return dict(pairs)

    doc = json.loads(api_client.client.get("/api/v1/openapi.json").content, object_pairs_hook=no_dupes)
    csv = doc["paths"]["/api/v1/merchants/{merchant_id}/analytics/export.csv"]["get"]["responses"]["200"]
    assert "text/csv" in csv["content"]
