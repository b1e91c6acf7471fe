"""Card details as a card provider checks them: number (Luhn), expiry, CVC. No card data is stored.

Shapes that are wrong are refused before any charge (422, the field named); a well-formed card that
the issuer refuses (expired, incorrect CVC) is a decline with its own code (402).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from o2o.core.errors import Invalid

# Decline codes with their own API error code and message (others answer 402 `payment_declined`).
DECLINE_MESSAGES = {
    "expired_card": gettext_lazy("This card has expired; nothing was charged."),
    "incorrect_cvc": gettext_lazy("The card's security code (CVC) is incorrect; nothing was charged."),
}


@dataclass(frozen=True)
class Card:
    number: str
    exp_month: int | None = None
    exp_year: int | None = None
    cvc: str | None = None

    @property
    def last4(self) -> str:
        return self.number[-4:]

    @property
    def amex(self) -> bool:
        return self.number[:2] in ("34", "37")

    def expired(self) -> bool:
        if self.exp_month is None or self.exp_year is None:
            return False
        now = timezone.now()
        return (self.exp_year, self.exp_month) < (now.year, now.month)  # valid through the end of its month


def luhn_ok(number: str) -> bool:
    if not re.fullmatch(r"[0-9]{12,19}", number):
        return False
    total = 0
    for i, ch in enumerate(reversed(number)):
        d = int(ch)
        if i % 2:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def _whole(value: Any, field: str) -> int:
    if isinstance(value, bool):
        raise Invalid(_("Some fields are not valid."), fields={field: _("whole number")})
    if isinstance(value, str) and re.fullmatch(r"[0-9]{1,4}", value.strip()):
        return int(value.strip())
    if isinstance(value, int):
        return value
    raise Invalid(_("Some fields are not valid."), fields={field: _("whole number")})


def parse_expiry(text: str) -> tuple[int, int]:
    """"MM/YY" or "MM/YYYY" (as typed on a pay page) -> (month, year)."""
    m = re.fullmatch(r"\s*([0-9]{1,2})\s*/\s*([0-9]{2}|[0-9]{4})\s*", text or "")
    if not m:
        raise Invalid(_("The expiry date is not valid."), fields={"expiry": _("MM/YY")})
    return int(m.group(1)), int(m.group(2))


def card_from(details: dict[str, Any]) -> Card:
    """Check the shape of card details; expiry and CVC are optional, but checked whenever given."""
    number = str(details.get("card_number", "") or "").replace(" ", "").replace("-", "")
    if not luhn_ok(number):
        raise Invalid(_("This card number is not valid."), fields={"card_number": _("invalid card number")})
    month, year = details.get("exp_month"), details.get("exp_year")
    if (month is None) != (year is None):
        missing = "exp_year" if year is None else "exp_month"
        raise Invalid(_("Give the expiry month and year."), fields={missing: _("required with the other")})
    if month is not None:
        month, year = _whole(month, "exp_month"), _whole(year, "exp_year")
        if not 1 <= month <= 12:
            raise Invalid(_("The expiry month is not valid."), fields={"exp_month": _("1 to 12")})
        if year < 100:
            year += 2000
        if not 2000 <= year <= 2099:
            raise Invalid(_("The expiry year is not valid."), fields={"exp_year": _("a year like 2030")})
    cvc = details.get("cvc")
    if cvc is not None and cvc != "":
        cvc = str(cvc).strip()
        want = 4 if number[:2] in ("34", "37") else 3
        if not (len(cvc) == want and re.fullmatch(r"[0-9]+", cvc)):
            raise Invalid(_("The security code is not valid."),
                          fields={"cvc": _("%(n)d digits") % {"n": want}})
    else:
        cvc = None
    return Card(number=number, exp_month=month, exp_year=year, cvc=cvc)
