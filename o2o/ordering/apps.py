from django.apps import AppConfig


class OrderingConfig(AppConfig):
    name = "o2o.ordering"
    label = "ordering"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from o2o.ordering.fulfilment import DineInFulfilment, PickupFulfilment
        from o2o.orders import fulfilment

        fulfilment.register(PickupFulfilment())
        fulfilment.register(DineInFulfilment())
