import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from o2o.core.models import BaseModel, StatusEventBase
from o2o.ordering.enums import TabStatus, TicketKind


def table_token() -> str:
    return secrets.token_urlsafe(12)  # 96 bits: a table's QR cannot be guessed from another's


class StoreOrdering(models.Model):
    """A store's ordering settings: pickup slots of slot_minutes with slot_capacity orders each, and
    the least time before a slot (the dishes' prep times count on top when longer)."""

    store = models.OneToOneField("merchants.Store", on_delete=models.CASCADE, primary_key=True,
                                 related_name="ordering")
    slot_minutes = models.PositiveSmallIntegerField(_("slot length (minutes)"), default=15)
    slot_capacity = models.PositiveSmallIntegerField(_("orders per slot"), default=8)
    lead_minutes = models.PositiveSmallIntegerField(_("least notice (minutes)"), default=10)


class Table(BaseModel):
    store = models.ForeignKey("merchants.Store", on_delete=models.PROTECT, related_name="tables")
    label = models.CharField(_("table"), max_length=20)
    seats = models.PositiveSmallIntegerField(_("seats"), default=4)
    token = models.CharField(max_length=32, unique=True, default=table_token, editable=False)
    active = models.BooleanField(_("in use"), default=True)

    class Meta:
        ordering = ["label"]
        constraints = [models.UniqueConstraint(fields=["store", "label"], name="table_label_unique")]

    def __str__(self) -> str:
        return self.label


class Tab(BaseModel):
    """One sitting at a table: every phone at the table adds its orders to it; the clerk closes it
    (the unpaid orders paid at the counter)."""

    store = models.ForeignKey("merchants.Store", on_delete=models.PROTECT, related_name="tabs")
    table = models.ForeignKey(Table, on_delete=models.PROTECT, related_name="tabs")
    status = models.CharField(max_length=8, choices=TabStatus.choices, default=TabStatus.OPEN)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["table"], condition=models.Q(status="open"),
                                               name="one_open_tab_per_table")]


class TabEvent(StatusEventBase):
    tab = models.ForeignKey(Tab, on_delete=models.PROTECT, related_name="events")


class Ticket(BaseModel):
    """The kitchen's view of an order: what kind, for when (a pickup slot), which table and tab, its
    pickup code once paid, and when it entered the queue (paid, or placed to pay at the counter)."""

    order = models.OneToOneField("orders.Order", on_delete=models.PROTECT, related_name="ticket")
    store = models.ForeignKey("merchants.Store", on_delete=models.PROTECT, related_name="tickets")
    kind = models.CharField(max_length=10, choices=TicketKind.choices)
    slot_start = models.DateTimeField(null=True, blank=True)
    slot_end = models.DateTimeField(null=True, blank=True)
    table = models.ForeignKey(Table, on_delete=models.PROTECT, null=True, blank=True, related_name="tickets")
    tab = models.ForeignKey(Tab, on_delete=models.PROTECT, null=True, blank=True, related_name="tickets")
    pay_at_counter = models.BooleanField(default=False)
    pickup_code = models.CharField(max_length=8, blank=True)
    queued_at = models.DateTimeField(null=True, blank=True, db_index=True)
    ready_at = models.DateTimeField(null=True, blank=True)
    done_at = models.DateTimeField(null=True, blank=True)
    handed_over_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                       related_name="+")
    reject_reason = models.CharField(max_length=200, blank=True)
    note = models.CharField(max_length=200, blank=True)

    class Meta:
        indexes = [models.Index(fields=["store", "queued_at"], name="ticket_queue")]
        constraints = [models.UniqueConstraint(fields=["store", "pickup_code"],
                                               condition=models.Q(done_at__isnull=True) & ~models.Q(pickup_code=""),
                                               name="pickup_code_unique_while_open")]
