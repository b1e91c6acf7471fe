"""The request being served, so the audit log knows who acted and from where without every
service taking a request. Set by ``o2o.audit.middleware.RequestContextMiddleware``; empty outside
a request (management commands, tasks, tests calling services directly)."""

from __future__ import annotations

from contextvars import ContextVar
from typing import Any

_request: ContextVar[Any] = ContextVar("o2o_audit_request", default=None)


def set_request(request: Any) -> Any:
    return _request.set(request)


def reset(token: Any) -> None:
    _request.reset(token)


def current_request() -> Any:
    return _request.get()


def current_user() -> Any:
    """The signed-in user of the current request (session or bearer token), or None."""
    request = _request.get()
    user = getattr(request, "user", None) if request is not None else None
    return user if getattr(user, "is_authenticated", False) else None


def client_ip(request: Any = None) -> str | None:
    """The client's address: REMOTE_ADDR, or behind O2O_TRUSTED_PROXIES proxies the address they report
    (o2o.core.ratelimit.client_address); a client-sent X-Forwarded-For alone is never trusted."""
    from o2o.core.ratelimit import client_address

    request = request if request is not None else _request.get()
    if request is None:
        return None
    return client_address(request)
