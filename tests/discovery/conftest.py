import pytest

from o2o.discovery import density


@pytest.fixture(autouse=True)
def _fresh_density_cache():
    density._DENSITY.clear()
    yield
    density._DENSITY.clear()
