import time

from django.core.management.base import BaseCommand

from o2o.discovery.services import reindex_all


class Command(BaseCommand):
    help = "Rebuild the discovery index (places, words, density) from all stores, in bulk."

    def handle(self, *args, **options):  # type: ignore[no-untyped-def]
        t0 = time.perf_counter()
        n = reindex_all(progress=lambda k: self.stdout.write(f"  {k} stores", ending="\r") if k % 100000 == 0 else None)
        self.stdout.write(self.style.SUCCESS(f"Indexed {n} stores in {time.perf_counter() - t0:.1f} s"))
