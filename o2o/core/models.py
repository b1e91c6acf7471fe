import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class BaseModel(models.Model):
    """UUID primary key (anything that leaves the server is a UUID), created/updated in UTC."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        abstract = True


class StatusEventBase(models.Model):
    """One row per status transition: who, when, from, to, why. Rows are never deleted or changed."""

    id = models.BigAutoField(primary_key=True)
    at = models.DateTimeField(_("at"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    from_status = models.CharField(_("from"), max_length=32, blank=True)
    to_status = models.CharField(_("to"), max_length=32)
    reason = models.CharField(_("why"), max_length=200, blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        abstract = True
        ordering = ["at", "id"]


from o2o.core.idempotency import IdempotencyRecord  # noqa: E402,F401  (model lives with its helpers)


class PeriodicRun(models.Model):
    """One row per periodic task (o2o.core.schedule): the last period a scheduler enqueued it for.

    A scheduler claims period n with `UPDATE ... SET period = n WHERE name = ... AND period < n`: of
    any number of schedulers racing, one changes the row and enqueues; the others change nothing."""

    name = models.CharField(max_length=100, primary_key=True)
    period = models.BigIntegerField(default=-1)  # floor(unix seconds / every), -1 = never enqueued
    enqueued_at = models.DateTimeField(null=True, blank=True)
    ran_at = models.DateTimeField(null=True, blank=True)  # when a worker last finished running it
    runs = models.PositiveIntegerField(default=0)  # how many times it was run (the tests count with it)

    class Meta:
        app_label = "core"
