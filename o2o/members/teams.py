"""Team purchases (拼团): a team deal sells a deal to teams of N buyers who must all pay within its hours.

A buyer opens a team (POST /team-deals/{id}/teams) or joins one (POST /teams/{id}/join): that takes a place
(Team.seats, a conditional UPDATE `seats < size`, with a CHECK in the database) and makes an order of
fulfilment `team` for one unit, whose hold ends no later than the team. Paying it (POST /orders/{id}/pay,
as any order) holds the money in escrow (payments.ledger) and issues nothing. When the N-th member pays,
the team completes and every member's vouchers are issued (a task after the commit, and the worker's sweep
for any it missed). When the time runs out first, the worker fails the team and refunds every paid member.
A member may leave an open team by refunding their order (their place is freed).

Locks, always in this order: a member's order, then its team, then stock; joining takes the team before
the stock. Completion never locks another member's order (their vouchers are issued each in a transaction
of its own that locks that order first).
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from functools import partial
from typing import Any
from uuid import UUID

from django.db import IntegrityError, transaction
from django.db.models import Count, F, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_tasks import task

from o2o.accounts.models import User
from o2o.catalogue.enums import OfferingKind, OfferingStatus
from o2o.catalogue.models import Offering
from o2o.core.errors import Conflict, Invalid, NotFound
from o2o.core.money import Money
from o2o.core.state import transition
from o2o.members.enums import TEAM_MEMBER_TRANSITIONS, TEAM_TRANSITIONS, TeamMemberStatus, TeamStatus
from o2o.members.models import Team, TeamDeal, TeamEvent, TeamMember, TeamMemberEvent
from o2o.merchants.access import as_uuid, merchant_for_staff
from o2o.merchants.enums import MerchantStatus
from o2o.orders import services as orders
from o2o.orders.checkout import Source, default_store_ids
from o2o.orders.enums import PAID_STATUSES, FulfilmentKind, OrderStatus
from o2o.orders.fulfilment import RefundedUnit
from o2o.orders.holds import orders_expire_due
from o2o.orders.models import Order
from o2o.payments.enums import PaymentStatus
from o2o.payments.ledger import escrow_hold, escrow_release, ledger_sums
from o2o.payments.models import Payment
from o2o.payments.services import order_refund
from o2o.vouchers.fulfilment import VoucherFulfilment
from o2o.vouchers.services import vouchers_issue

log = logging.getLogger(__name__)
KIND: str = FulfilmentKind.TEAM.value
HOLDING = (TeamMemberStatus.PAID, TeamMemberStatus.OVERFLOW)  # paid, no vouchers yet: units held
MAX_TEAM = 50
MAX_HOURS = 24 * 14


class TeamNotFound(NotFound):
    code, default_message = "team_not_found", gettext_lazy("No such team.")


class TeamFull(Conflict):
    code, default_message = "team_full", gettext_lazy("This team is full.")


class TeamClosed(Conflict):
    code, default_message = "team_closed", gettext_lazy("This team is no longer open.")


class TeamExpired(Conflict):
    code, default_message = "team_expired", gettext_lazy("This team's time has run out.")


class AlreadyInTeam(Conflict):
    code, default_message = "already_in_team", gettext_lazy("You are already in this team.")


class TeamDealOnly(Conflict):
    code, default_message = "team_deal_only", gettext_lazy("This deal is sold to teams only: open or join a team.")


def _bad(field: str, message: str) -> Invalid:
    return Invalid(_("Some fields are not valid."), fields={field: message})


def _int(value: Any, field: str, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise _bad(field, _("a whole number from %(low)d to %(high)d") % {"low": low, "high": high})
    return value


# --- the merchant's side ---------------------------------------------------------------------------------

def team_deal_create(*, user: Any, merchant_id: Any, data: Mapping[str, Any]) -> TeamDeal:
    """A team deal on one of the merchant's deals (owners and managers): `offering_id`, `team_size` (2 to
    50), `hours` to fill a team (1 to 336). The deal is then sold to teams only."""
    merchant, _m = merchant_for_staff(user=user, merchant_id=merchant_id, manage=True)
    try:
        oid = UUID(str(data.get("offering_id")))
    except ValueError:
        raise _bad("offering_id", _("not an id")) from None
    offering = Offering.objects.filter(pk=oid, merchant=merchant, kind=OfferingKind.DEAL).first()
    if offering is None:
        raise _bad("offering_id", _("a deal of this merchant"))
    size = _int(data.get("team_size"), "team_size", 2, MAX_TEAM)
    hours = _int(data.get("hours"), "hours", 1, MAX_HOURS)
    if TeamDeal.objects.filter(offering=offering, active=True).exists():
        raise Invalid(_("This deal already has a team deal."), fields={"offering_id": _("already a team deal")},
                      code="team_deal_exists")
    return TeamDeal.objects.create(merchant=merchant, offering=offering, team_size=size, hours=hours)


def team_deals_of(*, merchant_id: Any) -> list[TeamDeal]:
    return list(TeamDeal.objects.filter(merchant_id=as_uuid(merchant_id), active=True).select_related("offering")
                .order_by("-created_at")[:100])


def team_deal_get(*, team_deal_id: Any) -> TeamDeal:
    deal = (TeamDeal.objects.select_related("offering", "merchant")
            .filter(pk=as_uuid(team_deal_id), merchant__status=MerchantStatus.ACTIVE).first())
    if deal is None:
        raise NotFound()
    return deal


def refuse_plain_checkout(offering_ids: Sequence[Any]) -> None:
    """A deal sold to teams is bought only by opening or joining a team (409 team_deal_only)."""
    if TeamDeal.objects.filter(offering_id__in=list(offering_ids), active=True).exists():
        raise TeamDealOnly()


# --- joining ------------------------------------------------------------------------------------------------

def team_get(*, team_id: Any) -> Team:
    team = Team.objects.select_related("deal", "deal__offering", "deal__merchant").filter(pk=as_uuid(team_id)).first()
    if team is None:
        raise TeamNotFound()
    return team


def team_open(*, customer: User, team_deal_id: Any, source: Source | None = None) -> TeamMember:
    """Open a team of the deal, its opener the first member (their order awaits payment)."""
    deal = team_deal_get(team_deal_id=team_deal_id)
    if not deal.active or deal.offering.status != OfferingStatus.LIVE:
        raise TeamClosed(_("This team deal is not on sale."))
    orders_expire_due(offering_ids=[deal.offering_id])  # before any lock (see the module's doc)
    with transaction.atomic():
        team = Team.objects.create(deal=deal, leader=customer, size=deal.team_size,
                                   expires_at=timezone.now() + timedelta(hours=deal.hours))
        TeamEvent.objects.create(team=team, actor=customer, to_status=team.status, reason="opened")
        return _join(team=team, customer=customer, source=source)


def team_join(*, customer: User, team_id: Any, source: Source | None = None) -> TeamMember:
    """Join an open team: 409 team_full (every place held), team_expired, team_closed (complete or
    failed), already_in_team; sold_out and the deal's per-customer limit as for any order."""
    team = team_get(team_id=team_id)
    orders_expire_due(offering_ids=[team.deal.offering_id])
    with transaction.atomic():
        return _join(team=team, customer=customer, source=source)


def _join(*, team: Team, customer: User, source: Source | None) -> TeamMember:
    now = timezone.now()
    if team.status != TeamStatus.OPEN:
        raise TeamClosed()
    if team.expires_at <= now:
        raise TeamExpired()
    if TeamMember.objects.filter(team=team, customer=customer).exclude(
            status__in=[TeamMemberStatus.RELEASED, TeamMemberStatus.REFUNDED]).exists():
        raise AlreadyInTeam()
    # The place first: the team's row stays locked from here to the commit, so places are taken one at a
    # time and never beyond the size (the database's CHECK says so too).
    if not Team.objects.filter(pk=team.pk, status=TeamStatus.OPEN, expires_at__gt=now,
                               seats__lt=F("size")).update(seats=F("seats") + 1, updated_at=now):
        fresh = Team.objects.get(pk=team.pk)
        if fresh.status != TeamStatus.OPEN:
            raise TeamClosed()
        if fresh.expires_at <= now:
            raise TeamExpired()
        raise TeamFull()
    oid = team.deal.offering_id
    order = orders.order_create(customer=customer, lines=[{"offering_id": str(oid), "quantity": 1}],
                                source=source, store_id=default_store_ids([oid]).get(oid), fulfilment=KIND)
    if order.expires_at > team.expires_at:  # an unpaid place is given back no later than the team closes
        Order.objects.filter(pk=order.pk).update(expires_at=team.expires_at)
        order.expires_at = team.expires_at
    try:
        with transaction.atomic():
            member = TeamMember.objects.create(team=team, customer=customer, order=order)
    except IntegrityError:
        raise AlreadyInTeam() from None  # the same customer joining twice at once
    TeamMemberEvent.objects.create(member=member, actor=customer, to_status=member.status, reason="joined",
                                   data={"order": str(order.pk)})
    member.order = order
    return member


def _move(member: TeamMember, to: str, *, reason: str, actor: Any = None) -> None:
    transition(obj=member, to=to, table=TEAM_MEMBER_TRANSITIONS, event_model=TeamMemberEvent, event_fk="member",
               actor=actor, reason=reason, data={"order": str(member.order_id)})


def _team_move(team: Team, to: str, *, reason: str, extra: dict[str, Any] | None = None) -> None:
    transition(obj=team, to=to, table=TEAM_TRANSITIONS, event_model=TeamEvent, event_fk="team", reason=reason,
               extra=extra, data={"paid": team.paid, "size": team.size})


def _locked_team(member: TeamMember) -> Team:
    return Team.objects.select_for_update().get(pk=member.team_id)


def _hold(order: Order) -> None:
    payment = (Payment.objects.filter(order=order, status=PaymentStatus.SUCCEEDED)
               .order_by("-created_at", "-id").first())
    if payment is not None:
        escrow_hold(payment_id=payment.pk, amount=Money(payment.amount, payment.currency), memo="team purchase")


def _release(order: Order) -> None:
    for payment in Payment.objects.filter(order=order):
        held = ledger_sums(payment_id=payment.pk).in_escrow
        if held > 0:
            escrow_release(payment_id=payment.pk, amount=Money(held, payment.currency), memo="team purchase")


# --- the fulfilment port (orders.fulfilment) ----------------------------------------------------------------

class TeamFulfilment:
    """Orders of fulfilment `team`: paid and held until the team is full; then served by vouchers."""

    kind: str = KIND

    def on_paid(self, *, order: Any) -> None:
        member = TeamMember.objects.get(order=order)
        team = _locked_team(member)
        if member.status == TeamMemberStatus.RELEASED:
            # Paid after its hold ran out (payments took the units again): a place if one is still free.
            now = timezone.now()
            if Team.objects.filter(pk=team.pk, status=TeamStatus.OPEN, expires_at__gt=now,
                                   seats__lt=F("size")).update(seats=F("seats") + 1, updated_at=now):
                team.seats += 1
            else:
                _move(member, TeamMemberStatus.OVERFLOW, reason="paid after the place was given up")
                _hold(order)
                orders.order_fulfilment_move(order=order, to="waiting", reason="paid too late: to be refunded")
                transaction.on_commit(partial(_enqueue, team_refund_task, str(order.pk)))
                return
        _move(member, TeamMemberStatus.PAID, reason="paid")
        _hold(order)
        orders.order_fulfilment_move(order=order, to="waiting", reason="waiting for the team")
        Team.objects.filter(pk=team.pk).update(paid=F("paid") + 1, updated_at=timezone.now())
        team.paid += 1
        if team.status == TeamStatus.OPEN and team.paid >= team.size:
            _team_move(team, TeamStatus.COMPLETE, reason="every member paid", extra={"completed_at": timezone.now()})
            transaction.on_commit(partial(_enqueue, team_issue_task, str(team.pk)))

    def on_released(self, *, order: Any) -> None:
        member = TeamMember.objects.filter(order=order, status=TeamMemberStatus.RESERVED).first()
        if member is None:
            return
        _locked_team(member)
        _move(member, TeamMemberStatus.RELEASED, reason=f"order {order.status}")
        Team.objects.filter(pk=member.team_id, seats__gt=0).update(seats=F("seats") - 1, updated_at=timezone.now())

    def units_owned(self, *, customer: Any, offering_id: UUID) -> int:
        return TeamMember.objects.filter(customer=customer, team__deal__offering_id=offering_id,
                                         status__in=HOLDING).count()

    def refund_units(self, *, order: Any, unit_ids: Sequence[Any] | None, actor: Any) -> list[RefundedUnit]:
        member = TeamMember.objects.get(order=order)
        if member.status == TeamMemberStatus.PAID and Team.objects.filter(
                pk=member.team_id, status=TeamStatus.COMPLETE).exists():
            _issue_member(member, order)  # complete, its vouchers not issued yet: issued now, then refunded
            member.refresh_from_db()
        if member.status == TeamMemberStatus.ISSUED:
            return VoucherFulfilment().refund_units(order=order, unit_ids=unit_ids, actor=actor)
        if member.status not in HOLDING:
            return []
        if unit_ids is not None and str(member.pk) not in {str(u) for u in unit_ids}:
            return []
        team = _locked_team(member)
        if member.status == TeamMemberStatus.PAID:  # its place is freed (an open team takes another buyer)
            Team.objects.filter(pk=team.pk).update(seats=F("seats") - 1, paid=F("paid") - 1, updated_at=timezone.now())
        _release(order)
        _move(member, TeamMemberStatus.REFUNDED, reason="refunded before the team completed", actor=actor)
        orders.order_fulfilment_move(order=order, to="cancelled", actor=actor, reason="left or team failed")
        line = order.lines.get()
        return [RefundedUnit(unit_id=member.pk, offering_id=line.offering_id, unit_price=line.unit_price,
                             line_id=line.pk)]

    def units_left(self, *, order: Any) -> bool:
        member = TeamMember.objects.filter(order=order).first()
        if member is None:
            return False
        if member.status == TeamMemberStatus.ISSUED:
            return VoucherFulfilment().units_left(order=order)
        return member.status in HOLDING

    def live_units_by_offering(self) -> Counter[UUID]:
        # issued members' units are vouchers, which the voucher fulfilment counts
        return Counter({row["team__deal__offering_id"]: row["n"] for row in
                        TeamMember.objects.filter(status__in=HOLDING).values("team__deal__offering_id")
                        .annotate(n=Count("id"))})

    def units_of_order(self, *, order: Any) -> int:
        n = VoucherFulfilment().units_of_order(order=order)
        return n or sum(ln.quantity for ln in order.lines.all())

    def orphans(self) -> int:
        return TeamMember.objects.filter(status__in=HOLDING).filter(~Q(order__status__in=PAID_STATUSES)).count()


# --- completion and failure ------------------------------------------------------------------------------

def _issue_member(member: TeamMember, order: Order) -> bool:
    """Inside a transaction holding the member's order: its vouchers, its money out of escrow."""
    if member.status != TeamMemberStatus.PAID:
        return False
    vouchers_issue(order=order)
    _release(order)
    _move(member, TeamMemberStatus.ISSUED, reason="team complete")
    orders.order_fulfilment_move(order=order, to="issued", reason="team complete: vouchers issued")
    return True


def team_issue(*, team_id: Any) -> int:
    """Issue the vouchers of every paid member of a complete team, each order in its own transaction
    (idempotent: an issued member is skipped). Answers how many orders were issued."""
    n = 0
    if not Team.objects.filter(pk=as_uuid(team_id), status=TeamStatus.COMPLETE).exists():
        return 0
    for member_id in TeamMember.objects.filter(team_id=as_uuid(team_id), status=TeamMemberStatus.PAID).values_list(
            "pk", flat=True):
        with transaction.atomic():
            member = TeamMember.objects.get(pk=member_id)
            order = Order.objects.select_for_update().get(pk=member.order_id)
            member.refresh_from_db()
            if order.status == OrderStatus.PAID and _issue_member(member, order):
                n += 1
    return n


def teams_sweep(*, now: datetime | None = None, limit: int = 200) -> dict[str, int]:
    """The worker's pass: open teams past their time fail; every paid member of a failed team and every
    member who paid too late is refunded; complete teams with members still unissued are issued. Each
    step in transactions of its own; one that fails is logged and the rest go on."""
    now = now or timezone.now()
    counts = {"failed": 0, "refunded": 0, "issued": 0, "errors": 0}
    for team in Team.objects.filter(status=TeamStatus.OPEN, expires_at__lte=now)[:limit]:
        with transaction.atomic():
            team = Team.objects.select_for_update().get(pk=team.pk)
            if team.status == TeamStatus.OPEN:
                _team_move(team, TeamStatus.FAILED, reason="not filled in time")
                counts["failed"] += 1
    due = TeamMember.objects.filter(Q(status=TeamMemberStatus.PAID, team__status=TeamStatus.FAILED)
                                    | Q(status=TeamMemberStatus.OVERFLOW)).values_list("order_id", flat=True)
    for order_id in list(due[:limit]):
        try:
            counts["refunded"] += team_refund_order(order_id=order_id)
        except Exception:  # noqa: BLE001 - one bad row never stops the others; the next pass retries
            log.exception("could not refund team order %s", order_id)
            counts["errors"] += 1
    for team_id in (TeamMember.objects.filter(status=TeamMemberStatus.PAID, team__status=TeamStatus.COMPLETE)
                    .values_list("team_id", flat=True).distinct()[:limit]):
        counts["issued"] += team_issue(team_id=team_id)
    return counts


def team_refund_order(*, order_id: Any) -> int:
    """Refund a team member's whole order (the team failed, or they paid too late); 1 if refunded."""
    order = Order.objects.select_related("customer").get(pk=as_uuid(order_id))
    if order.status not in (OrderStatus.PAID, OrderStatus.PARTIALLY_REFUNDED):
        return 0
    member = TeamMember.objects.get(order=order)
    if member.status not in HOLDING:
        return 0
    order_refund(customer=order.customer, order_id=order.pk)
    return 1


def _enqueue(fn: Any, arg: str) -> None:
    try:
        fn.enqueue(arg)
    except Exception:  # a queue outage: the worker's sweep does it on its next pass
        log.exception("could not enqueue %s(%s)", getattr(fn, "name", fn), arg)


@task()
def team_issue_task(team_id: str) -> int:
    return team_issue(team_id=team_id)


@task()
def team_refund_task(order_id: str) -> int:
    return team_refund_order(order_id=order_id)


def team_view(team: Team) -> dict[str, Any]:
    """Counts for the team's page and API."""
    members = list(TeamMember.objects.filter(team=team).exclude(
        status__in=[TeamMemberStatus.RELEASED, TeamMemberStatus.REFUNDED, TeamMemberStatus.OVERFLOW])
        .select_related("customer").order_by("created_at"))
    return {"members": members, "left": max(team.size - team.seats, 0)}
