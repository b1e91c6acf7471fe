from datetime import datetime
from uuid import UUID

from django.http import HttpRequest
from ninja import Router, Schema, Status

from o2o.accounts import selectors as account_selectors
from o2o.accounts import services as accounts
from o2o.api import auth
from o2o.api.auth import AUTH
from o2o.api.errors import ErrorOut
from o2o.api.schemas import MeOut, RegisterIn, RegisterOut, TokenIn, TokenOut
from o2o.audit.context import client_ip
from o2o.core import ratelimit
from o2o.merchants.models import StaffMembership

router = Router(tags=["accounts"])


class ApiTokenOut(Schema):
    id: UUID
    name: str
    prefix: str
    created_at: datetime
    last_used_at: datetime | None
    revoked: bool


class ApiTokenListOut(Schema):
    results: list[ApiTokenOut]


def _user(u):  # type: ignore[no-untyped-def]
    return {"id": u.pk, "email": u.email, "display_name": u.display_name}


def _token(t):  # type: ignore[no-untyped-def]
    return {"id": t.pk, "name": t.name, "prefix": t.prefix, "created_at": t.created_at,
            "last_used_at": t.last_used_at, "revoked": t.revoked_at is not None}


@router.post("/auth/register", response={201: RegisterOut, 400: ErrorOut, 409: ErrorOut, 422: ErrorOut, 429: ErrorOut},
             auth=None)
def register(request: HttpRequest, body: RegisterIn):  # type: ignore[no-untyped-def]
    """Too many requests from one address (O2O_AUTH_RATE, shared with /auth/token and the pages'
    sign-in, sign-up and password reset) -> 429 `rate_limited` with `Retry-After`."""
    ratelimit.check_auth(request)
    user = accounts.user_register(email=body.email, password=body.password, display_name=body.display_name)
    return Status(201, {"user": _user(user), "token": accounts.token_issue(user=user, name="register")})


@router.post("/auth/token", response={200: TokenOut, 400: ErrorOut, 401: ErrorOut, 422: ErrorOut, 429: ErrorOut},
             auth=None)
def token(request: HttpRequest, body: TokenIn):  # type: ignore[no-untyped-def]
    """A bearer token for email and password.

    Wrong -> 401 `invalid_credentials`. After 5 failed attempts for one email from one client address
    within 15 minutes, that email is locked for that address for 15 minutes: 429 `account_locked` (even
    with the right password), with `Retry-After` and `fields.retry_at`; other addresses are not locked.
    After many failures for one email from many addresses, an address that never signed in to it gets
    one try per few seconds: 429 `login_slowed_down` with `Retry-After`. Too many requests from one
    address -> 429 `rate_limited` with `Retry-After`.
    """
    ratelimit.check_auth(request)
    user = accounts.user_authenticate(email=body.email, password=body.password, ip=client_ip(request))
    return {"token": accounts.token_issue(user=user, name="api")}


@router.post("/auth/token/revoke", response={204: None, 400: ErrorOut, 401: ErrorOut}, auth=AUTH)
def revoke(request: HttpRequest):  # type: ignore[no-untyped-def]
    """Revoke the bearer token this request was made with."""
    header = request.headers.get("Authorization", "")
    if header.lower().startswith("bearer "):
        accounts.token_revoke(user=auth.me(request), clear_token=header[7:].strip())
    return Status(204, None)


@router.get("/auth/tokens", response={200: ApiTokenListOut, 400: ErrorOut, 401: ErrorOut}, auth=AUTH)
def tokens(request: HttpRequest):  # type: ignore[no-untyped-def]
    """Your own API tokens, newest first: only the prefix of each is known (the token is shown once)."""
    return {"results": [_token(t) for t in account_selectors.tokens_of(user=auth.me(request))]}


@router.post("/auth/tokens/{token_id}/revoke",
             response={204: None, 400: ErrorOut, 401: ErrorOut, 404: ErrorOut, 422: ErrorOut}, auth=AUTH)
def token_revoke(request: HttpRequest, token_id: str):  # type: ignore[no-untyped-def]
    """Revoke one of your tokens (a lost phone, say). Revoking twice is fine; another user's token -> 404."""
    accounts.token_revoke_by_id(user=auth.me(request), token_id=token_id)
    return Status(204, None)


@router.get("/me", response={200: MeOut, 401: ErrorOut}, auth=AUTH)
def me(request: HttpRequest):  # type: ignore[no-untyped-def]
    user = auth.me(request)
    memberships = StaffMembership.objects.filter(user=user, is_active=True).values("merchant_id", "role")
    return {**_user(user), "memberships": list(memberships)}
