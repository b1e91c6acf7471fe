"""The table of the database cache (config/settings.py uses it when REDIS_URL is empty), so that
`migrate` alone, as `make demo` and the tests run it, gives every server process one shared cache.
Does nothing when the configured caches are not database caches (Redis)."""

from django.core.management import call_command
from django.db import migrations


def create_cache_table(apps, schema_editor):
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]

    operations = [migrations.RunPython(create_cache_table, migrations.RunPython.noop, elidable=False)]
