"""Editing a relationship's owner and cadence: a new cadence restarts the clock of a stage that runs on it."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from campaigns.models import Stage
from campaigns.services import relationship_accept, relationship_pitch, relationship_shortlist, relationship_update
from tests.factories import CampaignFactory, InfluencerFactory, RelationshipFactory, paris

MONDAY = paris(2026, 3, 2, 10, 0)


@pytest.fixture
def now(time_machine):
    time_machine.move_to(MONDAY, tick=False)
    return MONDAY


@pytest.fixture
def lea(db):
    return InfluencerFactory(name="Léa", email="lea@example.org", topics=["lifestyle"])


def _active(stage: str = Stage.ACTIVE, **fields):
    return RelationshipFactory(stage=stage, cadence_days=14, next_contact_due=datetime.date(2026, 3, 9), **fields)


def test_a_new_cadence_restarts_an_active_relationships_clock_from_its_last_contact(now, bob):
    rel = _active(accepted_at=paris(2026, 2, 10), last_contact_at=paris(2026, 2, 23, 16))

    rel = relationship_update(relationship=rel, by=bob, cadence_days=30)

    assert (rel.cadence_days, rel.next_contact_due) == (30, datetime.date(2026, 3, 25))  # 23 Feb + 30 days
    rel.refresh_from_db()
    assert rel.next_contact_due == datetime.date(2026, 3, 25)


def test_the_clock_restarts_from_the_acceptance_when_it_came_after_the_last_contact(now, bob):
    rel = _active(stage=Stage.DELIVERED, last_contact_at=paris(2026, 2, 20), accepted_at=paris(2026, 2, 24))

    rel = relationship_update(relationship=rel, by=bob, cadence_days=7)

    assert rel.next_contact_due == datetime.date(2026, 3, 3)  # accepted 24 Feb + 7 days


def test_with_no_contact_nor_acceptance_recorded_the_clock_restarts_today(now, bob):
    rel = _active()

    rel = relationship_update(relationship=rel, by=bob, cadence_days=3)

    assert rel.next_contact_due == datetime.date(2026, 3, 5)


def test_it_is_the_same_arithmetic_as_accepting(now, lea, bob):
    rel = relationship_shortlist(influencer=lea, campaign=CampaignFactory(topics=["lifestyle"]), by=bob)
    rel = relationship_accept(relationship=relationship_pitch(relationship=rel, by=bob), by=bob, cadence_days=10)
    accepted_due = rel.next_contact_due

    rel = relationship_update(relationship=rel, by=bob, cadence_days=12)
    rel = relationship_update(relationship=rel, by=bob, cadence_days=10)

    assert rel.next_contact_due == accepted_due


@pytest.mark.parametrize(
    ("stage", "due"),
    [
        (Stage.SHORTLISTED, None),  # no clock: the person does not know yet
        (Stage.PITCHED, datetime.date(2026, 3, 9)),  # the pitch's follow-up, whatever the cadence
        (Stage.CLOSED, None),
    ],
)
def test_a_new_cadence_leaves_a_stage_without_a_cadence_clock_as_it_was(now, bob, stage, due):
    rel = RelationshipFactory(stage=stage, cadence_days=14, next_contact_due=due, last_contact_at=paris(2026, 2, 27))

    rel = relationship_update(relationship=rel, by=bob, cadence_days=5)

    assert (rel.cadence_days, rel.next_contact_due) == (5, due)


def test_the_same_cadence_or_a_new_owner_leaves_the_clock_alone(now, bob):
    rel = _active(last_contact_at=paris(2026, 2, 23))

    rel = relationship_update(relationship=rel, by=bob, cadence_days=14, owner=bob)

    assert (rel.owner, rel.next_contact_due) == (bob, datetime.date(2026, 3, 9))


@pytest.mark.parametrize("cadence", [0, 3651, None, "soon"])
def test_a_cadence_out_of_bounds_is_refused_on_its_field_and_nothing_changes(now, bob, cadence):
    rel = _active(last_contact_at=paris(2026, 2, 23))

    with pytest.raises(ValidationError) as refused:
        relationship_update(relationship=rel, by=bob, cadence_days=cadence, owner=bob)

    assert list(refused.value.message_dict) == ["cadence_days"]
    rel.refresh_from_db()
    assert (rel.cadence_days, rel.owner, rel.next_contact_due) == (14, None, datetime.date(2026, 3, 9))


def test_the_lifecycle_fields_are_not_for_editing(now, bob):
    rel = _active()

    with pytest.raises(TypeError, match="stage"):
        relationship_update(relationship=rel, by=bob, stage=Stage.CLOSED)


def test_the_history_names_who_edited_it(now, bob):
    rel = _active()

    relationship_update(relationship=rel, by=bob, cadence_days=21)

    assert rel.history.latest().history_user == bob
