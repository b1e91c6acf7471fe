from django.apps import AppConfig


class PaymentsConfig(AppConfig):
    name = "o2o.payments"
    label = "payments"

    def ready(self) -> None:
        from o2o.payments import tasks  # noqa: F401  (registers its periodic tasks: o2o.core.schedule)
