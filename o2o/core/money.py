"""Money: a Decimal amount and an ISO 4217 currency, rounded per currency. Never a float."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from babel.numbers import format_currency, get_currency_precision

from o2o.core.errors import Invalid

KNOWN_CURRENCIES = {"CNY", "USD", "EUR", "HKD", "JPY", "GBP", "KRW", "SGD", "TWD", "BHD"}


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
        """Parse user input strictly: a finite number with no more decimals than the currency has."""
        if isinstance(amount, float) or isinstance(amount, bool):
            raise Invalid("Amounts are strings, not numbers.", fields={field: "must be a string like '39.00'"})
        try:
            value = Decimal(str(amount).strip())
        except (InvalidOperation, ValueError):
            raise Invalid("Not an amount.", fields={field: "not a decimal number"}) from None
        if not value.is_finite():
            raise Invalid("Not an amount.", fields={field: "not a finite number"})
        if currency not in KNOWN_CURRENCIES:
            raise Invalid(f"Unknown currency {currency!r}.", fields={"currency": "unknown currency"})
        if value.as_tuple().exponent < -exponent(currency):  # type: ignore[operator]
            raise Invalid("Too many decimals for this currency.", fields={field: "too many decimals"})
        if abs(value) >= Decimal("1e12"):
            raise Invalid("Amount too large.", fields={field: "too large"})
        return cls(value, currency)

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


def discount_percent(price: Money, list_price: Money) -> int:
    """Whole percent off the list price (0 when there is no discount)."""
    if list_price.amount <= 0 or price.amount >= list_price.amount:
        return 0
    return int(((list_price.amount - price.amount) * 100 / list_price.amount).to_integral_value(rounding="ROUND_FLOOR"))
