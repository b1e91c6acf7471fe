"""Money: a Decimal amount and an ISO 4217 currency, rounded per currency. Never a float."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from babel.numbers import format_currency, get_currency_precision
from django.utils.translation import gettext as _

from o2o.core.errors import Invalid

KNOWN_CURRENCIES = {"CNY", "USD", "EUR", "HKD", "JPY", "GBP", "KRW", "SGD", "TWD", "BHD", "KWD", "OMR"}

# Every money column is Decimal(14, 2): 12 digits before the point, 2 after. A currency whose
# ISO 4217 exponent is above 2 (BHD, KWD, OMR: 3) cannot be stored exactly, so it is refused as
# unsupported rather than rounded. Amounts never get more decimals than their currency has.
COLUMN_DIGITS = 14
COLUMN_DECIMALS = 2
MAX_AMOUNT = Decimal(10 ** (COLUMN_DIGITS - COLUMN_DECIMALS)) - Decimal(1).scaleb(-COLUMN_DECIMALS)
# Plain ASCII digits with at most one point: no sign, exponent, underscore, comma, space inside or
# non-ASCII digit ("1_000.00", "١٢.٠٠", "1e3" and "-1" are all refused). [0-9] is ASCII only; \d is not.
_AMOUNT_RE = re.compile(r"[0-9]{1,20}(?:\.[0-9]{1,20})?")


class AmountTooLarge(Invalid):
    code = "amount_too_large"


def supported(currency: str) -> bool:
    """A currency amounts can be stored in (known, and no more decimals than the columns hold)."""
    return currency in KNOWN_CURRENCIES and exponent(currency) <= COLUMN_DECIMALS


def exponent(currency: str) -> int:
    return int(get_currency_precision(currency))


def quantum(currency: str) -> Decimal:
    return Decimal(1).scaleb(-exponent(currency))


@dataclass(frozen=True, slots=True)
class Money:
    amount: Decimal
    currency: str

    def __post_init__(self) -> None:
        amount: object = self.amount
        if isinstance(amount, float | bool):
            raise TypeError("Money never takes a float (or a bool)")
        if isinstance(amount, int):
            amount = Decimal(amount)
        elif isinstance(amount, str):
            try:
                amount = Decimal(amount.strip())
            except InvalidOperation:
                raise ValueError(f"not an amount: {amount!r}") from None
        elif not isinstance(amount, Decimal):
            raise TypeError(f"Money takes a Decimal, int or str, not {type(amount).__name__}")
        if not amount.is_finite():
            raise ValueError("Money amounts are finite (no NaN or Infinity)")
        object.__setattr__(self, "amount", amount)
        if self.currency not in KNOWN_CURRENCIES:
            raise Invalid(f"Unknown currency {self.currency!r}.", fields={"currency": "unknown currency"})
        object.__setattr__(self, "amount", self.amount.quantize(quantum(self.currency), rounding=ROUND_HALF_UP))

    @classmethod
    def parse(cls, amount: str | int | Decimal, currency: str, *, field: str = "amount") -> Money:
        """Parse user input strictly (see ``parse_amount``)."""
        return parse_amount(amount, currency, field=field)

    @classmethod
    def zero(cls, currency: str) -> Money:
        return cls(Decimal(0), currency)

    def _check(self, other: Money) -> None:
        if not isinstance(other, Money) or other.currency != self.currency:
            raise ValueError("currency mismatch")

    def __add__(self, other: Money) -> Money:
        self._check(other)
        return Money(self.amount + other.amount, self.currency)

    def __sub__(self, other: Money) -> Money:
        self._check(other)
        return Money(self.amount - other.amount, self.currency)

    def __mul__(self, n: int) -> Money:
        if not isinstance(n, int) or isinstance(n, bool):
            raise TypeError("Money multiplies by whole numbers only")
        return Money(self.amount * n, self.currency)

    __rmul__ = __mul__

    def __lt__(self, other: Money) -> bool:
        self._check(other)
        return self.amount < other.amount

    def __le__(self, other: Money) -> bool:
        self._check(other)
        return self.amount <= other.amount

    def allocate(self, parts: int) -> list[Money]:
        """Split into `parts` amounts that add up exactly (the first ones take the remainder)."""
        if isinstance(parts, bool) or not isinstance(parts, int) or parts < 1:
            raise ValueError("allocate into one part or more")
        q = quantum(self.currency)
        units = int(self.amount / q)
        base, rest = divmod(units, parts)
        return [Money((base + (1 if i < rest else 0)) * q, self.currency) for i in range(parts)]

    def as_api(self, locale: str = "en") -> dict[str, str]:
        return {"amount": f"{self.amount:.{exponent(self.currency)}f}", "currency": self.currency,
                "display": self.display(locale)}

    def display(self, locale: str = "en") -> str:
        return format_currency(self.amount, self.currency, locale=locale.replace("-", "_").replace("hans", "Hans_CN") if locale.startswith("zh") else locale)

    def __str__(self) -> str:
        return f"{self.amount:.{exponent(self.currency)}f} {self.currency}"


def check_currency(currency: Any, *, field: str = "currency") -> str:
    if not isinstance(currency, str) or currency not in KNOWN_CURRENCIES:
        raise Invalid(_("Unknown currency."), fields={field: _("Unknown currency.")})
    if not supported(currency):
        msg = _("Amounts in %(c)s (%(n)d decimals) are not supported.") % {"c": currency, "n": exponent(currency)}
        raise Invalid(msg, fields={field: msg})
    return currency


def parse_amount(amount: Any, currency: Any, *, field: str = "amount") -> Money:
    """The one parser of money typed by a person or sent to the API (schemas and page forms alike).

    Plain ASCII digits with an optional point and no more decimals than the currency has; it must
    fit the money columns. Nothing is rounded: anything else is refused with a field error.
    """
    check_currency(currency)
    if isinstance(amount, bool) or isinstance(amount, float):
        raise Invalid(_("Amounts are strings, not numbers."), fields={field: _("Give the amount as text, such as \"39.00\".")})
    if isinstance(amount, int):
        text = str(amount)
    elif isinstance(amount, Decimal):
        text = format(amount, "f") if amount.is_finite() else "NaN"
    elif isinstance(amount, str):
        text = amount.strip(" ")
    else:
        raise Invalid(_("Not an amount."), fields={field: _("Give the amount as text, such as \"39.00\".")})
    if not _AMOUNT_RE.fullmatch(text):
        raise Invalid(_("Not an amount."), fields={field: _("Use digits and an optional decimal point only, such as 39.00.")})
    whole, _point, decimals = text.partition(".")
    places = exponent(currency)
    if len(decimals) > places:
        msg = (_("Use no decimals for %(c)s.") % {"c": currency} if places == 0
               else _("Use at most %(n)d decimals for %(c)s.") % {"n": places, "c": currency})
        raise Invalid(_("Too many decimals for this currency."), fields={field: msg})
    value = Decimal(text)
    check_fits(value, field=field)
    return Money(value, currency)


def fits(amount: Decimal) -> bool:
    """Whether an amount can be written to a money column exactly."""
    return (amount.is_finite() and abs(amount) <= MAX_AMOUNT
            and amount == amount.quantize(Decimal(1).scaleb(-COLUMN_DECIMALS)))


def check_fits(amount: Decimal | Money, *, field: str = "amount") -> None:
    """Refuse (422 amount_too_large, field named) an amount the money columns cannot hold."""
    value = amount.amount if isinstance(amount, Money) else amount
    if not fits(value):
        raise AmountTooLarge(_("This amount is too large (at most %(max)s).") % {"max": f"{MAX_AMOUNT:,}"},
                             fields={field: _("The amount can be at most %(max)s.") % {"max": f"{MAX_AMOUNT}"}})


def discount_percent(price: Money, list_price: Money) -> int:
    """Whole percent off the list price (0 when there is no discount)."""
    if list_price.amount <= 0 or price.amount >= list_price.amount:
        return 0
    return int(((list_price.amount - price.amount) * 100 / list_price.amount).to_integral_value(rounding="ROUND_FLOOR"))
