from django.db import models

from o2o.core.events import EventIn, EventKind


class Event(models.Model):
    """One row of the event stream (o2o/core/events.py): append-only, never changed or deleted. Ids are
    plain columns, not foreign keys: a row outlives anything it names and costs one insert, no lookups.
    `h3_r8` is the H3 cell (resolution 8) of the store where it happened, when it happened at one."""

    id = models.BigAutoField(primary_key=True)
    at = models.DateTimeField()
    kind = models.CharField(max_length=16, choices=EventKind.choices)
    merchant_id = models.UUIDField()
    store_id = models.UUIDField(null=True, blank=True)
    placement_id = models.UUIDField(null=True, blank=True)
    customer_id = models.UUIDField(null=True, blank=True)
    visitor_id = models.BigIntegerField(null=True, blank=True)
    order_id = models.UUIDField(null=True, blank=True)
    amount = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    currency = models.CharField(max_length=3, blank=True)
    h3_r8 = models.BigIntegerField(null=True, blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        indexes = [models.Index(fields=["merchant_id", "kind", "at"], name="event_merchant_kind_at"),
                   models.Index(fields=["placement_id", "at"], name="event_placement_at"),
                   models.Index(fields=["order_id"], name="event_order")]

    def __str__(self) -> str:
        return f"{self.kind} {self.at:%Y-%m-%d %H:%M}"


def write_event(event: EventIn) -> None:
    """The stream's writer (registered in AnalyticsConfig.ready): one INSERT, in the caller's transaction."""
    from o2o.merchants.models import Store

    h3 = None
    if event.store_id is not None:
        h3 = Store.objects.filter(pk=event.store_id).values_list("h3_r8", flat=True).first() or None
    Event.objects.create(at=event.at, kind=event.kind, merchant_id=event.merchant_id, store_id=event.store_id,
                         placement_id=event.placement_id, customer_id=event.customer_id, visitor_id=event.visitor_id,
                         order_id=event.order_id, amount=event.amount, currency=event.currency, h3_r8=h3,
                         data=event.data)
