from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from o2o.audit import context


class RequestContextMiddleware:
    """Makes the current request visible to ``audit_record`` (actor and address)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = context.set_request(request)
        try:
            return self.get_response(request)
        finally:
            context.reset(token)
