from django.db import models
from django.utils.translation import gettext_lazy as _


class SeedRecord(models.Model):
    """One row per demo-city seeding; its presence makes ``seed_demo`` a no-op."""

    id = models.BigAutoField(primary_key=True)
    version = models.PositiveIntegerField(_("seed version"))
    merchants = models.PositiveIntegerField(_("merchants asked for"))
    seed = models.BigIntegerField(_("random seed"))
    seconds = models.DecimalField(_("took (s)"), max_digits=8, decimal_places=2)
    summary = models.JSONField(_("what was made"), default=dict)
    created_at = models.DateTimeField(_("seeded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("demo seed")
        verbose_name_plural = _("demo seeds")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"demo seed v{self.version} ({self.created_at:%Y-%m-%d %H:%M})"
