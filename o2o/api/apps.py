from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "o2o.api"
    label = "api"
