"""Secrets and card numbers never reach the logs.

``RedactingFilter`` is installed on every handler (settings.LOGGING). It rewrites the record's
message, its arguments and its formatted traceback, masking:

- card-like digit runs (13 to 19 digits, spaces or dashes allowed between them) -> ``[card ****4242]``
- ``Bearer <token>`` values and ``o2o_<token>`` API tokens
- ``password``/``secret``/``token``/``card_number``/``cvv``/``seed``/``private_key`` values in
  ``"key": "value"``, ``key=value`` and ``'key': 'value'`` forms
- Ed25519 private seeds: 43 base64url characters (32 bytes), 64 hex digits, PEM private keys
"""

from __future__ import annotations

import logging
import re
from typing import Any

# Not inside a word, a UUID or an order number ("O2611251234...", "...-a716-446655440000").
_CARD = re.compile(r"(?<![A-Za-z0-9-])(?:\d[ -]?){12,18}\d(?!\d|-\d|[A-Za-z])")
_BEARER = re.compile(r"(?i)\b(bearer)(\s+|%20|\+)[A-Za-z0-9._~+/=-]+")
_O2O_TOKEN = re.compile(r"\bo2o_[A-Za-z0-9_-]{6,}")
_KEYS = r"(?:password\d?|passwd|pwd|secret|secret_key|api_key|token|access_token|refresh_token|card_number|" \
        r"card|pan|cvv|cvc|seed|private_seed|private_key|signing_key|voucher_signing_key|authorization)"
_QUOTED_PAIR = re.compile(
    r"""(?ix)(?P<key>["']?[\w-]*""" + _KEYS + r"""["']?\s*[:=]\s*)(?P<q>["'])(?P<val>(?:\\.|(?!(?P=q)).)*)(?P=q)""")
_BARE_PAIR = re.compile(r"(?i)(?P<key>\b[\w-]*" + _KEYS + r"=)(?P<val>[^&\s,;\"']+)")
_PEM = re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----.*?-----END [A-Z ]*PRIVATE KEY-----", re.S)
_SEED_B64 = re.compile(r"(?<![A-Za-z0-9_\-+/])[A-Za-z0-9_\-+/]{43}={0,1}(?![A-Za-z0-9_\-+/=])")
_HEX64 = re.compile(r"(?<![0-9a-fA-F])[0-9a-fA-F]{64}(?![0-9a-fA-F])")

REDACTED = "[REDACTED]"


def _card(m: re.Match[str]) -> str:
    digits = re.sub(r"\D", "", m.group(0))
    return f"[card ****{digits[-4:]}]"


def _seed(m: re.Match[str]) -> str:
    text = m.group(0)
    # 43 characters of base64url with at least one letter and one digit: a 32-byte key, not a word.
    if any(c.isdigit() for c in text) and any(c.isalpha() for c in text):
        return REDACTED
    return text


def redact(text: str) -> str:
    """The text with every secret this module knows masked."""
    if not text:
        return text
    text = _PEM.sub(REDACTED, text)
    text = _BEARER.sub(lambda m: f"{m.group(1)}{m.group(2)}{REDACTED}", text)
    text = _O2O_TOKEN.sub("o2o_" + REDACTED, text)
    text = _QUOTED_PAIR.sub(lambda m: f"{m.group('key')}{m.group('q')}{REDACTED}{m.group('q')}", text)
    text = _BARE_PAIR.sub(lambda m: f"{m.group('key')}{REDACTED}", text)
    text = _CARD.sub(_card, text)
    text = _HEX64.sub(REDACTED, text)
    return _SEED_B64.sub(_seed, text)


def _clean(value: Any) -> Any:
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, int | float | bool) or value is None:
        return value
    if isinstance(value, bytes):
        return redact(value.decode("utf-8", "replace"))
    # Anything else (dicts, exceptions, requests, models) is formatted now and redacted as text.
    try:
        return redact(str(value) if not isinstance(value, dict | list | tuple) else repr(value))
    except Exception:
        return "[unprintable]"


class RedactingFilter(logging.Filter):
    """Masks secrets in a record before any handler formats it. Never drops a record."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            if record.args:
                # Format once with the original arguments, then redact the whole text: a secret split
                # across the format string and an argument cannot slip through.
                try:
                    message = record.msg % record.args if isinstance(record.msg, str) else str(record.msg)
                except Exception:
                    message = f"{record.msg} {tuple(_clean(a) for a in record.args)!r}" if isinstance(
                        record.args, tuple) else f"{record.msg} {_clean(record.args)}"
                record.msg = redact(message)
                record.args = None
            else:
                record.msg = _clean(record.msg) if not isinstance(record.msg, str) else redact(record.msg)
            if record.exc_info and not record.exc_text:
                record.exc_text = logging.Formatter().formatException(record.exc_info)
            if record.exc_text:
                record.exc_text = redact(record.exc_text)
            if record.stack_info:
                record.stack_info = redact(record.stack_info)
            for attr in ("request_body", "body"):
                if hasattr(record, attr):
                    setattr(record, attr, _clean(getattr(record, attr)))
        except Exception:  # a broken record must never stop logging
            record.msg, record.args = "[unloggable record redacted]", None
        return True
