from django.db import migrations

# PostgreSQL only: the coarse cells get covering indexes too. A filtered query (a category, open now) in a
# sparse part of the city reads res-6 / res-8 cells, and without them fetched every row from the heap:
# on 1M stores that was its p99 (2.7x PostGIS; 1.9x with these).
INDEXES = {
    f"disc_place_r{r}_cover": (f"h3_r{r}, category", "visible, lat, lng, store_id, tz, week, closed")
    for r in (6, 8)
}


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, (key, include) in INDEXES.items():
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON discovery_place ({key}) INCLUDE ({include})")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("discovery", "0002_density_by_category_covering")]
    operations = [migrations.RunPython(create, drop)]
