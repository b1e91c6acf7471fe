"""Couriers: shifts, positions, their tasks, pickup at the store by the order's code, delivery by the
customer's code, and the failed-delivery path (retry, return to the store, refund by the store's rule).

Who is a courier: a user with an active `courier` staff membership; they carry orders of each merchant
they have one at (a shared fleet's courier has one at every merchant of the fleet). A delivery of a
merchant they do not carry for answers 404, as any other merchant's object."""

from __future__ import annotations

import math
import secrets
from datetime import timedelta
from typing import Any
from uuid import UUID

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from o2o.accounts.models import User
from o2o.audit.services import audit_record
from o2o.core.errors import DomainError, Forbidden, Invalid, NotFound, TransitionNotAllowed
from o2o.core.state import transition
from o2o.delivery.enums import CARRIED, COURIER_TRANSITIONS, DISPATCHABLE, FailedRefund
from o2o.delivery.errors import (
    CodeOfOtherOrder,
    NotYourTask,
    OffShift,
    OutOfArea,
    PositionTooSoon,
    TooManyAttempts,
    TooManyWrongCodes,
    WrongCode,
)
from o2o.delivery.fulfilment import delivery_move
from o2o.delivery.geo import check_position, haversine_m
from o2o.delivery.models import Courier, CourierEvent, Delivery
from o2o.delivery.zones import delivery_settings
from o2o.merchants.access import as_uuid
from o2o.merchants.enums import Role
from o2o.merchants.models import StaffMembership, Store
from o2o.ordering.errors import AlreadyCollected, NotReady
from o2o.ordering.kitchen import fulfilment_advance
from o2o.ordering.models import Ticket
from o2o.orders.enums import PAID_STATUSES
from o2o.orders.models import Order
from o2o.orders.services import order_fulfilment_move
from o2o.payments import services as payments

POSITION_EVERY = timedelta(seconds=5)  # the least time between two positions kept
AREA_M = 50_000  # a position farther than this from every store of the courier's merchants is refused
TASK_LIST = ("assigned", "picked_up", "failed")
CODE_TRIES = 5  # wrong delivery codes in a row that lock the code ...
CODE_LOCK = timedelta(minutes=10)  # ... for this long


def courier_merchant_ids(user: Any) -> set[UUID]:
    if not getattr(user, "is_authenticated", False):
        return set()
    return set(StaffMembership.objects.filter(user=user, role=Role.COURIER, is_active=True,
                                              merchant__status="active").values_list("merchant_id", flat=True))


def courier_for(*, user: User) -> tuple[Courier, set[UUID]]:
    """The user's courier row (made at the first call) and the merchants they carry for; a user with no
    courier membership -> 403."""
    merchants = courier_merchant_ids(user)
    if not merchants:
        raise Forbidden(_("You are not a courier of any merchant."))
    courier, _made = Courier.objects.get_or_create(user=user)
    return courier, merchants


def courier_shift(*, user: User, on: Any) -> Courier:
    """Start or end a shift. Ending it gives the tasks not yet picked up back to the dispatcher (the
    ones on the scooter stay the courier's)."""
    if not isinstance(on, bool):
        raise Invalid(_("Some fields are not valid."), fields={"on": _("true or false")})
    courier, _m = courier_for(user=user)
    want = "on" if on else "off"
    if courier.status == want:
        return courier
    with transaction.atomic():
        transition(obj=courier, to=want, table=COURIER_TRANSITIONS, event_model=CourierEvent, event_fk="courier",
                   actor=user, reason="shift started" if on else "shift ended")
        if not on:
            for d in Delivery.objects.select_for_update().filter(courier=courier, status="assigned"):
                delivery_move(d, "open", actor=user, reason="courier off shift", courier=None, eta_pickup=None,
                              eta_dropoff=None)
    return courier


def courier_position(*, user: User, lat: Any, lng: Any) -> Courier:
    """Keep the courier's position: at most one every POSITION_EVERY (a conditional update, so two
    phones or two servers keep one) -> else 429; far from every store of their merchants -> 422."""
    lat, lng = check_position(lat, lng)
    courier, merchants = courier_for(user=user)
    if courier.status != "on":
        raise OffShift()
    stores = Store.objects.filter(merchant_id__in=merchants, is_active=True).values_list("lat", "lng")
    if not any(haversine_m(lat, lng, s_lat, s_lng) <= AREA_M for s_lat, s_lng in stores):
        raise OutOfArea(fields={"lat": str(lat), "lng": str(lng)})
    now = timezone.now()
    kept = Courier.objects.filter(Q(position_at__isnull=True) | Q(position_at__lte=now - POSITION_EVERY),
                                  pk=courier.pk).update(lat=lat, lng=lng, position_at=now, updated_at=now)
    if kept != 1:
        raise PositionTooSoon(int(POSITION_EVERY.total_seconds()))
    courier.lat, courier.lng, courier.position_at = lat, lng, now
    return courier


def courier_tasks(*, user: User) -> tuple[Courier, list[Delivery]]:
    """My tasks in route order: the ones I carry first, then the ones assigned to me."""
    courier, _m = courier_for(user=user)
    tasks = list(Delivery.objects.filter(courier=courier, status__in=TASK_LIST)
                 .select_related("order", "store", "order__ticket").order_by("sequence", "created_at"))
    return courier, tasks


def task_for_courier(*, user: User, delivery_id: Any) -> tuple[Courier, Delivery]:
    """A delivery of a merchant the courier carries for (else 404)."""
    courier, merchants = courier_for(user=user)
    d = Delivery.objects.select_related("order", "store").filter(pk=as_uuid(delivery_id)).first()
    if d is None or d.store.merchant_id not in merchants:
        raise NotFound()
    return courier, d


def _locked(d: Delivery) -> tuple[Delivery, Order]:
    order = Order.objects.select_for_update().get(pk=d.order_id)
    return Delivery.objects.select_for_update().select_related("store").get(pk=d.pk), order


def courier_pickup(*, user: User, store_id: Any, code: Any) -> Delivery:
    """At the store the courier scans (or types) the order's code on its bag: the order is theirs now and
    on its way. A code of another merchant's store -> 404; of a task another courier has -> 409."""
    courier, merchants = courier_for(user=user)
    if courier.status != "on":
        raise OffShift()
    code = str(code or "").strip().replace(" ", "").replace("-", "")
    if not code.isdigit() or len(code) != 6:
        raise Invalid(_("The order's code has 6 digits."), fields={"code": _("6 digits")})
    store = Store.objects.filter(pk=as_uuid(store_id)).first()
    if store is None or store.merchant_id not in merchants:
        raise NotFound()
    ticket = (Ticket.objects.filter(store=store, pickup_code=code, kind="delivery").order_by("done_at", "-created_at")
              .first())
    if ticket is None:
        raise NotFound(_("No delivery order has this code here."), fields={"code": code})
    d = Delivery.objects.filter(order_id=ticket.order_id).first()
    if d is None:
        raise NotFound()
    with transaction.atomic():
        d, order = _locked(d)
        if d.status in (*CARRIED, "delivered", "returned"):
            raise AlreadyCollected(_("Order %(n)s was already picked up.") % {"n": order.number})
        if d.status not in DISPATCHABLE or order.status not in PAID_STATUSES:
            raise NotReady(_("This order is not to be delivered."))
        if d.status == "assigned" and d.courier_id != courier.pk:
            raise NotYourTask()
        fulfilment_advance(order=order, upto="ready", actor=user, reason="picked up by the courier")
        order_fulfilment_move(order=order, to="dispatched", actor=user, reason="picked up by the courier")
        now = timezone.now()
        delivery_move(d, "picked_up", actor=user, reason="picked up", courier=courier, picked_up_at=now,
                      assigned_at=d.assigned_at or now)
        Ticket.objects.filter(pk=ticket.pk, done_at__isnull=True).update(done_at=now, handed_over_by=user,
                                                                        ready_at=ticket.ready_at or now)
    return d


def _mine(courier: Courier, d: Delivery) -> None:
    if d.courier_id != courier.pk:
        raise NotYourTask()


def courier_deliver(*, user: User, delivery_id: Any, code: Any) -> Delivery:
    """The customer shows the code: a right one delivers the order; one of another order the courier
    carries -> code_of_other_order; any other -> wrong_code (nothing changes but the count of wrong
    codes). CODE_TRIES wrong codes lock the delivery's code for CODE_LOCK: every try until then ->
    429 too_many_wrong_codes with Retry-After, the right code too (six digits are not to be guessed)."""
    courier, d = task_for_courier(user=user, delivery_id=delivery_id)
    _mine(courier, d)
    code = str(code or "").strip().replace(" ", "")
    if not code.isdigit() or len(code) != 6:
        raise Invalid(_("The delivery code has 6 digits."), fields={"code": _("6 digits")})
    now = timezone.now()
    with transaction.atomic():
        d, order = _locked(d)
        if d.status != "picked_up":
            raise TransitionNotAllowed(_("This order is not on its way."))
        if d.code_locked_until is not None and d.code_locked_until > now:
            raise TooManyWrongCodes(math.ceil((d.code_locked_until - now).total_seconds()))
        if not secrets.compare_digest(code, d.delivery_code):
            other = Delivery.objects.filter(courier=courier, status__in=CARRIED, delivery_code=code).exclude(pk=d.pk)
            if other.exists():
                raise CodeOfOtherOrder(_("This code is of another order you carry: check the bag."))
            # counted in this transaction (the row is locked), the refusal raised after its commit
            failures = d.code_failures + 1
            locked = failures >= CODE_TRIES
            Delivery.objects.filter(pk=d.pk).update(code_failures=0 if locked else failures, updated_at=now,
                                                    code_locked_until=now + CODE_LOCK if locked else None)
        else:
            order_fulfilment_move(order=order, to="delivered", actor=user, reason="delivered, code shown")
            delivery_move(d, "delivered", actor=user, reason="delivered", delivered_at=now)
            return d
    if locked:
        audit_record(actor=user, action="delivery.code_locked", obj=d,
                     summary=f"{CODE_TRIES} wrong delivery codes for order {order.number}: locked a while",
                     data={"until": (now + CODE_LOCK).isoformat()})
        raise TooManyWrongCodes(int(CODE_LOCK.total_seconds()))
    left = CODE_TRIES - failures
    raise WrongCode(ngettext("This is not the order's delivery code. %(n)d try left.",
                             "This is not the order's delivery code. %(n)d tries left.", left) % {"n": left},
                    fields={"tries_left": left})


def courier_fail(*, user: User, delivery_id: Any, reason: Any) -> Delivery:
    """Nobody there (or another reason the customer sees): the attempt failed; next the courier tries
    again (courier_retry) or takes it back to the store (courier_return)."""
    if not isinstance(reason, str) or not reason.strip() or len(reason) > 200:
        raise Invalid(_("Say what happened (the customer sees it)."), fields={"reason": _("1 to 200 characters")})
    courier, d = task_for_courier(user=user, delivery_id=delivery_id)
    _mine(courier, d)
    with transaction.atomic():
        d, order = _locked(d)
        if d.status != "picked_up":
            raise TransitionNotAllowed(_("This order is not on its way."))
        order_fulfilment_move(order=order, to="failed", actor=user, reason=reason.strip())
        delivery_move(d, "failed", actor=user, reason=reason.strip(), attempts=d.attempts + 1,
                      fail_reason=reason.strip())
    return d


def courier_retry(*, user: User, delivery_id: Any) -> Delivery:
    courier, d = task_for_courier(user=user, delivery_id=delivery_id)
    _mine(courier, d)
    with transaction.atomic():
        d, order = _locked(d)
        if d.status != "failed":
            raise TransitionNotAllowed(_("Only a failed delivery is tried again."))
        if d.attempts >= delivery_settings(d.store).max_attempts:
            raise TooManyAttempts()
        order_fulfilment_move(order=order, to="dispatched", actor=user, reason="trying again")
        delivery_move(d, "picked_up", actor=user, reason="trying again")
    return d


def courier_return(*, user: User, delivery_id: Any) -> Delivery:
    """The failed order is back at the store; the customer is refunded by the store's rule (in full, or
    nothing: the food was made and carried)."""
    courier, d = task_for_courier(user=user, delivery_id=delivery_id)
    _mine(courier, d)
    with transaction.atomic():
        d, order = _locked(d)
        if d.status != "failed":
            raise TransitionNotAllowed(_("Only a failed delivery goes back to the store."))
        order_fulfilment_move(order=order, to="returned", actor=user, reason="back at the store")
        due = delivery_settings(d.store).failed_refund == FailedRefund.FULL
        delivery_move(d, "returned", actor=user, reason="back at the store", refund_due=due)
    if due:  # after the commit; a crash between the two is refunded by the sweep (tasks.refund_returned)
        _refund_due(d, actor=user)
    return d


def _refund_due(d: Delivery, *, actor: Any) -> bool:
    """Refund a returned delivery marked refund_due (its store's rule when it came back), once."""
    order = Order.objects.get(pk=d.order_id)
    if order.status in ("paid", "partially_refunded"):
        payments.order_refund(customer=order.customer, order_id=order.pk, actor=actor)
    return Delivery.objects.filter(pk=d.pk, refund_due=True).update(refund_due=False) == 1


def returned_refunds_due(*, limit: int = 100) -> int:
    """Returned deliveries still marked refund_due (the process died before the refund): refunded now."""
    done = 0
    for d in Delivery.objects.filter(status="returned", refund_due=True)[:limit]:
        try:
            done += _refund_due(d, actor=None)
        except DomainError:  # refunded meanwhile by another worker: nothing left to do
            continue
    return done
