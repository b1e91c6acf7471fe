"""Ed25519 signatures for voucher QR codes, as API.md fixes them.

qr_payload = "O2O1." + b64url(payload) + "." + b64url(signature), no padding; the signature is over
the exact payload bytes; payload is JSON with kid, vid, mid, oid, exp.
"""

from __future__ import annotations

import base64
import hashlib
import json
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy

from o2o.core import conf
from o2o.core.errors import BadRequest
from o2o.vouchers.models import SigningKey

PREFIX = "O2O1"


class InvalidSignatureError(BadRequest):
    code, default_message = "invalid_signature", gettext_lazy("This QR code is not a genuine o2o voucher.")


def b64u(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64u(text: str) -> bytes:
    if not isinstance(text, str) or not text or len(text) > 4096:
        raise ValueError("bad base64")
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _public_b64(private: Ed25519PrivateKey) -> str:
    return b64u(private.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw))


def _kid_for(public_b64: str) -> str:
    return "k" + hashlib.sha256(public_b64.encode()).hexdigest()[:15]


def key_from_seed(seed_b64: str) -> tuple[str, str, str]:
    private = Ed25519PrivateKey.from_private_bytes(unb64u(seed_b64))
    public = _public_b64(private)
    return _kid_for(public), seed_b64, public


def key_rotate() -> SigningKey:
    """Make a new active key; the previous ones stay to verify what they signed."""
    seed = b64u(Ed25519PrivateKey.generate().private_bytes_raw())
    kid, seed, public = key_from_seed(seed)
    with transaction.atomic():
        SigningKey.objects.filter(is_active=True).update(is_active=False, retired_at=timezone.now())
        key = SigningKey.objects.create(kid=kid, private_seed=seed, public_key=public, is_active=True)
    _CACHE.clear()
    return key


def active_key() -> SigningKey:
    configured = conf.get().voucher_signing_key
    if configured:
        kid, seed, public = key_from_seed(configured)
        key = SigningKey.objects.filter(kid=kid).first()
        if key is None:
            try:
                with transaction.atomic():
                    SigningKey.objects.filter(is_active=True).update(is_active=False, retired_at=timezone.now())
                    key = SigningKey.objects.create(kid=kid, private_seed=seed, public_key=public, is_active=True)
            except IntegrityError:
                key = SigningKey.objects.get(kid=kid)
        return key
    key = SigningKey.objects.filter(is_active=True).order_by("-created_at").first()
    if key is None:
        try:
            key = key_rotate()
        except IntegrityError:  # a concurrent first start made one
            key = SigningKey.objects.filter(is_active=True).order_by("-created_at").first()
            assert key is not None
    return key


def public_keys() -> list[dict[str, str | bool]]:
    return [
        {"kid": k.kid, "alg": "Ed25519", "public_key": k.public_key, "active": k.is_active}
        for k in SigningKey.objects.order_by("-created_at")
    ]


_CACHE: dict[str, Ed25519PublicKey] = {}


def sign(payload: dict[str, Any], *, key: SigningKey | None = None) -> str:
    """`O2O1.<payload>.<signature>` with the active key (or `key`, when signing many at once)."""
    key = key or active_key()
    payload = {"kid": key.kid, **payload}
    raw = json.dumps(payload, separators=(",", ":"), sort_keys=True).encode()
    private = Ed25519PrivateKey.from_private_bytes(unb64u(key.private_seed))
    return f"{PREFIX}.{b64u(raw)}.{b64u(private.sign(raw))}"


def verify(qr_payload: Any) -> dict[str, Any]:
    """The payload dict if the signature is genuine; InvalidSignatureError otherwise."""
    try:
        prefix, body_b64, sig_b64 = str(qr_payload).strip().split(".")
        if prefix != PREFIX:
            raise ValueError("prefix")
        raw, sig = unb64u(body_b64), unb64u(sig_b64)
        payload = json.loads(raw)
        if not isinstance(payload, dict) or not isinstance(payload.get("kid"), str):
            raise ValueError("payload")
        kid = payload["kid"]
        public = _CACHE.get(kid)
        if public is None:
            key = SigningKey.objects.filter(kid=kid).first()
            if key is None:
                raise ValueError("unknown kid")
            public = Ed25519PublicKey.from_public_bytes(unb64u(key.public_key))
            _CACHE[kid] = public
        public.verify(sig, raw)
    except (ValueError, InvalidSignature, json.JSONDecodeError, UnicodeDecodeError, TypeError):
        raise InvalidSignatureError() from None
    return payload
