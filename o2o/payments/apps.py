from django.apps import AppConfig


class PaymentsConfig(AppConfig):
    name = "o2o.payments"
    label = "payments"
