from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations

# The directory's search (crm.selectors.matching_people) is `UPPER(column) LIKE '%TEXT%'` on names, e-mails and
# channel handles: a B-tree cannot serve a LIKE that starts with a wildcard, a trigram GIN index on the same
# expression can. PostgreSQL only: SQLite has no trigram index, and scans (TrigramExtension does nothing there).
SEARCH_INDEXES = {
    "crm_infl_name_trgm_idx": "crm_influencer (UPPER(name) gin_trgm_ops)",
    "crm_infl_email_trgm_idx": "crm_influencer (UPPER(email) gin_trgm_ops)",
    "crm_channel_handle_trgm_idx": "crm_channel (UPPER(handle) gin_trgm_ops)",
}


def create_search_indexes(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for name, target in SEARCH_INDEXES.items():
            table, expression = target.split(" ", 1)
            schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {table} USING gin {expression}")


def drop_search_indexes(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for name in SEARCH_INDEXES:
            schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("crm", "0005_pages_indexes")]

    operations = [
        TrigramExtension(),
        migrations.RunPython(create_search_indexes, drop_search_indexes, elidable=False),
    ]
