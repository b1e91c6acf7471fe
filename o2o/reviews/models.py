from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from o2o.core.models import BaseModel


class Review(BaseModel):
    """A verified review: only possible once the order was fulfilled offline."""

    order = models.OneToOneField("orders.Order", on_delete=models.PROTECT, related_name="review")
    customer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="reviews")
    merchant = models.ForeignKey("merchants.Merchant", on_delete=models.PROTECT, related_name="reviews")
    store = models.ForeignKey("merchants.Store", on_delete=models.PROTECT, related_name="reviews")
    rating = models.PositiveSmallIntegerField(_("rating"))
    text = models.TextField(_("text"), blank=True)
    reply = models.TextField(_("merchant's reply"), blank=True)
    replied_at = models.DateTimeField(null=True, blank=True)
    replied_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    is_hidden = models.BooleanField(_("hidden by operator"), default=False)
    edited_at = models.DateTimeField(_("edited"), null=True, blank=True)

    class Meta:
        verbose_name = _("review")
        verbose_name_plural = _("reviews")
        ordering = ["-created_at"]
        constraints = [models.CheckConstraint(condition=models.Q(rating__gte=1, rating__lte=5), name="rating_1_to_5")]


class ReviewPhoto(BaseModel):
    """A picture the customer added to their review: checked by content and size, re-encoded as JPEG."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="photos")
    image = models.ImageField(upload_to="reviews/%Y/%m/")
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("review photo")
        verbose_name_plural = _("review photos")
        ordering = ["position", "created_at"]
