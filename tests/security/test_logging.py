"""Secrets and card numbers never reach the logs, and the database keeps only a card's last 4 digits."""

from __future__ import annotations

import io
import logging

import pytest
from django.apps import apps
from django.db import connection, models

from o2o.core.logging import RedactingFilter, redact
from tests.helpers import GOOD_CARD, PASSWORD, ApiClient, world

SEED = "Xq3vT0c9bW1mZk7rL2pH8sJ5nD4fG6yA0eR1tU2iO3p"  # 43 base64url chars: an Ed25519 seed's shape
TOKEN = "o2o_" + "k" * 20 + "Z9_x-" + "q" * 18


@pytest.fixture
def captured():  # type: ignore[no-untyped-def]
    """The output of every handler settings.LOGGING installed, as text."""
    handlers = {h for h in logging.getLogger().handlers + logging.getLogger("django").handlers
                if any(isinstance(f, RedactingFilter) for f in h.filters)}
    assert handlers, "settings.LOGGING installs no redacting handler"
    stream = io.StringIO()
    old = [(h, h.setStream(stream)) for h in handlers if isinstance(h, logging.StreamHandler)]
    assert old, "no stream handler to capture"
    yield stream
    for h, previous in old:
        h.setStream(previous)


def test_every_configured_handler_redacts():
    from django.conf import settings

    for name, handler in settings.LOGGING["handlers"].items():
        assert "redact" in handler.get("filters", []), name
    for name in ("", "django", "django.request", "django.server", "o2o.api", "o2o.orders.services"):
        logger = logging.getLogger(name)
        while logger is not None:
            for h in logger.handlers:
                if type(h).__module__.startswith("_pytest"):
                    continue  # pytest's own capture, not part of the configuration
                assert any(isinstance(f, RedactingFilter) for f in h.filters), (name, h)
            logger = logger.parent if logger.propagate else None


def test_secrets_in_messages_and_arguments_are_masked(captured):
    log = logging.getLogger("o2o.test")
    log.warning("charge failed for card %s (spaced 4242 4242 4242 4242, dashed 4000-0000-0000-0002)", GOOD_CARD)
    log.warning("request headers: %r", {"Authorization": f"Bearer {TOKEN}", "X": "1"})
    log.warning('body: {"email": "a@b.c", "password": "%s", "card_number": "%s"}', PASSWORD, GOOD_CARD)
    log.warning("login form password=%s&email=a@b.c", PASSWORD)
    log.warning("signing key %s configured", SEED)
    log.error("token %s used from %s", TOKEN, "127.0.0.1")
    try:
        raise ValueError(f"bad card {GOOD_CARD} with password={PASSWORD}")
    except ValueError:
        log.exception("payment crashed")
    out = captured.getvalue()
    for secret in (GOOD_CARD, "4242 4242 4242 4242", "4000-0000-0000-0002", PASSWORD, TOKEN, TOKEN[4:], SEED):
        assert secret not in out, secret
    assert "[card ****4242]" in out and "[card ****0002]" in out  # what is left is still useful
    assert "payment crashed" in out and "ValueError" in out and "127.0.0.1" in out and "a@b.c" in out


def test_redaction_keeps_ordinary_identifiers():
    text = ("order O26112512345678 voucher 550e8400-e29b-41d4-a716-446655440000 code 123456789012 "
            "at 2026-11-25 12:00:00 amount 99.00")
    assert redact(text) == text


@pytest.mark.django_db
def test_paying_stores_only_the_last_four_digits_and_logs_no_card(captured, settings):
    logging.getLogger().setLevel(logging.DEBUG)
    try:
        api = ApiClient()
        w = world(api)
        r = api.post("/orders", {"lines": [{"offering_id": w["deal"]["id"], "quantity": 1}]}, w["customer"]["token"],
                     headers={"Idempotency-Key": "k-1"})
        order = r.json()
        declined = api.post(f"/orders/{order['id']}/pay", {"provider": "sandbox", "card_number": "4000000000000002"},
                            w["customer"]["token"], headers={"Idempotency-Key": "pay-1"})
        assert declined.status_code == 402
        bad = api.post(f"/orders/{order['id']}/pay", {"provider": "sandbox", "card_number": "4242 4242 4242 424x"},
                       w["customer"]["token"])
        assert bad.status_code in (400, 422)
        paid = api.post(f"/orders/{order['id']}/pay", {"provider": "sandbox", "card_number": GOOD_CARD},
                        w["customer"]["token"], headers={"Idempotency-Key": "pay-2"})
        assert paid.status_code == 200, paid.content
    finally:
        logging.getLogger().setLevel(settings.LOG_LEVEL)
    out = captured.getvalue()
    assert GOOD_CARD not in out and "4000000000000002" not in out

    # no text column of any table holds a full card number (only last4)
    hits = []
    with connection.cursor() as cur:
        for model in apps.get_models():
            table = model._meta.db_table
            for field in model._meta.concrete_fields:
                if isinstance(field, models.CharField | models.TextField | models.JSONField):
                    column = connection.ops.quote_name(field.column)
                    cast = f"CAST({column} AS TEXT)" if isinstance(field, models.JSONField) else column
                    for card in (GOOD_CARD, "4000000000000002"):
                        cur.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)} "  # noqa: S608
                                    f"WHERE {cast} LIKE %s", [f"%{card}%"])
                        if cur.fetchone()[0]:
                            hits.append((table, field.column, card))
    assert hits == []
    from o2o.payments.models import Payment, SandboxCharge

    last4 = set(Payment.objects.filter(order_id=order["id"]).values_list("card_last4", flat=True))
    assert {"4242", "0002"} <= last4 and all(len(x) <= 4 for x in last4)
    assert set(SandboxCharge.objects.values_list("card_last4", flat=True)) >= {"4242", "0002"}
