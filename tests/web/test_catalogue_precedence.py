"""The project's own Simplified Chinese wording is what people read: no catalogue of Django's contrib apps
(the admin translates "Log out" as 注销, "Go" as 执行) may shadow a string that an o2o app translates."""

from __future__ import annotations

import gettext
from pathlib import Path

import pytest
from django.utils import translation

ROOT = Path(__file__).resolve().parents[2]
CATALOGUES = sorted([*ROOT.glob("o2o/*/locale/zh_Hans/LC_MESSAGES/django.mo"), *ROOT.glob("locale/zh_Hans/LC_MESSAGES/django.mo")])


def _entries(mo: Path) -> dict[str, str]:
    with mo.open("rb") as fh:
        catalog = gettext.GNUTranslations(fh)._catalog  # type: ignore[attr-defined]
    return {k: v for k, v in catalog.items() if isinstance(k, str) and k and "\x04" not in k and v}


def test_there_are_catalogues_to_check():
    assert len(CATALOGUES) >= 2


@pytest.mark.parametrize("mo", CATALOGUES, ids=lambda p: p.parts[-5] if p.parts[-5] != ROOT.name else "project")
def test_every_o2o_translation_is_the_one_shown(mo):
    wrong = {}
    with translation.override("zh-hans"):
        for msgid, msgstr in _entries(mo).items():
            shown = translation.gettext(msgid)
            if shown != msgstr:
                wrong[msgid] = (msgstr, shown)
    assert not wrong, wrong


@pytest.mark.django_db
def test_log_out_reads_sign_out_not_delete_account(client):
    from tests.helpers import PASSWORD, quick_user

    user = quick_user("zhlogout")
    client.post("/login/", {"email": user["email"], "password": PASSWORD})
    page = client.get("/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "退出登录" in page and "注销" not in page
