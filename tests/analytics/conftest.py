"""The analytics tests reuse the campaigns' hotpot shop (a deal, a campaign of three placements, a clerk),
the ordering tests' noodle bar and the bookings tests' pottery school, all made through the HTTP API."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from typing import Any

from o2o.analytics.rollups import rollup_run
from tests.bookings.conftest import school  # noqa: F401  (fixtures)
from tests.campaigns.conftest import rival, shop  # noqa: F401
from tests.helpers import ApiClient
from tests.ordering.conftest import bar  # noqa: F401


def roll() -> int:
    """What the worker's periodic task does, without waiting for events to settle."""
    return rollup_run(settle=timedelta(0))


def summary(api: ApiClient, owner: dict[str, Any], merchant_id: str, **params: Any) -> dict[str, Any]:
    r = api.get(f"/merchants/{merchant_id}/analytics/summary", owner["token"], **params)
    assert r.status_code == 200, r.content
    return r.json()


def export(api: ApiClient, owner: dict[str, Any], merchant_id: str, **params: Any) -> list[dict[str, str]]:
    r = api.get(f"/merchants/{merchant_id}/analytics/export.csv", owner["token"], **params)
    assert r.status_code == 200, r.content
    assert r["Content-Type"].startswith("text/csv")
    text = b"".join(r.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(text[1:])))
