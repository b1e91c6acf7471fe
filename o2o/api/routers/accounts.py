from django.http import HttpRequest
from ninja import Router, Status
from ninja.throttling import AnonRateThrottle

from o2o.accounts import services as accounts
from o2o.api.auth import AUTH
from o2o.api.errors import ErrorOut
from o2o.api.schemas import MeOut, RegisterIn, RegisterOut, TokenIn, TokenOut
from o2o.core import conf
from o2o.merchants.models import StaffMembership

router = Router(tags=["accounts"])
_LOGIN_THROTTLE = [AnonRateThrottle(conf.get().auth_rate)]


def _user(u):  # type: ignore[no-untyped-def]
    return {"id": u.pk, "email": u.email, "display_name": u.display_name}


@router.post("/auth/register", response={201: RegisterOut, 400: ErrorOut, 409: ErrorOut, 422: ErrorOut, 429: ErrorOut},
             throttle=_LOGIN_THROTTLE, auth=None)
def register(request: HttpRequest, body: RegisterIn):  # type: ignore[no-untyped-def]
    user = accounts.user_register(email=body.email, password=body.password, display_name=body.display_name)
    return Status(201, {"user": _user(user), "token": accounts.token_issue(user=user, name="register")})


@router.post("/auth/token", response={200: TokenOut, 400: ErrorOut, 401: ErrorOut, 422: ErrorOut, 429: ErrorOut},
             throttle=_LOGIN_THROTTLE, auth=None)
def token(request: HttpRequest, body: TokenIn):  # type: ignore[no-untyped-def]
    user = accounts.user_authenticate(email=body.email, password=body.password)
    return {"token": accounts.token_issue(user=user, name="api")}


@router.post("/auth/token/revoke", response={204: None, 401: ErrorOut}, auth=AUTH)
def revoke(request: HttpRequest):  # type: ignore[no-untyped-def]
    """Revoke the bearer token this request was made with."""
    header = request.headers.get("Authorization", "")
    if header.lower().startswith("bearer "):
        accounts.token_revoke(user=request.user, clear_token=header[7:].strip())
    return Status(204, None)


@router.get("/me", response={200: MeOut, 401: ErrorOut}, auth=AUTH)
def me(request: HttpRequest):  # type: ignore[no-untyped-def]
    memberships = StaffMembership.objects.filter(user=request.user, is_active=True).values("merchant_id", "role")
    return {**_user(request.user), "memberships": list(memberships)}
