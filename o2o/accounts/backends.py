"""Django's authenticate() with the same lockout as the API and the pages.

Listed first in settings.AUTHENTICATION_BACKENDS, so the operator admin's login form (and anything
else calling ``django.contrib.auth.authenticate``) counts failures and refuses a locked email.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

from o2o.accounts.services import login_check
from o2o.core.errors import DomainError
from o2o.core.ratelimit import client_address


class LockoutBackend(ModelBackend):
    def authenticate(self, request: HttpRequest | None, username: str | None = None, password: str | None = None,
                     **kwargs: Any) -> Any:
        if username is None:
            username = kwargs.get("email")
        if username is None or password is None:
            return None
        try:
            user = login_check(email=username, password=password, ip=client_address(request))
        except DomainError:  # locked or slowed down for this address
            raise PermissionDenied from None  # stops authenticate(): no later backend checks the password
        if user is None:
            raise PermissionDenied  # counted once; ModelBackend below must not hash (and not count) again
        return user
