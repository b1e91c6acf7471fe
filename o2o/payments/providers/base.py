"""The payment port. A real gateway (Alipay, WeChat Pay, Stripe ...) implements this protocol."""

from dataclasses import dataclass
from typing import Any, Protocol

from o2o.core.money import Money


@dataclass(frozen=True)
class ChargeResult:
    succeeded: bool
    reference: str
    card_last4: str = ""
    decline_code: str = ""
    message: str = ""


@dataclass(frozen=True)
class RefundResult:
    reference: str


class ProviderError(Exception):
    pass


class PaymentProvider(Protocol):
    name: str

    def charge(self, *, amount: Money, details: dict[str, Any], merchant_reference: str) -> ChargeResult: ...

    def refund(self, *, charge_reference: str, amount: Money, merchant_reference: str = "") -> RefundResult:
        """Give back `amount` of the charge; a second call with the same merchant_reference returns the
        first refund instead of paying again (how a lost answer is retried safely)."""
        ...

    def lookup(self, *, merchant_reference: str) -> ChargeResult | None:
        """The charge made for our reference, if any: how a crash between charge and record is repaired."""
        ...
