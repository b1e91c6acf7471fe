from django.db import models
from django.utils.translation import gettext_lazy as _


class VoucherStatus(models.TextChoices):
    ISSUED = "issued", _("Ready to use")
    REDEEMED = "redeemed", _("Used")
    REFUNDED = "refunded", _("Refunded")


VOUCHER_TRANSITIONS = {
    "issued": frozenset({"redeemed", "refunded"}),
    "redeemed": frozenset(),
    "refunded": frozenset(),
}
