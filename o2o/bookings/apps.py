"""The bookings app's configuration."""

from django.apps import AppConfig


class BookingsConfig(AppConfig):
    name = "o2o.bookings"
    label = "bookings"
