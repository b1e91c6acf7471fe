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
