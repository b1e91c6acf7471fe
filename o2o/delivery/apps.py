from django.apps import AppConfig


class DeliveryConfig(AppConfig):
    name = "o2o.delivery"
    label = "delivery"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from o2o.delivery import tasks  # noqa: F401  (registers the dispatch round)
        from o2o.delivery.fulfilment import DeliveryFulfilment, on_refunded, on_released
        from o2o.orders import fulfilment, hooks

        fulfilment.register(DeliveryFulfilment())
        hooks.register(refunded=on_refunded, released=on_released)
