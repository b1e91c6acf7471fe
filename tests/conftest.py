import os

import pytest

os.environ.setdefault("FAST_PASSWORD_HASHER", "true")


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix, tmp_path_factory, request):
    """When race tests (tests/concurrency) are collected, the SQLite test database is a file.

    Django's shared in-memory test database locks whole tables between threads and answers
    "database table is locked" at once; a file with WAL and IMMEDIATE transactions
    (config/settings.py) makes writers wait their turn, as in production, so the races run on
    SQLite too. Other runs keep the faster in-memory database.
    """
    from django.conf import settings

    db = settings.DATABASES["default"]
    races = any("concurrency" in item.nodeid.split("/") for item in request.session.items)
    if races and db["ENGINE"] == "django.db.backends.sqlite3" and not db.get("TEST", {}).get("NAME"):
        db.setdefault("TEST", {})["NAME"] = str(tmp_path_factory.mktemp("sqlite") / "test_o2o.sqlite3")


@pytest.fixture
def api_client():
    from tests.helpers import ApiClient

    return ApiClient()


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Each test starts with an empty cache: login throttles (20/min per address) count per test."""
    from django.core.cache import cache

    cache.clear()
    yield


@pytest.fixture
def postgres_only(request):
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: set DATABASE_URL=postgres://...")
