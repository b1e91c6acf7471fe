"""The API's request parser: JSON bodies and query strings, refusing text no database column can keep.

PostgreSQL cannot store a NUL character in text (SQLite can), so a NUL anywhere in a request's text
would pass validation and fail at the database as a server error. One check here, for every endpoint
and every field, answers 422 with the field instead (the class of the defect, not one field at a time)."""

import json
from typing import Any, cast

from django.http import HttpRequest
from django.utils.datastructures import MultiValueDict
from ninja.errors import ValidationError
from ninja.parser import Parser
from ninja.types import DictStrAny

NUL = "\x00"

# A counter device's offline batch is judged item by item and its text cleaned (vouchers.offline): one bad
# field must never refuse a whole batch of redemptions made while the network was down.
ITEMWISE_PATHS = ("/redemptions/sync",)


class NulInText(ValueError):
    """A request's text holds a NUL; `path` names where (body, key, index, ...)."""

    def __init__(self, path: tuple[str | int, ...]) -> None:
        super().__init__("NUL character in request text")
        self.path = path

    def validation_error(self) -> ValidationError:
        return ValidationError([{"loc": self.path, "type": "nul_character", "msg": "NUL character"}])


def nul_path(value: Any, path: tuple[str | int, ...] = ()) -> tuple[str | int, ...] | None:
    """Where the first NUL in a parsed JSON value is (in a key or a string), or None."""
    if isinstance(value, str):
        return path if NUL in value else None
    if isinstance(value, dict):
        for key, item in value.items():
            if NUL in key:
                return (*path, key.replace(NUL, ""))
            found = nul_path(item, (*path, key))
            if found is not None:
                return found
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found = nul_path(item, (*path, index))
            if found is not None:
                return found
    return None


class O2OParser(Parser):
    def parse_body(self, request: HttpRequest) -> DictStrAny:
        data = json.loads(request.body)
        if request.path.endswith(ITEMWISE_PATHS):
            return cast(DictStrAny, data)
        found = nul_path(data)
        if found is not None:
            # ninja wraps what parse_body raises in a 400; errors.http_error unwraps this one to a 422
            raise NulInText(("body", *found))
        return cast(DictStrAny, data)

    def parse_querydict(self, data: MultiValueDict, list_fields: list[str], request: HttpRequest) -> DictStrAny:
        for key, values in data.lists():
            if NUL in key or any(isinstance(v, str) and NUL in v for v in values):
                raise NulInText(("query", key.replace(NUL, ""))).validation_error()
        return super().parse_querydict(data, list_fields, request)
