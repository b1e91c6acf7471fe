"""A NUL character anywhere in a request's text is a 422 on the field, on every endpoint and on both
databases (PostgreSQL cannot keep it: before, it passed validation and broke at the database as a 500)."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from o2o.accounts.models import User
from o2o.api.parser import nul_path
from o2o.merchants.models import Merchant
from tests.helpers import assert_error, world

pytestmark = pytest.mark.django_db


@pytest.fixture
def w(api_client):
    return world(api_client)


def test_a_nul_in_a_name_is_a_field_error_and_nothing_is_written(api_client, w):
    before = Merchant.objects.count()
    err = assert_error(api_client.post("/merchants", {"name": "Noodle\x00Bar", "category": "food"},
                                       w["owner"]["token"]), 422, "validation_error")
    assert list(err["fields"]) == ["name"], err
    assert Merchant.objects.count() == before


@pytest.mark.parametrize("body, field", [
    ({"email": "a\x00@example.com", "password": "long enough pass 1"}, "email"),
    ({"email": "new@example.com", "password": "pass\x00word long"}, "password"),
    ({"email": "new@example.com", "password": "long enough pass 1", "x\x00": 1}, "x"),
])
def test_register_refuses_nul_wherever_it_is(api_client, body, field):
    before = User.objects.count()
    err = assert_error(api_client.post("/auth/register", body), 422, "validation_error")
    assert field in err["fields"], err
    assert User.objects.count() == before


def test_nested_text_names_its_path(api_client, w):
    err = assert_error(api_client.post("/orders", {"lines": [{"offering_id": w["deal"]["id"], "quantity": 1,
                                                              "options": [{"name": "size", "choice": "big\x00"}]}]},
                                       w["customer"]["token"]), 422, "validation_error")
    assert "lines.0.options.0.choice" in err["fields"], err


def test_a_nul_in_a_query_string_is_a_field_error(api_client, w):
    err = assert_error(api_client.get("/search", lat=31.23, lng=121.47, q="hot\x00pot"), 422, "validation_error")
    assert "q" in err["fields"], err


def test_the_message_reads_as_a_sentence_in_chinese(api_client, w):
    r = api_client.call("POST", "/merchants", {"name": "a\x00", "category": "food"}, w["owner"]["token"],
                        headers={"Accept-Language": "zh-hans"})
    text = assert_error(r, 422)["fields"]["name"]
    assert "NUL" in text and any("\u4e00" <= c <= "\u9fff" for c in text), text


json_text = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=6)
json_values = st.recursive(st.none() | st.booleans() | st.integers() | json_text,
                           lambda inner: st.lists(inner, max_size=3) | st.dictionaries(json_text, inner, max_size=3),
                           max_leaves=8)


@settings(max_examples=200, deadline=None)
@given(json_values)
def test_nul_path_finds_a_nul_exactly_when_there_is_one(value):
    import json
    assert (nul_path(value) is not None) == ("\\u0000" in json.dumps(value))
