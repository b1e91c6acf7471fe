from django.apps import AppConfig


class OrdersConfig(AppConfig):
    name = "o2o.orders"
    label = "orders"

    def ready(self) -> None:
        from o2o.orders import tasks  # noqa: F401  (registers its periodic tasks: o2o.core.schedule)
