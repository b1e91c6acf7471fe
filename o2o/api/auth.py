from typing import Any

from django.http import HttpRequest
from ninja.security import HttpBearer, SessionAuth

from o2o.accounts.services import user_from_token


class BearerAuth(HttpBearer):
    openapi_scheme = "bearer"

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = user_from_token(clear_token=token)
        if user is not None:
            request.user = user
        return user


# Apps send a bearer token; pages (same origin, session cookie + CSRF) use the session.
AUTH = [BearerAuth(), SessionAuth()]
