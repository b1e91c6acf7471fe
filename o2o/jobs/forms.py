"""Request forms: a merchant's list of fields, each of one FieldType, and the check of a customer's
answers against it. Every problem is named under `fields` (422), all at once, before anything is written."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _

from o2o.core.errors import Invalid
from o2o.jobs.enums import FieldType

KEY = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
MAX_FIELDS = 40
MAX_TEXT = 2000
MAX_PHOTOS = 12
MAX_CHOICES = 30


def _num(value: Any) -> Decimal | None:
    if isinstance(value, bool) or value is None:
        return None
    try:
        d = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None
    return d if d.is_finite() else None


def check_definition(fields: Any) -> list[dict[str, Any]]:
    """The form's fields, normalised: [{key, label, type, required, choices?, min?, max?, max_files?}]."""
    problems: dict[str, str] = {}
    if not isinstance(fields, list) or not fields:
        raise Invalid(_("A form needs at least one field."), fields={"fields": _("non-empty list")})
    if len(fields) > MAX_FIELDS:
        raise Invalid(_("Too many fields."), fields={"fields": _("at most %(n)d") % {"n": MAX_FIELDS}})
    out: list[dict[str, Any]] = []
    seen: set[str] = set()
    for i, f in enumerate(fields):
        at = f"fields.{i}"
        if not isinstance(f, dict):
            problems[at] = _("object expected")
            continue
        key, ftype, label = f.get("key"), f.get("type"), f.get("label")
        if not isinstance(key, str) or not KEY.match(key):
            problems[f"{at}.key"] = _("lower-case letters, digits and _ (starting with a letter)")
        elif key in seen:
            problems[f"{at}.key"] = _("used twice")
        else:
            seen.add(key)
        if ftype not in FieldType.values:
            problems[f"{at}.type"] = ", ".join(FieldType.values)
        if not isinstance(label, str) or not label.strip() or len(label) > 140:
            problems[f"{at}.label"] = _("1 to 140 characters")
        field: dict[str, Any] = {"key": key, "label": (label or "").strip() if isinstance(label, str) else "",
                                 "type": ftype, "required": bool(f.get("required", False))}
        if ftype == FieldType.CHOICE:
            choices = f.get("choices")
            if (not isinstance(choices, list) or not choices or len(choices) > MAX_CHOICES
                    or not all(isinstance(c, str) and c.strip() and len(c) <= 100 for c in choices)
                    or len(set(choices)) != len(choices)):
                problems[f"{at}.choices"] = _("a list of 1 to %(n)d different texts") % {"n": MAX_CHOICES}
            else:
                field["choices"] = choices
        if ftype in (FieldType.NUMBER, FieldType.AREA):
            for bound in ("min", "max"):
                if f.get(bound) is not None:
                    n = _num(f[bound])
                    if n is None:
                        problems[f"{at}.{bound}"] = _("a number")
                    else:
                        field[bound] = str(n)
            if "min" in field and "max" in field and Decimal(field["min"]) > Decimal(field["max"]):
                problems[f"{at}.max"] = _("at least min")
        if ftype == FieldType.PHOTOS:
            mf = f.get("max_files", 6)
            if isinstance(mf, bool) or not isinstance(mf, int) or not 1 <= mf <= MAX_PHOTOS:
                problems[f"{at}.max_files"] = _("1 to %(n)d") % {"n": MAX_PHOTOS}
            else:
                field["max_files"] = mf
        out.append(field)
    if problems:
        raise Invalid(_("The form is not valid."), fields=problems)
    return out


def check_answers(form_fields: list[dict[str, Any]], answers: Any) -> tuple[dict[str, Any], dict[str, list[str]]]:
    """The answers, normalised, and the upload ids each photos/file field names (their files are checked
    by the caller: they must be the customer's, unattached, of the right kind). 422 naming each field."""
    if not isinstance(answers, dict):
        raise Invalid(_("Some fields are not valid."), fields={"answers": _("object expected")})
    problems: dict[str, str] = {}
    known = {f["key"] for f in form_fields}
    for k in answers:
        if k not in known:
            problems[f"answers.{k}"] = _("not a field of this form")
    out: dict[str, Any] = {}
    uploads: dict[str, list[str]] = {}
    for f in form_fields:
        key, ftype, at = f["key"], f["type"], f"answers.{f['key']}"
        value = answers.get(key)
        if value is None or value == "" or value == []:
            if f.get("required"):
                problems[at] = _("This field is required.")
            continue
        if ftype == FieldType.TEXT:
            if not isinstance(value, str) or len(value) > MAX_TEXT:
                problems[at] = _("text of at most %(n)d characters") % {"n": MAX_TEXT}
            else:
                out[key] = value.strip()
        elif ftype in (FieldType.NUMBER, FieldType.AREA):
            n = _num(value)
            if n is None or isinstance(value, str) and not value.strip():
                problems[at] = _("a number")
            elif ftype == FieldType.AREA and n <= 0:
                problems[at] = _("square metres, more than 0")
            elif "min" in f and n < Decimal(f["min"]):
                problems[at] = _("at least %(n)s") % {"n": f["min"]}
            elif "max" in f and n > Decimal(f["max"]):
                problems[at] = _("at most %(n)s") % {"n": f["max"]}
            elif abs(n) >= Decimal("1e9") or -n.as_tuple().exponent > 2:  # type: ignore[operator]
                problems[at] = _("at most 2 decimals, less than a billion")
            else:
                out[key] = str(n)
        elif ftype == FieldType.CHOICE:
            if value not in f.get("choices", []):
                problems[at] = _("one of: %(c)s") % {"c": ", ".join(f.get("choices", []))}
            else:
                out[key] = value
        elif ftype == FieldType.DATE:
            try:
                out[key] = date.fromisoformat(value).isoformat() if isinstance(value, str) and len(value) == 10 \
                    else None
            except ValueError:
                out[key] = None
            if out.get(key) is None:
                out.pop(key, None)
                problems[at] = _("a date such as 2026-12-02")
        elif ftype == FieldType.PHOTOS:
            ids = value if isinstance(value, list) else None
            if ids is None or not all(isinstance(x, str) for x in ids) or len(set(ids)) != len(ids):
                problems[at] = _("a list of upload ids")
            elif len(ids) > f.get("max_files", 6):
                problems[at] = _("at most %(n)d photos") % {"n": f.get("max_files", 6)}
            else:
                uploads[key] = ids
        elif ftype == FieldType.FILE:
            if not isinstance(value, str):
                problems[at] = _("an upload id")
            else:
                uploads[key] = [value]
    if problems:
        raise Invalid(_("Some answers are not valid."), fields=problems)
    return out, uploads
