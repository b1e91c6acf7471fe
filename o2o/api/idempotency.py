"""Idempotency-Key handling, scoped to the user and the endpoint (API.md).

A placeholder row is inserted first (the unique key lets one request in); a concurrent duplicate
answers 409 idempotency_in_progress, a later one the stored answer.

A placeholder left by a process that died (SIGKILL, a node lost) is taken over after ABANDONED_AFTER
and the work runs again. That is only safe if the first attempt's writes and its stored answer
committed together: with `atomic=True` they share one transaction, so a dead attempt left either both
(the retry gets its answer) or neither (the retry does the work once). Work that calls out between
its transactions (a payment's gateway) keeps its own guard against running twice instead.
"""

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy

from o2o.api.auth import me
from o2o.core.errors import Conflict, DomainError, Invalid
from o2o.core.idempotency import IdempotencyRecord, request_fingerprint

ABANDONED_AFTER = timedelta(seconds=60)


class IdempotencyMismatch(DomainError):
    code, status = "idempotency_mismatch", 422
    default_message = gettext_lazy("This Idempotency-Key was used with a different request.")


def key_of(request: HttpRequest) -> str | None:
    key = request.headers.get("Idempotency-Key")
    if key is None:
        return None
    key = key.strip()
    if not key or len(key) > 255:
        raise Invalid("Idempotency-Key must be 1 to 255 characters.", fields={"Idempotency-Key": "1-255 characters"})
    return key


def run(
    request: HttpRequest, *, endpoint: str, body: Any, work: Callable[[], tuple[int, Any]],
    replay_status: Callable[[int], int] = lambda s: s, atomic: bool = False,
) -> tuple[int, Any]:
    """Run `work` once per key; a repeat answers the stored (status, body). `atomic`: the work's writes
    and the stored answer commit in one transaction (see the module's doc)."""
    key = key_of(request)
    if key is None:
        return work()
    user = me(request)
    fingerprint = request_fingerprint(body)

    def stored(rec: IdempotencyRecord) -> tuple[int, Any]:
        if rec.request_hash != fingerprint:
            raise IdempotencyMismatch()
        if rec.status_code is None:
            raise Conflict("The first request with this key is still running.", code="idempotency_in_progress")
        return replay_status(rec.status_code), rec.response

    existing = IdempotencyRecord.objects.filter(user=user, endpoint=endpoint, key=key).first()
    if existing is not None:
        stale = existing.status_code is None and existing.created_at < timezone.now() - ABANDONED_AFTER
        if not stale:
            return stored(existing)
        # the first attempt died half-way (process killed): take the key over, once
        taken = IdempotencyRecord.objects.filter(pk=existing.pk, status_code__isnull=True,
                                                 created_at=existing.created_at).update(created_at=timezone.now())
        if taken != 1:
            return stored(IdempotencyRecord.objects.get(pk=existing.pk))
        rec = existing
    else:
        try:
            rec = IdempotencyRecord.objects.create(user=user, endpoint=endpoint, key=key, request_hash=fingerprint)
        except IntegrityError:
            return stored(IdempotencyRecord.objects.get(user=user, endpoint=endpoint, key=key))
    # The work runs in its own transactions (a payment calls its gateway outside any); the answer,
    # success or domain error, is stored so a retry gets the same answer instead of a second attempt.
    try:
        if atomic:
            with transaction.atomic():
                status, out = work()
                IdempotencyRecord.objects.filter(pk=rec.pk).update(status_code=status, response=out)
            return status, out
        status, out = work()
    except DomainError as exc:
        if getattr(exc, "retryable", False):  # e.g. payment_in_progress: a retry with this key may succeed
            IdempotencyRecord.objects.filter(pk=rec.pk, status_code__isnull=True).delete()
            raise
        IdempotencyRecord.objects.filter(pk=rec.pk).update(
            status_code=exc.status, response={"error": {"code": exc.code, "message": exc.message, "fields": exc.fields}})
        raise
    except BaseException:
        IdempotencyRecord.objects.filter(pk=rec.pk, status_code__isnull=True).delete()
        raise
    IdempotencyRecord.objects.filter(pk=rec.pk).update(status_code=status, response=out)
    return status, out
