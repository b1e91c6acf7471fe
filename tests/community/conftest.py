from tests.web.conftest import _media, w  # noqa: F401 - the pages' world and a per-test media folder
