"""members: coupons, per-merchant member cards and the append-only points ledger (earn, spend, expire,
take back on refund), tiers, referrals and team purchases (the `team` fulfilment)."""
from django.apps import AppConfig


class MembersConfig(AppConfig):
    name = "o2o.members"
    label = "members"

    def ready(self) -> None:
        from o2o.members import hooks as members_hooks
        from o2o.members import tasks  # noqa: F401 - registers the periodic expiry of points, tiers, teams
        from o2o.members.teams import TeamFulfilment
        from o2o.orders import fulfilment, hooks

        fulfilment.register(TeamFulfilment())

        hooks.register(paid=members_hooks.on_paid, refunded=members_hooks.on_refunded,
                       released=members_hooks.on_released)
