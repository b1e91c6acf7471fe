from django.db import migrations, models

# Hours of the week each place is closed for sure (o2o.discovery.openness.closed_hours), so that an
# open-now search drops those rows in SQL. On PostgreSQL the covering indexes carry them too; rebuilt here.
COVER = "visible, lat, lng, store_id, tz, week, closed"
INDEXES = {f"disc_place_r{r}_cover": f"h3_r{r}, category" for r in (6, 8, 10, 12)}


def fill(apps, schema_editor):
    from o2o.discovery.openness import HOUR_WORDS, closed_hours

    Place = apps.get_model("discovery", "Place")
    for week in Place.objects.values_list("week", flat=True).distinct():
        masks = closed_hours(week)
        Place.objects.filter(week=week).update(**{f"closed_h{i}": masks[i] for i in range(HOUR_WORDS)})


def covering(include):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for name, key in INDEXES.items():
            schema_editor.execute(f"DROP INDEX IF EXISTS {name}")
            schema_editor.execute(f"CREATE INDEX {name} ON discovery_place ({key}) INCLUDE ({include})")
    return run


class Migration(migrations.Migration):
    dependencies = [("discovery", "0003_covering_coarse_cells")]
    operations = [
        migrations.AddField("place", "closed_h0", models.BigIntegerField(default=0)),
        migrations.AddField("place", "closed_h1", models.BigIntegerField(default=0)),
        migrations.AddField("place", "closed_h2", models.BigIntegerField(default=0)),
        migrations.RunPython(fill, migrations.RunPython.noop),
        migrations.RunPython(covering(f"{COVER}, closed_h0, closed_h1, closed_h2"), covering(COVER)),
    ]
