from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "o2o.accounts"
    label = "accounts"

    def ready(self) -> None:
        from o2o.accounts import tasks  # noqa: F401  (registers its periodic tasks: o2o.core.schedule)
