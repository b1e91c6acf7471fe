from django.apps import AppConfig


class AnalyticsConfig(AppConfig):
    name = "o2o.analytics"
    label = "analytics"
