"""The built-in sandbox provider: a real provider with its own ledger and test cards.

Cards (Luhn-valid numbers only):
  4242424242424242  succeeds
  4000000000000002  declined (card_declined)
  4000000000009995  declined (insufficient_funds)
Any other Luhn-valid number succeeds; a number that fails the Luhn check is refused as invalid.
"""

import secrets

from django.db import transaction

from o2o.core.errors import Invalid
from o2o.core.money import Money
from o2o.payments.models import SandboxCharge
from o2o.payments.providers.base import ChargeResult, ProviderError, RefundResult

DECLINES = {"4000000000000002": "card_declined", "4000000000009995": "insufficient_funds"}


def luhn_ok(number: str) -> bool:
    if not number.isdigit() or not 12 <= len(number) <= 19:
        return False
    total = 0
    for i, ch in enumerate(reversed(number)):
        d = int(ch)
        if i % 2:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


class SandboxProvider:
    name = "sandbox"

    def charge(self, *, amount: Money, details: dict[str, str], merchant_reference: str) -> ChargeResult:
        number = str(details.get("card_number", "")).replace(" ", "").replace("-", "")
        if not luhn_ok(number):
            raise Invalid("This card number is not valid.", fields={"card_number": "invalid card number"})
        decline = DECLINES.get(number, "")
        ref = "sbx_ch_" + secrets.token_hex(10)
        SandboxCharge.objects.create(
            reference=ref, merchant_reference=merchant_reference, currency=amount.currency, amount=amount.amount,
            card_last4=number[-4:], succeeded=not decline, decline_code=decline,
        )
        return ChargeResult(succeeded=not decline, reference=ref, card_last4=number[-4:], decline_code=decline,
                            message="The card was declined." if decline else "")

    def refund(self, *, charge_reference: str, amount: Money) -> RefundResult:
        # The sum is made here in Decimal, never in SQL: SQLite would add the amounts as floats
        # (0.05 + 0.10 > 0.15 there). The charge row is locked while it is checked and written.
        with transaction.atomic():
            charge = SandboxCharge.objects.select_for_update().filter(reference=charge_reference).first()
            if charge is None or not charge.succeeded or charge.currency != amount.currency:
                raise ProviderError(f"refund of {amount} refused: no such successful charge {charge_reference}")
            new_total = charge.refunded + amount.amount
            if amount.amount < 0 or new_total > charge.amount:  # a free voucher refunds 0.00
                raise ProviderError(f"refund of {amount} refused for {charge_reference}: "
                                    f"charged {charge.amount}, refunded {charge.refunded}")
            SandboxCharge.objects.filter(pk=charge.pk).update(refunded=new_total)
        return RefundResult(reference="sbx_re_" + secrets.token_hex(10))

    def lookup(self, *, merchant_reference: str) -> ChargeResult | None:
        ch = SandboxCharge.objects.filter(merchant_reference=merchant_reference).order_by("-created_at").first()
        if ch is None:
            return None
        return ChargeResult(succeeded=ch.succeeded, reference=ch.reference, card_last4=ch.card_last4,
                            decline_code=ch.decline_code)
