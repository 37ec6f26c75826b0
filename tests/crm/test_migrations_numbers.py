"""The migrations that bound the cadences bring rows saved before the bound into it (SQLite took any integer)."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("crm", "0010_import_redundant_indexes"), ("campaigns", "0007_reports_indexes")]
AFTER = [("crm", "0011_numbers_in_bounds"), ("campaigns", "0008_cadence_in_bounds")]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.fixture
def back_to_the_latest_schema():
    """The test leaves the database at AFTER: later tests in this process need every later migration again."""
    yield
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


@pytest.mark.django_db(transaction=True)
def test_cadences_saved_before_the_bound_are_brought_into_it(back_to_the_latest_schema):
    apps = _migrate(BEFORE)
    Influencer = apps.get_model("crm", "Influencer")
    Relationship = apps.get_model("campaigns", "Relationship")
    Campaign, Brand = apps.get_model("campaigns", "Campaign"), apps.get_model("campaigns", "Brand")
    campaign = Campaign.objects.create(brand=Brand.objects.create(name="Maison"), name="Spring")
    people = {
        days: Influencer.objects.create(name=f"Person {days}", cadence_days=days) for days in (0, 30, 3651, 32767)
    }
    for days, person in people.items():
        Relationship.objects.create(influencer=person, campaign=campaign, cadence_days=days)

    apps = _migrate(AFTER)

    Influencer = apps.get_model("crm", "Influencer")
    Relationship = apps.get_model("campaigns", "Relationship")
    assert dict(Influencer.objects.values_list("name", "cadence_days")) == {
        "Person 0": None,
        "Person 30": 30,
        "Person 3651": 3650,
        "Person 32767": 3650,
    }
    assert sorted(Relationship.objects.values_list("cadence_days", flat=True)) == [1, 30, 3650, 3650]
