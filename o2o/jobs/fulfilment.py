"""The `job` fulfilment (orders.fulfilment's port): a job order has one unit, the job itself; paying it
(its deposit) holds the deposit in escrow and starts the job, in the transaction that marks it paid.
A job is never refunded by units: its money leaves escrow milestone by milestone (jobs.escrow)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any
from uuid import UUID

from o2o.orders.fulfilment import RefundedUnit


class JobFulfilment:
    kind = "job"

    def on_paid(self, *, order: Any) -> None:
        from o2o.jobs.escrow import escrow_sync, fulfil_towards
        from o2o.jobs.models import Job

        job_id = Job.objects.filter(order_id=order.pk).values_list("pk", flat=True).first()
        if job_id is not None:
            escrow_sync(job_id=job_id)
        fulfil_towards(order, "scheduled", actor=None)

    def units_owned(self, *, customer: Any, offering_id: UUID) -> int:
        return 0  # a job has no per-customer limit

    def refund_units(self, *, order: Any, unit_ids: Sequence[Any] | None, actor: Any) -> list[RefundedUnit]:
        return []  # nothing to refund by units: escrow refunds milestones (jobs.escrow.dispute_decide)

    def units_left(self, *, order: Any) -> bool:
        return True

    def live_units_by_offering(self) -> Counter[UUID]:
        return Counter()  # job offerings keep no stock (orders.books leaves them out)

    def units_of_order(self, *, order: Any) -> int:
        return sum(order.lines.values_list("quantity", flat=True))

    def orphans(self) -> int:
        return 0
