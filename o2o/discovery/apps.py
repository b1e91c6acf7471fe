from django.apps import AppConfig


class DiscoveryConfig(AppConfig):
    name = "o2o.discovery"
    label = "discovery"

    def ready(self) -> None:
        # Every write of a field the index copies re-indexes its stores in the same transaction
        # (merchants.models offers the hook; discovery reads merchants, never the other way round).
        from o2o.discovery.services import search_index_stores
        from o2o.merchants.models import register_store_indexer

        register_store_indexer(search_index_stores)
        from o2o.discovery import tasks  # noqa: F401  (registers its periodic tasks: o2o.core.schedule)
