from django.apps import AppConfig


class DiscoveryConfig(AppConfig):
    name = "o2o.discovery"
    label = "discovery"
