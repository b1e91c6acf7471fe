from django.apps import AppConfig


class VouchersConfig(AppConfig):
    name = "o2o.vouchers"
    label = "vouchers"

    def ready(self) -> None:
        from o2o.orders import fulfilment
        from o2o.vouchers.fulfilment import VoucherFulfilment

        fulfilment.register(VoucherFulfilment())
