"""The discovery index row of a store never disagrees with the store.

The demo's main store once had a place row with 24/7 hours while the store said 11:00-14:30,
17:00-02:00: the seed renamed it and set its hours with `Store.objects.filter(...).update(...)`,
a write that skipped the re-index. Every write of a field the index copies now re-indexes in the
same transaction (the model and its queryset do it, whoever writes), and `discovery_check` compares
every row with its store.
"""

from __future__ import annotations

import io
import uuid
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from o2o.discovery.integrity import check_index
from o2o.discovery.models import Place
from o2o.discovery.openness import Clock, open_at
from o2o.merchants.enums import MerchantStatus
from o2o.merchants.hours import is_open
from o2o.merchants.models import Merchant, Store
from o2o.merchants.services import store_update
from tests.helpers import CENTRE

pytestmark = pytest.mark.django_db

LUNCH_AND_LATE = {d: [["11:00", "14:30"], ["17:00", "02:00"]] for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}
NINE_AM = datetime(2026, 12, 2, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))  # a Wednesday, between breakfast and lunch


@pytest.fixture
def store(api_client):  # type: ignore[no-untyped-def]
    owner = api_client.register("owner")
    made = api_client.merchant_with_store(owner, name="Hotpot House")  # the helper's store is open 24/7
    return Store.objects.get(pk=made["store"]["id"])


def _problems() -> list:
    return list(check_index())


def _place(store: Store) -> Place:
    return Place.objects.get(pk=store.pk)


# --- the path that made the stale row, and every other write path ------------------------------------------

def test_a_queryset_update_of_the_hours_reindexes_the_store(store: Store) -> None:
    """What the demo seed did to Hotpot House 春熙路店: rename it and set its hours with a queryset update.

    Before the fix the row kept the 24/7 hours and nearby search called the store open at 09:00."""
    assert open_at(_place(store).week, _place(store).closed, "Asia/Shanghai", Clock(NINE_AM))
    Store.objects.filter(pk=store.pk).update(name="Hotpot House (春熙路店)", opening_hours=LUNCH_AND_LATE)
    store.refresh_from_db()
    place = _place(store)
    assert not is_open(store.opening_hours, store.timezone, NINE_AM, store.closed_dates)
    assert not open_at(place.week, place.closed, place.tz, Clock(NINE_AM))  # nearby and open-now agree with the page
    assert "春熙路店" in place.text
    assert _problems() == []


def test_the_demo_seed_leaves_no_stale_row(settings, tmp_path) -> None:  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = tmp_path / "media"
    call_command("seed_demo", merchants=6, seed=42, stdout=io.StringIO())
    assert Place.objects.count() == Store.objects.count() > 0
    assert _problems() == []
    out = io.StringIO()
    call_command("discovery_check", stdout=out)
    assert "0 mismatches" in out.getvalue()


@pytest.mark.parametrize("path", ["save", "save_update_fields", "bulk_update", "related_update", "service"])
def test_every_store_write_path_reindexes(store: Store, path: str) -> None:
    if path == "save":
        store.opening_hours = LUNCH_AND_LATE
        store.save()
    elif path == "save_update_fields":
        store.opening_hours = LUNCH_AND_LATE
        store.save(update_fields=["opening_hours", "updated_at"])
    elif path == "bulk_update":
        store.opening_hours = LUNCH_AND_LATE
        Store.objects.bulk_update([store], ["opening_hours"])
    elif path == "related_update":
        store.merchant.stores.update(opening_hours=LUNCH_AND_LATE)
    else:
        store_update(store=store, opening_hours=LUNCH_AND_LATE)
    assert not open_at(_place(store).week, "", "Asia/Shanghai", Clock(NINE_AM))
    assert _problems() == []


def test_position_timezone_closed_dates_and_active_follow(store: Store) -> None:
    Store.objects.filter(pk=store.pk).update(lat=CENTRE[0] + 0.05, lng=CENTRE[1] - 0.05, timezone="Asia/Tokyo",
                                             closed_dates=["2026-12-02"], is_active=False)
    place = _place(store)
    assert (place.lat, place.lng, place.tz, place.closed, place.visible) == (
        CENTRE[0] + 0.05, CENTRE[1] - 0.05, "Asia/Tokyo", "2026-12-02", False)
    assert _problems() == []


def test_bulk_created_stores_are_indexed(store: Store) -> None:
    twin = Store(merchant_id=store.merchant_id, name="Twin", address="2 Chunxi Road", lat=CENTRE[0], lng=CENTRE[1],
                 opening_hours=LUNCH_AND_LATE)
    Store.objects.bulk_create([twin])
    assert Place.objects.filter(pk=twin.pk).exists()
    assert _problems() == []


@pytest.mark.parametrize("path", ["queryset", "save"])
def test_merchant_name_category_and_status_follow(store: Store, path: str) -> None:
    if path == "queryset":
        Merchant.objects.filter(pk=store.merchant_id).update(name="Noodle Bar", category="salon",
                                                             status=MerchantStatus.SUSPENDED)
    else:
        m = store.merchant
        m.name, m.category, m.status = "Noodle Bar", "salon", MerchantStatus.SUSPENDED
        m.save()
    place = _place(store)
    assert "noodle" in place.text and place.category == "salon" and not place.visible
    assert _problems() == []


def test_a_write_that_fails_leaves_store_and_row_as_they_were(store: Store) -> None:
    before = (_place(store).week, store.opening_hours)
    with pytest.raises(Exception):  # noqa: B017,PT011 - the index write fails: the store's write rolls back with it
        Store.objects.filter(pk=store.pk).update(opening_hours={"mon": [["25:00", "26:00"]]})
    store.refresh_from_db()
    assert (_place(store).week, store.opening_hours) == before


# --- discovery_check ------------------------------------------------------------------------------------------

def _stale(store: Store, **columns: object) -> None:
    """Write the index row behind the model's back (raw SQL), as a bug or a hand edit would."""
    sets = ", ".join(f"{k} = %s" for k in columns)
    with connection.cursor() as cur:
        cur.execute(f"UPDATE discovery_place SET {sets} WHERE store_id = %s",  # noqa: S608
                    [*columns.values(), store.pk.hex if connection.vendor == "sqlite" else store.pk])


def _check(*args: str) -> tuple[str, int]:
    out = io.StringIO()
    try:
        call_command("discovery_check", *args, stdout=out, stderr=out)
    except CommandError as exc:
        return out.getvalue() + str(exc), exc.returncode
    return out.getvalue(), 0


def test_check_finds_a_planted_mismatch_and_fix_repairs_it(store: Store) -> None:
    _stale(store, week="0-10080", closed_h0=5, tz="UTC")
    text, code = _check()
    assert code != 0
    assert str(store.pk) in text and "week" in text and "tz" in text and "closed_h0" in text
    text, code = _check("--fix")
    assert "repaired 1" in text
    text, code = _check()
    assert code == 0 and "0 mismatches" in text
    place = _place(store)
    assert (place.week, place.tz, place.closed_h0) == (_place(store).week, "Asia/Shanghai", 0) != ("0-10080", "UTC", 5)


def test_check_reports_every_row_missing_and_orphan_rows_and_a_broken_row_does_not_stop_it(api_client, store) -> None:  # type: ignore[no-untyped-def]
    owner = api_client.register("owner2")
    others = [Store.objects.get(pk=api_client.merchant_with_store(owner, name=f"Shop {i}")["store"]["id"])
              for i in range(3)]
    broken, stale, missing = others
    # a store whose hours in the database no service would accept (and no index row can be derived from)
    with connection.cursor() as cur:
        pk = broken.pk.hex if connection.vendor == "sqlite" else broken.pk
        cur.execute("UPDATE merchants_store SET opening_hours = %s WHERE id = %s", ['{"mon": "nonsense"}', pk])
    _stale(stale, lat=0.0, text="wrong")
    Place.objects.filter(pk=missing.pk).delete()
    text, code = _check()
    assert code != 0
    for s in (broken, stale, missing):
        assert str(s.pk) in text
    assert "lat" in text and "text" in text and "missing" in text
    text, code = _check("--fix")
    assert code != 0  # the broken store cannot be indexed until its hours are repaired: still reported
    assert str(broken.pk) in text
    problems = _problems()
    assert {p.store_id for p in problems} == {broken.pk}


def test_check_finds_an_orphan_row_and_fix_deletes_it(store: Store) -> None:
    row = Place.objects.filter(pk=store.pk).values().get()
    ghost = uuid.uuid4()
    Place.objects.create(**{**row, "store_id": ghost})  # no store has this id (the row outlived its store)
    text, code = _check()
    assert code != 0 and str(ghost) in text and "no such store" in text
    _check("--fix")
    assert not Place.objects.filter(pk=ghost).exists()
    assert _check() == (_check()[0], 0)


def test_every_field_the_row_is_built_from_reindexes_when_written() -> None:
    """The fields search_index_stores reads are the ones whose writes re-index (a new copied field must join)."""
    from o2o.discovery.services import _INDEXED_VALUES
    from o2o.merchants.models import MERCHANT_INDEXED_FIELDS, STORE_INDEXED_FIELDS

    read = [v for v in _INDEXED_VALUES if v != "pk"]
    assert {v for v in read if not v.startswith("merchant__")} <= STORE_INDEXED_FIELDS
    assert {v.removeprefix("merchant__") for v in read if v.startswith("merchant__")} <= MERCHANT_INDEXED_FIELDS


def test_the_bulk_rebuild_writes_the_rows_the_check_derives(store: Store) -> None:
    """reindex_all (raw SQL, COPY on PostgreSQL) and search_index_stores must build the same row."""
    from o2o.discovery.services import reindex_all

    Store.objects.filter(pk=store.pk).update(opening_hours=LUNCH_AND_LATE, closed_dates=["2026-12-24"])
    reindex_all()
    assert Place.objects.filter(pk=store.pk).exists()
    assert _problems() == []
