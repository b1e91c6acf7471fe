from django.utils.translation import gettext_lazy

from o2o.core.errors import Conflict


class AlreadyRedeemed(Conflict):
    code = "already_redeemed"


class VoucherExpired(Conflict):
    code, default_message = "expired", gettext_lazy("This voucher has expired.")


class VoucherRefunded(Conflict):
    code, default_message = "refunded", gettext_lazy("This voucher was refunded and cannot be used.")


class WrongStore(Conflict):
    code, default_message = "wrong_store", gettext_lazy("This voucher cannot be redeemed at this store.")


class WrongMerchant(Conflict):
    """A genuinely signed QR of another merchant, scanned at a counter of one's own merchant."""

    code, default_message = "wrong_merchant", gettext_lazy("This voucher belongs to another merchant.")
