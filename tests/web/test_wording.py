"""The project's Chinese wording is what people read: Django's own catalogues never override it.

Django ranks an app's translations by its place in INSTALLED_APPS, so django.contrib.admin (listed first)
turned our "Go" into 执行 and "Log out" into 注销. Every entry of every o2o catalogue must come back
from gettext as written there.
"""

import gettext as pygettext
from pathlib import Path

import pytest
from django.utils import translation

ROOT = Path(__file__).resolve().parents[2] / "o2o"


def _catalogues() -> list[Path]:
    found = sorted(ROOT.glob("*/locale/zh_Hans/LC_MESSAGES/django.mo"))
    assert found
    return found


@pytest.mark.parametrize("mo", _catalogues(), ids=lambda p: p.parts[-5])
def test_every_project_translation_wins(mo):
    with mo.open("rb") as fh:
        catalogue = pygettext.GNUTranslations(fh)._catalog  # type: ignore[attr-defined]
    wrong = {}
    with translation.override("zh-hans"):
        for key, text in catalogue.items():
            if not key or isinstance(key, tuple) or "\x04" in key or not text:
                continue  # the header, plural forms, entries with a context
            got = translation.gettext(key)
            if got != text:
                wrong[key] = (got, text)
    assert wrong == {}


def test_search_buttons_say_search():
    with translation.override("zh-hans"):
        assert translation.gettext("Search") == "搜索"
        assert translation.gettext("Go") == "搜索"
