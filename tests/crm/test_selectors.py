"""people_needing_news: people between campaigns whose own stay-in-touch cadence is due."""

import datetime

import pytest

from campaigns.models import Stage
from crm.models import Influencer
from crm.selectors import people_needing_news
from tests.factories import InfluencerFactory, RelationshipFactory

TODAY = datetime.date(2026, 3, 2)


def _person(name: str, due_in_days: int | None, **fields) -> Influencer:
    fields.setdefault("cadence_days", 30)
    due = None if due_in_days is None else TODAY + datetime.timedelta(days=due_in_days)
    return InfluencerFactory(name=name, next_contact_due=due, **fields)


@pytest.fixture
def community(db, bob, dave):
    people = {
        "overdue": _person("Overdue", -3, owner=bob),
        "due today": _person("Due today", 0, owner=bob),
        "due in a week": _person("Due in a week", 7, owner=dave),
        "due in 8 days": _person("Due in 8 days", 8, owner=bob),
        "no cadence": _person("No cadence", -3, cadence_days=None, owner=bob),
        "on a campaign": _person("On a campaign", -3, owner=bob),
        "only shortlisted": _person("Only shortlisted", -1, owner=bob),
        "after a campaign": _person("After a campaign", -1, owner=bob),
        "opted out": _person("Opted out", -3, consent=Influencer.Consent.OPTED_OUT, owner=bob),
    }
    RelationshipFactory(influencer=people["on a campaign"], stage=Stage.ACTIVE)
    RelationshipFactory(influencer=people["only shortlisted"], stage=Stage.SHORTLISTED)
    RelationshipFactory(influencer=people["after a campaign"], stage=Stage.CLOSED)
    return people


def test_it_lists_people_between_campaigns_whose_cadence_is_due_soon(community):
    people = people_needing_news(today=TODAY)

    assert [(p.name, p.is_overdue) for p in people] == [
        ("Overdue", True),
        ("After a campaign", True),
        ("Only shortlisted", True),
        ("Due today", False),
        ("Due in a week", False),
    ]


def test_a_person_due_today_is_due_but_not_yet_overdue(community):
    people = {p.name: p.is_overdue for p in people_needing_news(today=TODAY, soon_days=0)}

    assert people["Due today"] is False
    assert people["Overdue"] is True


def test_it_lists_only_an_owners_people(community, bob, dave):
    assert {p.name for p in people_needing_news(owner=dave, today=TODAY)} == {"Due in a week"}
    assert {p.name for p in people_needing_news(owner=bob, today=TODAY, soon_days=0)} == {
        "Overdue",
        "Due today",
        "After a campaign",
        "Only shortlisted",
    }


def test_the_window_ahead_is_a_parameter(community):
    names = {p.name for p in people_needing_news(today=TODAY, soon_days=8)}

    assert "Due in 8 days" in names
