"""The bookings app's configuration."""

from django.apps import AppConfig


class BookingsConfig(AppConfig):
    name = "o2o.bookings"
    label = "bookings"

    def ready(self) -> None:
        from o2o.bookings import tasks  # noqa: F401  (registers its periodic tasks: o2o.core.schedule)
        from o2o.bookings.fulfilment import BookingFulfilment
        from o2o.orders import fulfilment

        fulfilment.register(BookingFulfilment())
