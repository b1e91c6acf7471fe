"""Analytics: every dashboard's figures, read from the other apps' records.

It owns the merchant dashboard's numbers (deals sold/redeemed/refunded/left, redemptions per store
and per day, recent orders, revenue per currency over today / 7 / 30 days in the merchant's own
timezone), the figures per campaign placement, and the event stream (models.Event): the domain apps
append to it through o2o.core.events, whose writer this app registers. It sits at the top of the
layers: it may read merchants, catalogue, orders, payments and vouchers; none of them imports it.
"""
from django.apps import AppConfig


class AnalyticsConfig(AppConfig):
    name = "o2o.analytics"
    label = "analytics"

    def ready(self) -> None:
        from o2o.analytics import tasks  # noqa: F401  (registers its periodic tasks: o2o.core.schedule)
        from o2o.analytics.models import write_event
        from o2o.core.events import register_writer

        register_writer(write_event)
