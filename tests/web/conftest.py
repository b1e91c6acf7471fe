import pytest
from django.test import Client

from tests.web import builders


@pytest.fixture
def w(db):  # noqa: ARG001 - the db fixture enables database access
    return builders.world()


def client_for(user) -> Client:  # type: ignore[no-untyped-def]
    c = Client()
    c.force_login(user)
    return c


@pytest.fixture(autouse=True)
def _media(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
