"""The capacity app's configuration."""

from django.apps import AppConfig


class CapacityConfig(AppConfig):
    name = "o2o.capacity"
    label = "capacity"
