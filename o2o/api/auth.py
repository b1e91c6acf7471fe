from typing import TYPE_CHECKING, Any

from django.http import HttpRequest
from ninja.security import HttpBearer, SessionAuth

from o2o.accounts.services import user_from_token

if TYPE_CHECKING:
    from o2o.accounts.models import User


class BearerAuth(HttpBearer):
    openapi_scheme = "bearer"

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = user_from_token(clear_token=token)
        if user is not None:
            request.user = user
        return user


# Apps send a bearer token; pages (same origin, session cookie + CSRF) use the session.
AUTH = [BearerAuth(), SessionAuth()]


def me(request: HttpRequest) -> "User":
    """The signed-in user of a route that has auth=AUTH (ninja answered 401 before the view otherwise)."""
    from o2o.accounts.models import User

    user = request.user
    assert isinstance(user, User)
    return user
