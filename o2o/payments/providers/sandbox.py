"""The built-in sandbox provider: a real provider with its own ledger and test cards.

Test cards (Stripe's conventions; Luhn-valid numbers only):
  4242424242424242  succeeds (378282246310005, an Amex-like number, too: its CVC has 4 digits)
  4000000000000002  declined (card_declined -> 402 payment_declined)
  4000000000009995  declined (insufficient_funds -> 402 payment_declined)
  4000000000000069  declined (expired_card -> 402 expired_card), as is any card past its exp_month/exp_year
  4000000000000127  declined (incorrect_cvc -> 402 incorrect_cvc), as is any card with CVC "000"
Any other Luhn-valid number succeeds. A number that fails the Luhn check, an expiry month outside
1-12 or a CVC of the wrong length (3 digits, 4 for Amex) is refused before any charge (422, field named).
Expiry and CVC are optional for the API (older clients send only the number) but checked when given.
"""

import secrets
from typing import Any

from django.db import transaction

from o2o.core.money import Money
from o2o.payments.cards import card_from
from o2o.payments.models import SandboxCharge, SandboxRefund
from o2o.payments.providers.base import ChargeResult, ProviderError, RefundResult

DECLINES = {"4000000000000002": "card_declined", "4000000000009995": "insufficient_funds",
            "4000000000000069": "expired_card", "4000000000000127": "incorrect_cvc"}
INCORRECT_CVC = "000"


class SandboxProvider:
    name = "sandbox"

    def charge(self, *, amount: Money, details: dict[str, Any], merchant_reference: str) -> ChargeResult:
        card = card_from(details)  # a malformed number, expiry or CVC: Invalid, nothing charged
        number = card.number
        decline = DECLINES.get(number, "")
        if not decline and card.expired():
            decline = "expired_card"
        elif not decline and card.cvc == INCORRECT_CVC:
            decline = "incorrect_cvc"
        ref = "sbx_ch_" + secrets.token_hex(10)
        SandboxCharge.objects.create(
            reference=ref, merchant_reference=merchant_reference, currency=amount.currency, amount=amount.amount,
            card_last4=number[-4:], succeeded=not decline, decline_code=decline,
        )
        return ChargeResult(succeeded=not decline, reference=ref, card_last4=number[-4:], decline_code=decline,
                            message="The card was declined." if decline else "")

    def refund(self, *, charge_reference: str, amount: Money, merchant_reference: str = "") -> RefundResult:
        # The sum is made here in Decimal, never in SQL: SQLite would add the amounts as floats
        # (0.05 + 0.10 > 0.15 there). The charge row is locked while it is checked and written.
        with transaction.atomic():
            charge = SandboxCharge.objects.select_for_update().filter(reference=charge_reference).first()
            if merchant_reference:
                done = SandboxRefund.objects.filter(merchant_reference=merchant_reference).first()
                if done is not None:
                    return RefundResult(reference=done.reference)
            if charge is None or not charge.succeeded or charge.currency != amount.currency:
                raise ProviderError(f"refund of {amount} refused: no such successful charge {charge_reference}")
            new_total = charge.refunded + amount.amount
            if amount.amount < 0 or new_total > charge.amount:  # a free voucher refunds 0.00
                raise ProviderError(f"refund of {amount} refused for {charge_reference}: "
                                    f"charged {charge.amount}, refunded {charge.refunded}")
            SandboxCharge.objects.filter(pk=charge.pk).update(refunded=new_total)
            ref = "sbx_re_" + secrets.token_hex(10)
            SandboxRefund.objects.create(reference=ref, charge_reference=charge_reference, amount=amount.amount,
                                         merchant_reference=merchant_reference or None)
        return RefundResult(reference=ref)

    def lookup(self, *, merchant_reference: str) -> ChargeResult | None:
        ch = SandboxCharge.objects.filter(merchant_reference=merchant_reference).order_by("-created_at").first()
        if ch is None:
            return None
        return ChargeResult(succeeded=ch.succeeded, reference=ch.reference, card_last4=ch.card_last4,
                            decline_code=ch.decline_code)
