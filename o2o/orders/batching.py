"""Batched checkout: the checkouts that arrive together in one process share one transaction.

(Named so that it cannot be confused with group-buy deals; settings still call it GROUP_CHECKOUT,
env O2O_GROUP_CHECKOUT.)

A flash sale puts hundreds of buyers on one deal at once. Bucketed stock (catalogue.stock) keeps them
from queueing on one hot row, but each checkout alone still costs a handful of round trips and its own
commit, and on a small machine that is the ceiling. So, as PostgreSQL's group commit and the hot-row
batching of AliSQL / PolarDB do, concurrent checkouts of one process are written together
(leader/follower): the first caller that finds no batch running becomes the leader, takes every
one-line checkout queued meanwhile (up to MAX_BATCH) and writes them in one transaction:

- one read of the offerings; each request that fails a rule (not for sale) gets its own error;
- the customers with a per-customer limit locked in one query (in id order), the limit counted over
  what each already holds plus what the batch's earlier requests of the same customer took;
- one stock take per offering for the batch's total (a conditional UPDATE, never below zero);
- one multi-row insert each for orders, lines and events, and one commit.

Nobody waits for a window: a request joins whatever batch forms while the previous one commits, so at
low load a batch holds one checkout. When an offering cannot give the batch's total (its last units)
or the batch's transaction fails for any reason (an order-number collision, a deadlock), the
checkouts concerned run one by one through the plain path, which decides sold_out unit by unit.
A caller already inside a transaction always takes the plain path: its writes must roll back with it.
Checkouts of several lines take the plain path as well.
"""

from __future__ import annotations

import logging
import threading
from collections import defaultdict, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from uuid import UUID

from django.db import DatabaseError, connection, transaction

from o2o.accounts.models import User
from o2o.catalogue.stock import buckets_for, stock_take
from o2o.core import conf
from o2o.core.errors import DomainError
from o2o.orders.checkout import (
    Source,
    as_written,
    checkout_total,
    default_store_ids,
    limit_exceeded,
    new_order_rows,
    not_for_sale,
    offerings_for_sale,
    units_held,
)
from o2o.orders.events import orders_placed_append
from o2o.orders.holds import orders_expire_due
from o2o.orders.models import Order, OrderEvent, OrderLine

log = logging.getLogger(__name__)
MAX_BATCH = 64

Plain = Callable[[User, dict[UUID, int], datetime, Source], Order]


@dataclass(eq=False)
class Checkout:
    customer: User
    offering_id: UUID
    quantity: int
    now: datetime
    source: Source = field(default_factory=Source)
    done: threading.Event = field(default_factory=threading.Event)
    order: Order | None = None
    error: BaseException | None = None

    @property
    def wanted(self) -> dict[UUID, int]:
        return {self.offering_id: self.quantity}


@dataclass
class Stats:
    """What the batches of this process held (for the benchmark and the tests)."""

    batches: int = 0
    checkouts: int = 0
    largest: int = 0
    fallbacks: int = 0


stats = Stats()
_queue: deque[Checkout] = deque()
_leader = threading.Lock()


def eligible(wanted: dict[UUID, int]) -> bool:
    return len(wanted) == 1 and conf.get().group_checkout and not connection.in_atomic_block


def order_create_grouped(*, customer: User, offering_id: UUID, quantity: int, now: datetime,
                         plain: Plain, source: Source | None = None) -> Order:
    """Queue one checkout and return its order (or raise its error) once some leader has written it."""
    req = Checkout(customer=customer, offering_id=offering_id, quantity=quantity, now=now,
                   source=source or Source())
    _queue.append(req)
    while not req.done.is_set():
        if _leader.acquire(timeout=0.05):
            try:
                # Holding the lock, an undone request of ours is still in the queue: lead until it is done.
                while not req.done.is_set():
                    batch = [_queue.popleft() for _ in range(min(len(_queue), MAX_BATCH))]
                    run_batch(batch, plain=plain)
            finally:
                _leader.release()
    if req.error is not None:
        raise req.error
    assert req.order is not None
    return req.order


def run_batch(batch: list[Checkout], *, plain: Plain) -> None:
    """Write a batch and answer every checkout in it (each gets its order or its error)."""
    if not batch:
        return
    stats.batches += 1
    stats.checkouts += len(batch)
    stats.largest = max(stats.largest, len(batch))
    one_by_one: list[Checkout] = []
    try:
        try:
            orders_expire_due(offering_ids={r.offering_id for r in batch}, now=max(r.now for r in batch))
            answers, one_by_one = _write(batch)
        except Exception as exc:  # noqa: BLE001 - whatever went wrong, each checkout is tried on its own
            level = logging.INFO if isinstance(exc, DatabaseError) else logging.ERROR
            log.log(level, "grouped checkout of %d runs one by one", len(batch), exc_info=True)
            answers, one_by_one = {}, list(batch)
        for req, answer in answers.items():  # the batch has committed (or refused these before writing)
            if isinstance(answer, Order):
                req.order = answer
            else:
                req.error = answer
            req.done.set()
        stats.fallbacks += len(one_by_one)
        for req in one_by_one:
            try:
                req.order = plain(req.customer, req.wanted, req.now, req.source)
            except Exception as exc:  # its own answer (sold_out, a database error) goes to its caller
                req.error = exc
            req.done.set()
    finally:
        for req in batch:  # never leave a caller waiting, whatever happened above
            if not req.done.is_set():
                req.error = req.error or RuntimeError("checkout was not completed")
                req.done.set()


def _write(batch: list[Checkout]) -> tuple[dict[Checkout, Order | Exception], list[Checkout]]:
    answers: dict[Checkout, Order | Exception] = {}
    with transaction.atomic():
        offerings = offerings_for_sale({r.offering_id for r in batch})
        for req in batch:
            if req.offering_id not in offerings:
                answers[req] = not_for_sale(req.offering_id)
                continue
            try:  # a total that does not fit the money columns is refused before anything is written
                checkout_total(wanted=req.wanted, offerings=offerings)
            except DomainError as exc:
                answers[req] = exc
        live = [r for r in batch if r not in answers]
        limited = [r for r in live if offerings[r.offering_id].per_customer_limit]
        if limited:
            # As the plain path: one limited checkout per customer at a time (here: this batch's).
            pks = sorted({r.customer.pk for r in limited})
            list(User.objects.select_for_update().filter(pk__in=pks).order_by("pk").values_list("pk", flat=True))
            held: dict[tuple[object, UUID], int] = {}
            for req in limited:
                key = (req.customer.pk, req.offering_id)
                if key not in held:
                    held[key] = units_held(customer=req.customer, offering_id=req.offering_id, now=req.now)
                limit = offerings[req.offering_id].per_customer_limit
                if held[key] + req.quantity > limit:
                    answers[req] = limit_exceeded(offering_id=req.offering_id, limit=limit, held=held[key])
                else:
                    held[key] += req.quantity
        accepted = [r for r in live if r not in answers]
        by_offering: dict[UUID, list[Checkout]] = defaultdict(list)
        for req in accepted:
            by_offering[req.offering_id].append(req)
        one_by_one: list[Checkout] = []
        for oid in sorted(by_offering):  # offerings in one order, as the plain path takes them
            reqs = by_offering[oid]
            if not stock_take(offering_id=oid, n=sum(r.quantity for r in reqs),
                              buckets_hint=buckets_for(offerings[oid].quantity_total)):
                one_by_one += reqs  # the last units: decided one checkout at a time
        writing = [r for r in accepted if r not in one_by_one]
        store_ids = default_store_ids({r.offering_id for r in writing}) if writing else {}
        rows = [new_order_rows(customer=r.customer, wanted=r.wanted, offerings=offerings, now=r.now,
                               store_ids=store_ids, source=r.source) for r in writing]
        Order.objects.bulk_create([order for order, _lines, _event in rows])
        OrderLine.objects.bulk_create([line for _order, lines, _event in rows for line in lines])
        OrderEvent.objects.bulk_create([event for _order, _lines, event in rows])
        orders_placed_append([(order, [ln.offering_id for ln in lines]) for order, lines, _event in rows])
        answers.update(zip(writing, (as_written(order, lines=lines) for order, lines, _event in rows), strict=True))
    return answers, one_by_one
