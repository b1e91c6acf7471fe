import os

import pytest

os.environ.setdefault("FAST_PASSWORD_HASHER", "true")


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
