from django.db import migrations, models

# PostgreSQL only: covering indexes so the dense-area cell queries are index-only scans
INDEXES = {
    f"disc_place_r{r}_cover": (f"h3_r{r}, category", "visible, lat, lng, store_id, tz, week, closed")
    for r in (10, 12)
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
    dependencies = [("discovery", "0001_initial")]
    operations = [
        # derived data (rebuilt by discovery_reindex / discovery_popularity): drop and recreate
        migrations.DeleteModel(name="DensityCell"),
        migrations.CreateModel(
            name="DensityCell",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("cell", models.BigIntegerField()),
                ("category", models.CharField(blank=True, max_length=20)),
                ("n", models.PositiveIntegerField()),
            ],
            options={"constraints": [models.UniqueConstraint(fields=("cell", "category"),
                                                             name="disc_density_cell_category")]},
        ),
        migrations.RunPython(create, drop),
    ]
