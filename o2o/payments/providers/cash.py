"""Cash at the counter: the clerk took the notes, so the charge always succeeds; a refund is cash
handed back (never more than was taken). Its records (CashReceipt) answer lookups like a gateway's."""

import secrets
from typing import Any

from django.db import transaction

from o2o.core.money import Money
from o2o.payments.models import CashReceipt
from o2o.payments.providers.base import ChargeResult, ProviderError, RefundResult


class CashProvider:
    name = "cash"

    def charge(self, *, amount: Money, details: dict[str, Any], merchant_reference: str) -> ChargeResult:
        ref = "cash_" + secrets.token_hex(10)
        CashReceipt.objects.create(reference=ref, merchant_reference=merchant_reference, currency=amount.currency,
                                   amount=amount.amount, clerk=str(details.get("clerk", ""))[:64])
        return ChargeResult(succeeded=True, reference=ref, card_last4="", decline_code="")

    def refund(self, *, charge_reference: str, amount: Money, merchant_reference: str = "") -> RefundResult:
        with transaction.atomic():
            row = CashReceipt.objects.select_for_update().filter(reference=charge_reference).first()
            if row is None or row.currency != amount.currency or row.refunded + amount.amount > row.amount:
                raise ProviderError(f"cash refund of {amount} refused for {charge_reference}")
            CashReceipt.objects.filter(pk=row.pk).update(refunded=row.refunded + amount.amount)
        return RefundResult(reference="cash_re_" + secrets.token_hex(10))

    def lookup(self, *, merchant_reference: str) -> ChargeResult | None:
        row = CashReceipt.objects.filter(merchant_reference=merchant_reference).order_by("-created_at").first()
        if row is None:
            return None
        return ChargeResult(succeeded=True, reference=row.reference, card_last4="", decline_code="")
