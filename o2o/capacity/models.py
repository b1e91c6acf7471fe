"""One row per (resource, slot start) once someone has taken a place in it: how many are taken of how many.

A slot that nobody has taken has no row; its times come from the resource's weekly hours (rules.py) and its
capacity from the caller (a store's pickup setting, a service's capacity ...). Rows change only through
services.capacity_take / capacity_release, with conditional UPDATEs.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class CapacitySlot(models.Model):
    """`resource` names what is booked: "pickup:<store uuid>", "service:<offering uuid>", "staff:<uuid>" ...
    `start`/`end` are UTC instants; `taken` never exceeds `capacity` (database check)."""

    id = models.BigAutoField(primary_key=True)
    resource = models.CharField(_("resource"), max_length=80)
    start = models.DateTimeField(_("start"))
    end = models.DateTimeField(_("end"))
    capacity = models.PositiveIntegerField(_("capacity"))
    taken = models.PositiveIntegerField(_("taken"), default=0)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("capacity slot")
        verbose_name_plural = _("capacity slots")
        constraints = [
            models.UniqueConstraint(fields=["resource", "start"], name="capacity_slot_once_per_start"),
            models.CheckConstraint(condition=models.Q(taken__lte=models.F("capacity")),
                                   name="capacity_slot_taken_within_capacity"),
        ]

    def __str__(self) -> str:
        return f"{self.resource} {self.start:%Y-%m-%d %H:%M}Z {self.taken}/{self.capacity}"
