"""What every page view shares: domain errors turned into 404/403 pages and form errors."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django import forms
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext

from o2o.core.errors import DomainError, Forbidden, NotFound


def domain_pages(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """NotFound answers 404 and Forbidden 403, as the API does; the page never shows the data."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except NotFound as exc:
            raise Http404(exc.message) from None
        except Forbidden as exc:
            raise PermissionDenied(exc.message) from None

    return wrapper


def error_text(exc: DomainError) -> str:
    """The error's message in the reader's language where the catalogue has it (see web/labels.py)."""
    return gettext(exc.message)


def is_sentence(text: object) -> bool:
    """A text written for people (ends like a sentence), as opposed to a code or a note for programs."""
    return isinstance(text, str) and text.rstrip().endswith((".", "!", "?", "\u3002", "\uff01", "\uff1f"))


def apply_error(form: forms.Form, exc: DomainError, field_map: dict[str, str] | None = None) -> None:
    """Put a service's error on the form: on its fields where they match, else on the whole form.

    An error's ``fields`` are for programs (the API answers them as they are): a value may be a code
    such as ``"taken"`` or ``"below_price"``. A person only ever reads sentences: a field whose value is
    not a sentence shows the error's own message, which says what is wrong with it.
    """
    message = error_text(exc)
    placed = False
    for key, value in (exc.fields or {}).items():
        name = (field_map or {}).get(key, key)
        if name in form.fields and isinstance(value, str) and value:
            text = gettext(value) if is_sentence(value) else message
            form.add_error(name, text)
            placed = placed or text == message
    if not placed:
        form.add_error(None, message)


def is_htmx(request: HttpRequest) -> bool:
    return bool(getattr(request, "htmx", False))
