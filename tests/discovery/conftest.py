import pytest

from o2o.discovery import selectors


@pytest.fixture(autouse=True)
def _fresh_density_cache():
    selectors._DENSITY.clear()
    yield
    selectors._DENSITY.clear()
