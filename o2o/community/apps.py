from django.apps import AppConfig


class CommunityConfig(AppConfig):
    name = "o2o.community"
    label = "community"

    def ready(self) -> None:
        from o2o.community import tasks  # noqa: F401 - registers the email task
