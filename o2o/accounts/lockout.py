"""Sign-in lockout per (email, client address), and an account-wide slow-down.

* Per pair: `login_max_failures` failures of one email from one address within `login_lockout` lock
  that pair for `login_lockout`. The owner at another address is not locked out by someone guessing
  elsewhere. A success from the address clears its failures.
* Per account: once `login_slowdown_after` failures of one email (from any addresses) fall within the
  window, an address that has never signed in to it successfully gets one password check per
  `login_slowdown` for that email: a distributed guesser is slowed to a crawl, nobody is locked out,
  and the owner at an address they signed in from before is not slowed at all.

No check-then-act: a password is checked only after a conditional UPDATE reserved a slot (the failure
counter is raised before the check, and lowered again by a success), so 20 parallel guesses from one
address get at most `login_max_failures` checks, on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta

from django.db.models import Case, DateTimeField, F, Q, Value, When
from django.utils import timezone

from o2o.accounts.models import LoginFailure, LoginGate
from o2o.core import conf

KNOWN_ADDRESS_FOR = timedelta(days=90)  # an address that signed in successfully this recently is the owner's


def _row(email: str, address: str) -> None:
    LoginGate.objects.get_or_create(email=email, address=address)


def reserve(*, email: str, address: str, now: datetime) -> datetime | None:
    """Reserve one password check for (email, address): None if reserved, else when the pair's lock ends."""
    cfg = conf.get()
    _row(email, address)
    stale = (Q(locked_until__isnull=True, window_start__lte=now - cfg.login_lockout)
             | Q(locked_until__lte=now))  # a window or a lock that is over: counting starts afresh
    none = Value(None, output_field=DateTimeField())
    reserved = (LoginGate.objects.filter(email=email, address=address)
                .filter(Q(locked_until__isnull=True) | Q(locked_until__lte=now))
                .filter(Q(failures__lt=cfg.login_max_failures) | stale)
                .update(failures=Case(When(stale, then=Value(1)), default=F("failures") + 1),
                        window_start=Case(When(stale, then=Value(now)), default=F("window_start")),
                        locked_until=Case(When(stale, then=none), default=F("locked_until"))))
    if reserved:
        return None
    until = LoginGate.objects.filter(email=email, address=address).values_list("locked_until", flat=True).first()
    # the last allowed check may still be running; its failure will set the lock
    return until if until and until > now else now + cfg.login_lockout


def release(*, email: str, address: str) -> None:
    """Give back a reserved check that did not happen."""
    LoginGate.objects.filter(email=email, address=address, failures__gt=0).update(failures=F("failures") - 1)


def slowdown_wait(*, email: str, address: str, now: datetime) -> int:
    """0 when a password check of `email` from `address` may run now (and the account's next slot is
    taken), else the seconds to wait under the account-wide slow-down."""
    cfg = conf.get()
    if cfg.login_slowdown_after < 1 or cfg.login_slowdown <= timedelta(0):
        return 0
    recent = LoginFailure.objects.filter(email=email, at__gt=now - cfg.login_lockout).count()
    if recent < cfg.login_slowdown_after:
        return 0
    if address and LoginGate.objects.filter(email=email, address=address,
                                            succeeded_at__gt=now - KNOWN_ADDRESS_FOR).exists():
        return 0
    _row(email, LoginGate.ACCOUNT)
    if (LoginGate.objects.filter(email=email, address=LoginGate.ACCOUNT)
            .filter(Q(next_check_at__isnull=True) | Q(next_check_at__lte=now))
            .update(next_check_at=now + cfg.login_slowdown)):
        return 0
    nxt = LoginGate.objects.filter(email=email, address=LoginGate.ACCOUNT).values_list(
        "next_check_at", flat=True).first()
    return max(1, math.ceil(((nxt or now) - now).total_seconds()))


def failed(*, email: str, address: str, ip: str | None, now: datetime) -> datetime | None:
    """Record a failed check; when it starts the pair's lock, the lock's end (else None)."""
    cfg = conf.get()
    LoginFailure.objects.create(email=email, ip=ip, at=now)
    until = now + cfg.login_lockout
    started = (LoginGate.objects.filter(email=email, address=address, failures__gte=cfg.login_max_failures,
                                        locked_until__isnull=True).update(locked_until=until))
    return until if started else None


def succeeded(*, email: str, address: str, now: datetime) -> None:
    LoginGate.objects.filter(email=email, address=address).update(
        failures=0, locked_until=None, window_start=now, succeeded_at=now)


def clear(*, email: str) -> None:
    """Forget every failure count and lock of `email` (its owner just proved it, e.g. by a password reset)."""
    LoginGate.objects.filter(email=email).update(failures=0, locked_until=None, next_check_at=None)


def now() -> datetime:
    return timezone.now()
