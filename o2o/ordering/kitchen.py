"""The kitchen and counter side of an order: accept, reject (refunded, or cancelled when not yet paid),
mark ready, hand over (a pickup by its code, once; a table's dishes served). Every lookup goes through
ticket_for_staff: staff of the store only, another store's order answers 404."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from o2o.accounts.models import User
from o2o.core.errors import Invalid, NotFound, TransitionNotAllowed
from o2o.core.state import transition
from o2o.merchants.access import as_uuid, store_for_staff
from o2o.ordering.errors import AlreadyCollected, NotReady, WrongStore
from o2o.ordering.models import Ticket
from o2o.orders import fulfilment as fulfilments
from o2o.orders.enums import ORDER_TRANSITIONS, PAID_STATUSES, OrderStatus
from o2o.orders.models import Order, OrderEvent
from o2o.orders.services import order_fulfilment_move
from o2o.orders.stock import order_units_give
from o2o.payments import services as payments


def ticket_for_staff(*, user: User, order_id: Any) -> Ticket:
    """The order's ticket if `user` works at its store (owner, manager, or a clerk of that store)."""
    ticket = Ticket.objects.select_related("order", "store").filter(order_id=as_uuid(order_id)).first()
    if ticket is None:
        raise NotFound()
    store_for_staff(user=user, store_id=ticket.store_id)  # 404 / 403 as every staff lookup
    return ticket


# The kitchen's steps before an order is handed over, and the event reason each gets by default.
KITCHEN_STEPS = {"pending": "accepted", "accepted": "preparing", "preparing": "ready"}
STEP_REASONS = {"accepted": "accepted by the kitchen", "preparing": "preparing", "ready": "ready"}


def fulfilment_advance(*, order: Order, upto: str, actor: User, reason: str = "") -> None:
    """Move a pickup or table order (locked by the caller) along the kitchen's steps until it is at
    `upto` or past the steps, each step its own event (`reason`, else the step's own)."""
    while order.fulfilment_status != upto and order.fulfilment_status in KITCHEN_STEPS:
        step = KITCHEN_STEPS[order.fulfilment_status]
        order_fulfilment_move(order=order, to=step, actor=actor, reason=reason or STEP_REASONS[step])


def order_cancel_unpaid(*, order: Order, actor: User, reason: str) -> None:
    """Inside the caller's transaction, the order locked: an unpaid pickup or table order is cancelled,
    its units go back to the store's stock and its pickup slot is freed."""
    transition(obj=order, to=OrderStatus.CANCELLED, table=ORDER_TRANSITIONS, event_model=OrderEvent,
               event_fk="order", actor=actor, reason=reason)
    for line in order.lines.all():
        order_units_give(order=order, offering_id=line.offering_id, n=line.quantity)
    fulfilments.released(order=order)


def _queued(ticket: Ticket) -> None:
    if ticket.queued_at is None:
        raise NotReady(_("This order is not paid yet."))


def ticket_accept(*, user: User, order_id: Any) -> Order:
    """The kitchen takes the order (it goes straight to preparing)."""
    ticket = ticket_for_staff(user=user, order_id=order_id)
    _queued(ticket)
    with transaction.atomic():
        order = Order.objects.select_for_update().get(pk=ticket.order_id)
        order_fulfilment_move(order=order, to="accepted", actor=user, reason="accepted by the kitchen")
        order_fulfilment_move(order=order, to="preparing", actor=user, reason="preparing")
    return order


def ticket_ready(*, user: User, order_id: Any) -> Order:
    ticket = ticket_for_staff(user=user, order_id=order_id)
    _queued(ticket)
    with transaction.atomic():
        order = Order.objects.select_for_update().get(pk=ticket.order_id)
        fulfilment_advance(order=order, upto="preparing", actor=user)
        order_fulfilment_move(order=order, to="ready", actor=user, reason="ready")
        Ticket.objects.filter(pk=ticket.pk).update(ready_at=timezone.now())
    return order


def _hand_over(*, user: User, ticket: Ticket) -> Order:
    with transaction.atomic():
        order = Order.objects.select_for_update().get(pk=ticket.order_id)
        if order.fulfilment == "delivery":  # o2o.delivery: its courier scans the bag's code
            raise NotReady(_("A courier picks up delivery orders."))
        if order.fulfilment_status in ("picked_up", "served", "closed"):
            raise AlreadyCollected(_("Order %(n)s was already handed over.") % {"n": order.number})
        if order.status not in PAID_STATUSES and not ticket.pay_at_counter:
            raise NotReady(_("This order is not paid yet."))
        if order.fulfilment_status in ("cancelled",):
            raise TransitionNotAllowed(_("This order was cancelled."))
        # handed over at once is fine: it is ready now
        fulfilment_advance(order=order, upto="ready", actor=user, reason="handed over")
        order_fulfilment_move(order=order, to="served" if order.fulfilment == "dine_in" else "picked_up", actor=user,
                              reason="handed over")
        if Ticket.objects.filter(pk=ticket.pk, done_at__isnull=True).update(done_at=timezone.now(),
                                                                           handed_over_by=user) != 1:
            raise AlreadyCollected()
    return order


def ticket_hand_over(*, user: User, order_id: Any) -> Order:
    """Mark handed over from the kitchen screen (a table's dishes served, a pickup collected)."""
    return _hand_over(user=user, ticket=ticket_for_staff(user=user, order_id=order_id))


def pickup_collect(*, user: User, store_id: Any, code: Any) -> Order:
    """POST /pickups: the clerk scans or types the customer's pickup code; once only. A code of
    another store -> 409 wrong_store; unknown -> 404."""
    store, _membership = store_for_staff(user=user, store_id=store_id)
    code = str(code or "").strip().replace(" ", "").replace("-", "")
    if not code.isdigit() or len(code) != 6:
        raise Invalid(_("A pickup code has 6 digits."), fields={"code": _("6 digits")})
    ticket = (Ticket.objects.filter(store=store, pickup_code=code).order_by("done_at", "-created_at")
              .select_related("order").first())
    if ticket is None:
        mine = Ticket.objects.filter(pickup_code=code, done_at__isnull=True,
                                     store__merchant_id=store.merchant_id).exclude(store=store).exists()
        if mine:
            raise WrongStore(_("This pickup code belongs to another store of yours."))
        raise NotFound(_("No order has this pickup code here."), fields={"code": code})
    if ticket.done_at is not None:
        raise AlreadyCollected(_("Order %(n)s was already handed over at %(t)s.")
                               % {"n": ticket.order.number, "t": timezone.localtime(ticket.done_at).strftime("%H:%M")})
    return _hand_over(user=user, ticket=ticket)


def ticket_reject(*, user: User, order_id: Any, reason: Any) -> Order:
    """The kitchen cannot make it: a paid order is refunded in full (payments), an order to pay at the
    counter is cancelled; either way its units go back to the store's stock and its slot is freed."""
    if not isinstance(reason, str) or not reason.strip() or len(reason) > 200:
        raise Invalid(_("Say why (the customer sees it)."), fields={"reason": _("1 to 200 characters")})
    ticket = ticket_for_staff(user=user, order_id=order_id)
    order = ticket.order
    if order.fulfilment_status not in ("pending", "accepted", "preparing", "ready"):
        raise TransitionNotAllowed(_("This order can no longer be rejected."))
    Ticket.objects.filter(pk=ticket.pk).update(reject_reason=reason.strip()[:200], done_at=timezone.now())
    if order.status in PAID_STATUSES:
        payments.order_refund(customer=order.customer, order_id=order.pk, actor=user)
    else:
        with transaction.atomic():
            order = Order.objects.select_for_update().get(pk=order.pk)
            order_cancel_unpaid(order=order, actor=user, reason=f"rejected: {reason.strip()}"[:200])
    with transaction.atomic():
        order = Order.objects.select_for_update().get(pk=order.pk)
        order_fulfilment_move(order=order, to="cancelled", actor=user, reason=f"rejected: {reason.strip()}"[:200])
    if ticket.slot_start is not None and order.status != OrderStatus.CANCELLED:
        fulfilments.released(order=order)  # a refunded pickup frees its slot too
    return order

