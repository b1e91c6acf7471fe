from __future__ import annotations

from django.db.models import QuerySet

from o2o.accounts.models import ApiToken, User


def tokens_of(*, user: User) -> QuerySet[ApiToken]:
    """The user's own API tokens, newest first (only prefixes: the clear token is never stored)."""
    return ApiToken.objects.filter(user=user).order_by("-created_at")
