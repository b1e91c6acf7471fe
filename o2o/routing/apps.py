from django.apps import AppConfig


class RoutingConfig(AppConfig):
    name = "o2o.routing"
    label = "routing"
    verbose_name = "Routing"
