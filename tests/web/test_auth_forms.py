"""What a person reads on the sign-up page: sentences (translated), never a program's code, and the
demo's own address domain is accepted."""

from __future__ import annotations

import re

import pytest
from django import forms
from django.test import Client

from o2o.accounts.models import User
from o2o.core.errors import Conflict, Invalid
from o2o.web.views.common import apply_error
from tests.helpers import PASSWORD

pytestmark = pytest.mark.django_db


def _field_errors(html: str) -> list[str]:
    return [re.sub(r"<[^>]+>", "", e).strip() for e in re.findall(r'<p class="field-error">(.*?)</p>', html, re.S)]


def test_signup_page_accepts_the_demo_domain():
    c = Client()
    r = c.post("/signup/", {"email": "newcomer@demo.o2o", "display_name": "New", "password": PASSWORD})
    assert r.status_code == 302, _field_errors(r.content.decode())
    assert User.objects.filter(email="newcomer@demo.o2o").exists()
    assert c.session.get("_auth_user_id")


@pytest.mark.parametrize("lang, sentence", [("en", "An account with this email already exists."),
                                            ("zh-hans", "这个邮箱已注册。")])
def test_taken_email_shows_a_sentence_under_the_field_not_the_code(lang, sentence):
    User.objects.create_user(email="dup@example.com", password=PASSWORD, display_name="Dup")
    r = Client().post("/signup/", {"email": "dup@example.com", "display_name": "Again", "password": PASSWORD},
                      HTTP_ACCEPT_LANGUAGE=lang)
    html = r.content.decode()
    assert r.status_code == 200
    assert _field_errors(html) == [sentence]
    assert ">taken<" not in html and "taken" not in " ".join(_field_errors(html))


def test_invalid_email_on_the_page_is_a_sentence():
    r = Client().post("/signup/", {"email": "a@b.123", "display_name": "X", "password": PASSWORD})
    assert _field_errors(r.content.decode()) == ["Enter a valid email address."]


class _Form(forms.Form):
    list_price = forms.CharField(required=False)
    email = forms.CharField(required=False)


def test_apply_error_never_puts_a_code_on_a_field():
    """The mechanism the pages share: an error's `fields` hold codes for programs; a field whose value
    is not a sentence shows the error's message, and a sentence is shown as it is."""
    form = _Form({})
    form.is_valid()
    apply_error(form, Invalid("The list price cannot be below the price.", fields={"list_price": "below_price"}))
    assert form.errors["list_price"] == ["The list price cannot be below the price."]
    assert "__all__" not in form.errors  # said once, where it belongs
    form = _Form({})
    form.is_valid()
    apply_error(form, Conflict("Some fields are not valid.", fields={"email": "Enter a valid email address.",
                                                                        "list_price": "too large"}))
    assert form.errors["email"] == ["Enter a valid email address."]
    assert form.errors["list_price"] == ["Some fields are not valid."]
    assert form.errors["list_price"] != ["too large"]
