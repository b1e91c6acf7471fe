from django.core.management.base import BaseCommand

from o2o.discovery.services import refresh_density, refresh_popularity


class Command(BaseCommand):
    help = "Recount each store's redemptions of the last 30 days (popularity sort) and the density map."

    def handle(self, *args, **options):  # type: ignore[no-untyped-def]
        n = refresh_popularity()
        cells = refresh_density()
        self.stdout.write(self.style.SUCCESS(f"Popularity of {n} stores, density of {cells} cells refreshed"))
