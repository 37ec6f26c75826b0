from django.db import migrations

# The responsiveness report reads the outbound contacts of a range with who logged them, the person and the answer:
# on PostgreSQL an index-only scan of the outbound contacts alone (SQLite cannot hold the INCLUDE columns).
OUTBOUND_INDEX = (
    "CREATE INDEX crm_contact_outbound_idx ON crm_contact (occurred_at) "
    "INCLUDE (logged_by_id, influencer_id, relationship_id, replied_at) WHERE direction = 'outbound'"
)


def create_outbound_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(OUTBOUND_INDEX)


def drop_outbound_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS crm_contact_outbound_idx")


class Migration(migrations.Migration):

    dependencies = [
        ("crm", "0008_reports_kept_values"),
    ]

    operations = [
        migrations.RunPython(create_outbound_index, drop_outbound_index),
    ]
