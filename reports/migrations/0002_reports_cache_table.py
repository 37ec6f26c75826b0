"""The table the "reports" cache keeps computed reports in (settings.CACHES, reports.cache).

Django makes a database cache's table with `createcachetable`; running it from a migration makes the table wherever
the schema is made (make run, the containers, the test and bench databases) with nothing else to remember.
"""

from django.core.management import call_command
from django.db import migrations

TABLE = "reports_cache"


def create_table(apps, schema_editor):
    call_command("createcachetable", TABLE, database=schema_editor.connection.alias, verbosity=0)


def drop_table(apps, schema_editor):
    schema_editor.execute(f"DROP TABLE IF EXISTS {schema_editor.quote_name(TABLE)}")


class Migration(migrations.Migration):
    dependencies = [("reports", "0001_initial")]

    operations = [migrations.RunPython(create_table, drop_table)]
