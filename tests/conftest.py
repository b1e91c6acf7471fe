import os

import pytest

os.environ.setdefault("FAST_PASSWORD_HASHER", "true")


@pytest.fixture
def api_client():
    from tests.helpers import ApiClient

    return ApiClient()
