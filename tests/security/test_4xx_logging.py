"""Ordinary client errors log one line and no traceback; a real crash still logs its traceback.

A clerk opening the owner's staff page answered 403 and Django logged the PermissionDenied with its
whole traceback (log_response passes the exception as exc_info). o2o.core.middleware.ClientErrorMiddleware
answers 403/404/400 of a view itself, so Django's one "Forbidden: /path" line is all that is logged.
"""

from __future__ import annotations

import logging

import pytest
from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.test import Client
from django.urls import include, path

from o2o.accounts.models import User
from tests.helpers import world

pytestmark = pytest.mark.django_db


def _crash(request):  # type: ignore[no-untyped-def]
    raise RuntimeError("the database fell over")


def _denied(request):  # type: ignore[no-untyped-def]
    raise PermissionDenied("not yours")


def _suspicious(request):  # type: ignore[no-untyped-def]
    raise SuspiciousOperation("a forged header")


# this module is also the URLconf of the tests marked with it: the project's URLs plus three test views
urlpatterns = [path("test/crash/", _crash), path("test/denied/", _denied), path("test/suspicious/", _suspicious),
               path("", include("config.urls"))]


@pytest.fixture
def logs(caplog):  # type: ignore[no-untyped-def]
    """caplog on Django's loggers too (settings.LOGGING stops them from propagating to the root)."""
    django_logger = logging.getLogger("django")
    django_logger.addHandler(caplog.handler)
    caplog.set_level(logging.INFO)
    yield caplog
    django_logger.removeHandler(caplog.handler)


def _request_lines(caplog) -> list[logging.LogRecord]:  # type: ignore[no-untyped-def]
    return [r for r in caplog.records if r.name.startswith(("django.request", "django.security", "o2o"))]


def _no_traceback(caplog) -> None:  # type: ignore[no-untyped-def]
    assert all(r.exc_info is None and not r.exc_text for r in caplog.records)
    assert "Traceback" not in caplog.text


def _web_client(email: str) -> Client:
    c = Client(raise_request_exception=False)
    c.force_login(User.objects.get(email=email))
    return c


def test_a_clerk_on_the_owners_staff_page_logs_one_line(api_client, logs) -> None:  # type: ignore[no-untyped-def]
    w = world(api_client)
    c = _web_client(w["clerk"]["email"])
    r = c.get(f"/merchant/{w['merchant']['id']}/staff/")
    assert r.status_code == 403
    lines = _request_lines(logs)
    assert len(lines) == 1 and lines[0].getMessage().startswith("Forbidden")
    _no_traceback(logs)


def test_a_clerks_forbidden_api_call_logs_one_line(api_client, logs) -> None:  # type: ignore[no-untyped-def]
    w = world(api_client)
    r = api_client.post(f"/merchants/{w['merchant']['id']}/staff", {"email": "x@example.com", "role": "clerk"},
                        w["clerk"]["token"])
    assert r.status_code == 403 and r.json()["error"]["code"] == "forbidden"
    assert len(_request_lines(logs)) <= 1
    _no_traceback(logs)


def test_a_missing_page_logs_one_line(api_client, logs) -> None:  # type: ignore[no-untyped-def]
    w = world(api_client)
    c = _web_client(w["customer"]["email"])
    r = c.get("/orders/00000000-0000-0000-0000-000000000000/")
    assert r.status_code == 404
    assert len(_request_lines(logs)) == 1
    _no_traceback(logs)


@pytest.mark.urls(__name__)
def test_permission_denied_and_suspicious_requests_log_one_line_each(logs) -> None:  # type: ignore[no-untyped-def]
    c = Client(raise_request_exception=False)
    assert c.get("/test/denied/").status_code == 403
    assert c.get("/test/suspicious/").status_code == 400
    lines = _request_lines(logs)
    assert [r.name for r in lines] == ["django.request", "django.security.SuspiciousOperation", "django.request"]
    assert "a forged header" in lines[1].getMessage()
    _no_traceback(logs)


@pytest.mark.urls(__name__)
def test_a_real_500_still_logs_its_traceback(logs) -> None:  # type: ignore[no-untyped-def]
    c = Client(raise_request_exception=False)
    assert c.get("/test/crash/").status_code == 500
    errors = [r for r in logs.records if r.levelno >= logging.ERROR]
    assert errors and errors[0].exc_info is not None
    assert "Traceback" in logs.text and "the database fell over" in logs.text
