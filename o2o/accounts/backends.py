"""Django's authenticate() with the same lockout as the API and the pages.

Listed first in settings.AUTHENTICATION_BACKENDS, so the operator admin's login form (and anything
else calling ``django.contrib.auth.authenticate``) counts failures and refuses a locked email.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

from o2o.accounts.services import _normal_email, login_attempt, login_locked_until
from o2o.audit.context import client_ip


class LockoutBackend(ModelBackend):
    def authenticate(self, request: HttpRequest | None, username: str | None = None, password: str | None = None,
                     **kwargs: Any) -> Any:
        if username is None:
            username = kwargs.get("email")
        if username is None or password is None:
            return None
        email = _normal_email(username)
        if login_locked_until(email=email) is not None:
            raise PermissionDenied  # stops authenticate(): no later backend gets to check the password
        user = login_attempt(email=email, password=password, ip=client_ip(request))
        if user is None:
            raise PermissionDenied  # counted once; ModelBackend below must not hash (and not count) again
        return user
