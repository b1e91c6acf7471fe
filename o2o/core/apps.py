from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "o2o.core"
    label = "core"

    def ready(self) -> None:
        from o2o.core import tasks  # noqa: F401  (registers its periodic tasks: o2o.core.schedule)
