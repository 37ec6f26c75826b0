"""Influencer.email_key: the address as compared (crm.addresses.email_key), unique instead of LOWER(email).

LOWER() folds only ASCII on SQLite, so "uni@EXÄMPLE.com" and "uni@exämple.com" were two people there; neither
database unified composed and decomposed letters. The key is filled here from every address; the directory's search
of e-mails reads it, so its trigram index (PostgreSQL, see 0006) moves to it.
"""

from django.db import migrations, models

import crm.models.people
from crm.addresses import email_key

CHUNK = 2000


def fill_keys(apps, schema_editor):
    Influencer = apps.get_model("crm", "Influencer")
    people = Influencer.objects.using(schema_editor.connection.alias)
    # Read first, then written: SQLite does not isolate a cursor being read from writes to its table.
    addresses = list(people.exclude(email="").order_by("pk").values_list("pk", "email"))
    seen: dict[str, int] = {}
    twins: list[str] = []
    keyed = []
    for pk, email in addresses:
        key = email_key(email)
        if key in seen:
            twins.append(f"#{seen[key]} and #{pk} ({email})")
        else:
            seen[key] = pk
            keyed.append(Influencer(pk=pk, email_key=key))
    people.bulk_update(keyed, ["email_key"], batch_size=CHUNK)
    if twins:
        # Which of two records is the person is a human decision (the admin's "Merge" action makes it).
        raise RuntimeError(
            "These records have the same e-mail address, spelt differently (case or Unicode form): merge each pair "
            "in the admin (People, \"Merge the selected people\") with the previous version, then migrate again: "
            + "; ".join(twins[:50])
            + (f"; and {len(twins) - 50} more" if len(twins) > 50 else "")
        )


def move_search_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS crm_infl_email_trgm_idx")
        schema_editor.execute(
            "CREATE INDEX IF NOT EXISTS crm_infl_email_key_trgm_idx ON crm_influencer USING gin (email_key gin_trgm_ops)"
        )


def move_search_index_back(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS crm_infl_email_key_trgm_idx")
        schema_editor.execute(
            "CREATE INDEX IF NOT EXISTS crm_infl_email_trgm_idx ON crm_influencer USING gin (UPPER(email) gin_trgm_ops)"
        )


class Migration(migrations.Migration):
    dependencies = [("crm", "0011_numbers_in_bounds")]

    operations = [
        migrations.AddField(
            model_name="influencer",
            name="email_key",
            field=crm.models.people.EmailKeyField(source="email", verbose_name="e-mail, as compared"),
        ),
        migrations.RunPython(fill_keys, migrations.RunPython.noop, elidable=False),
        migrations.RemoveConstraint(model_name="influencer", name="crm_influencer_email_ci_unique"),
        migrations.AddConstraint(
            model_name="influencer",
            constraint=models.UniqueConstraint(
                condition=~models.Q(email_key=""),
                fields=("email_key",),
                name="crm_influencer_email_key_unique",
                violation_error_message="Someone in the directory already has this e-mail.",
            ),
        ),
        migrations.RunPython(move_search_index, move_search_index_back, elidable=False),
    ]
