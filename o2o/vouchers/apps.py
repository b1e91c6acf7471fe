from django.apps import AppConfig


class VouchersConfig(AppConfig):
    name = "o2o.vouchers"
    label = "vouchers"
