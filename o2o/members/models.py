from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from o2o.core.models import BaseModel


class Membership(BaseModel):
    """A customer's member card at one merchant. `balance` is a cache of the ledger's sum, kept in the same
    transaction as each ledger row and changed only by conditional UPDATE (never below zero)."""

    merchant = models.ForeignKey("merchants.Merchant", on_delete=models.PROTECT, related_name="member_cards")
    customer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="member_cards")
    balance = models.IntegerField(_("points"), default=0)

    class Meta:
        verbose_name = _("member card")
        verbose_name_plural = _("member cards")
        constraints = [
            models.UniqueConstraint(fields=["merchant", "customer"], name="one_card_per_merchant"),
            models.CheckConstraint(condition=models.Q(balance__gte=0), name="points_never_below_zero"),
        ]


class PointsKind(models.TextChoices):
    EARN = "earn", _("earned")
    SPEND = "spend", _("spent")
    REVERSE = "reverse", _("reversed on refund")


class PointsEntry(models.Model):
    """Append-only points ledger: one signed row per change; rows are never updated or deleted."""

    id = models.BigAutoField(primary_key=True)
    at = models.DateTimeField(_("at"), auto_now_add=True, db_index=True)
    membership = models.ForeignKey(Membership, on_delete=models.PROTECT, related_name="entries")
    kind = models.CharField(_("kind"), max_length=16, choices=PointsKind.choices)
    points = models.IntegerField(_("points"))
    reference = models.CharField(_("reference"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("points entry")
        verbose_name_plural = _("points entries")
        ordering = ["at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["membership", "kind", "reference"], condition=~models.Q(reference=""),
                                    name="points_once_per_reference"),
        ]
