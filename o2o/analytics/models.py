from uuid import UUID

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
    offering_id = models.UUIDField(null=True, blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        indexes = [models.Index(fields=["merchant_id", "kind", "at"], name="event_merchant_kind_at"),
                   models.Index(fields=["placement_id", "at"], name="event_placement_at"),
                   models.Index(fields=["order_id"], name="event_order"),
                   models.Index(fields=["merchant_id", "at"], name="event_merchant_at"),
                   # the dashboards' tail: a merchant's events past the rollups' high-water mark
                   models.Index(fields=["merchant_id", "id"], name="event_merchant_id")]

    def __str__(self) -> str:
        return f"{self.kind} {self.at:%Y-%m-%d %H:%M}"


NONE = UUID(int=0)  # "no store / placement / offering" in a rollup's key (a key has no NULLs)


class Dim(models.TextChoices):
    """What a rollup row is cut by: nothing (the merchant's day), or one store, placement or offering."""

    ALL = "all"
    STORE = "store"
    PLACEMENT = "placement"
    OFFERING = "offering"


class DailyFigure(models.Model):
    """The rollup: events of one kind on one day (the merchant's timezone) of the merchant as a whole
    (dim "all") or of one store, placement or offering (`ref`; NONE for events without one), per
    currency: how many, and their amount in hundredths (summed exactly by SQL on PostgreSQL and SQLite
    alike). Each event adds to four rows, one per dim, so each dashboard table reads only its own rows.
    Written only by analytics.rollups."""

    merchant_id = models.UUIDField()
    dim = models.CharField(max_length=10, choices=Dim.choices)
    day = models.DateField()
    kind = models.CharField(max_length=16, choices=EventKind.choices)
    ref = models.UUIDField(default=NONE)
    currency = models.CharField(max_length=3, blank=True)
    n = models.IntegerField(default=0)
    cents = models.BigIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["merchant_id", "dim", "day", "kind", "ref", "currency"],
                                               name="dailyfigure_key")]

    def __str__(self) -> str:
        return f"{self.day} {self.dim} {self.kind} x{self.n}"


class DailyVisitor(models.Model):
    """Who scanned on a day (per placement): distinct visitors over any range are counted from here."""

    merchant_id = models.UUIDField()
    day = models.DateField()
    placement_id = models.UUIDField(default=NONE)
    visitor_id = models.BigIntegerField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["merchant_id", "day", "placement_id", "visitor_id"],
                                               name="dailyvisitor_key")]

    def __str__(self) -> str:
        return f"{self.day} visitor {self.visitor_id}"


class RollupMark(models.Model):
    """How far the rollups have read the stream: every event with id <= last_id is in them (the dashboards
    read rollups plus the events past it). One row, locked by the run that moves it."""

    name = models.CharField(max_length=32, primary_key=True)
    last_id = models.BigIntegerField(default=0)
    updated_at = models.DateTimeField(null=True, blank=True)
    # the highest id when last looked, and when: read once it has settled (rollups.SETTLE)
    seen_id = models.BigIntegerField(default=0)
    seen_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.name}: {self.last_id}"


def write_event(events: list[EventIn]) -> None:
    """The stream's writer (registered in AnalyticsConfig.ready): one INSERT for the batch, in the
    caller's transaction (plus one read of the stores' H3 cells)."""
    from o2o.merchants.models import Store

    store_ids = {e.store_id for e in events if e.store_id is not None}
    cells: dict[UUID | None, int | None] = (
        dict(Store.objects.filter(pk__in=store_ids).values_list("pk", "h3_r8")) if store_ids else {})
    rows = [Event(at=e.at, kind=e.kind, merchant_id=e.merchant_id, store_id=e.store_id, placement_id=e.placement_id,
                  customer_id=e.customer_id, visitor_id=e.visitor_id, order_id=e.order_id, amount=e.amount,
                  currency=e.currency, h3_r8=cells.get(_as_uuid(e.store_id)) or None, offering_id=e.offering_id,
                  data=e.data) for e in events]
    if len(rows) == 1:
        rows[0].save(force_insert=True)
    else:
        Event.objects.bulk_create(rows)


def _as_uuid(value: object) -> UUID | None:
    if value is None or isinstance(value, UUID):
        return value
    try:
        return UUID(str(value))
    except ValueError:
        return None
