"""Values the services keep as things happen, so that the reports read them instead of working them out each time.

Contact.replied_at: on an outbound contact, when the person's first inbound contact after it happened (the
responsiveness report). StageChange.left_at: when the stay that change began ended, i.e. the next change (the
pipeline's days in each stage). Every writer keeps them right: the services, back-dated contacts, a merge, an
erasure, a deletion from the admin, the demo's story and the benchmark's bulk builder; the refresh functions (the
data migrations' backfill) give the same values.
"""

import datetime

import pytest
from django.urls import reverse

from bench.dataset import Sizes, build
from campaigns.models import Outcome, Relationship, StageChange
from campaigns.services import (
    relationship_accept,
    relationship_close,
    relationship_deliver,
    relationship_pitch,
    relationship_shortlist,
    stage_stays_refresh,
)
from crm.models import Contact, Exchange
from crm.services import contact_log, contact_replies_refresh
from crm.services.merge import influencer_merge
from desk.privacy.erasure import influencer_erase
from tests.factories import CampaignFactory, ContactFactory, ExchangeFactory, InfluencerFactory, paris

NOW = paris(2026, 3, 20, 10, 0)


def at(day: int, hour: int = 10) -> datetime.datetime:
    return paris(2026, 3, day, hour, 0)


@pytest.fixture
def now(time_machine):
    time_machine.move_to(NOW, tick=False)
    return NOW


@pytest.fixture
def lea(db):
    return InfluencerFactory(name="Léa", email="lea@example.org", topics=["lifestyle"])


def log(person, by, direction: str, when: datetime.datetime) -> Contact:
    return contact_log(
        influencer=person, by=by, kind=Contact.Kind.EMAIL, direction=direction, summary="News", occurred_at=when
    ).contact


def replies(person) -> dict:
    """{occurred_at: replied_at} of the person's outbound contacts."""
    return dict(
        Contact.objects.filter(influencer=person, direction=Contact.Direction.OUTBOUND).values_list(
            "occurred_at", "replied_at"
        )
    )


# --- Contact.replied_at ---------------------------------------------------------------------------------------


def test_an_inbound_contact_answers_every_earlier_outbound_one_not_answered_yet(now, lea, bob):
    log(lea, bob, "outbound", at(1))
    log(lea, bob, "outbound", at(3))
    reply = log(lea, bob, "inbound", at(5))
    log(lea, bob, "outbound", at(8))
    log(lea, bob, "inbound", at(10))  # answers 8 March only: the earlier ones had their answer

    assert replies(lea) == {at(1): at(5), at(3): at(5), at(8): at(10)}
    assert reply.replied_at is None  # an inbound contact answers, it is not answered


def test_an_outbound_contact_logged_late_finds_the_reply_already_logged(now, lea, bob):
    log(lea, bob, "inbound", at(5))
    log(lea, bob, "inbound", at(9))

    log(lea, bob, "outbound", at(4))  # back-dated, before the 5 March reply
    log(lea, bob, "outbound", at(12))  # after every reply: unanswered

    assert replies(lea) == {at(4): at(5), at(12): None}


def test_a_back_dated_inbound_contact_becomes_the_first_reply_only_of_what_came_before_it(now, lea, bob):
    log(lea, bob, "outbound", at(1))
    log(lea, bob, "outbound", at(4))
    log(lea, bob, "inbound", at(10))

    log(lea, bob, "inbound", at(3))  # logged late: it answered 1 March, not 4 March

    assert replies(lea) == {at(1): at(3), at(4): at(10)}


def test_a_reply_at_the_same_instant_does_not_answer(now, lea, bob):
    log(lea, bob, "outbound", at(1))
    log(lea, bob, "inbound", at(1))

    assert replies(lea) == {at(1): None}


def test_someone_elses_reply_answers_nothing(now, lea, bob):
    log(lea, bob, "outbound", at(1))
    log(InfluencerFactory(name="Marc"), bob, "inbound", at(2))

    assert replies(lea) == {at(1): None}


def test_after_a_merge_a_reply_on_one_record_answers_the_outbound_contacts_of_the_other(now, alice, bob):
    survivor, duplicate = InfluencerFactory(name="Léa Martin"), InfluencerFactory(name="Lea M.")
    log(survivor, bob, "outbound", at(1))
    log(duplicate, bob, "inbound", at(2))
    log(duplicate, bob, "outbound", at(6))
    log(survivor, bob, "inbound", at(9))

    influencer_merge(survivor=survivor, duplicate=duplicate, by=alice)

    assert replies(survivor) == {at(1): at(2), at(6): at(9)}


def test_erasure_keeps_who_answered_what(now, lea, alice, bob):
    log(lea, bob, "outbound", at(1))
    log(lea, bob, "inbound", at(2))

    influencer_erase(influencer=lea, by=alice)

    assert replies(lea) == {at(1): at(2)}


def test_deleting_a_reply_in_the_admin_leaves_the_contacts_it_answered_to_the_next_one(now, lea, alice, bob, client):
    log(lea, bob, "outbound", at(1))
    first = log(lea, bob, "inbound", at(2))
    second = log(lea, bob, "inbound", at(7))
    client.force_login(alice)

    response = client.post(reverse("admin:crm_contact_delete", args=[first.pk]), {"post": "yes"})
    assert response.status_code == 302
    assert replies(lea) == {at(1): at(7)}

    response = client.post(
        reverse("admin:crm_contact_changelist"),
        {"action": "delete_selected", "_selected_action": [second.pk], "post": "yes"},
    )
    assert response.status_code == 302
    assert replies(lea) == {at(1): None}


def test_the_admin_keeps_a_logged_contacts_direction(now, lea, alice, bob, client):
    contact = log(lea, bob, "outbound", at(1))
    client.force_login(alice)

    page = client.get(reverse("admin:crm_contact_change", args=[contact.pk]))

    assert 'name="direction"' not in page.content.decode()


def test_the_refresh_gives_what_the_services_kept(now, lea, bob):
    marc = InfluencerFactory(name="Marc")
    for person, direction, day in [
        (lea, "outbound", 1), (lea, "inbound", 4), (lea, "outbound", 2), (lea, "outbound", 6), (lea, "inbound", 3),
        (marc, "outbound", 2), (marc, "inbound", 2), (marc, "outbound", 5), (marc, "inbound", 8),
    ]:  # fmt: skip
        log(person, bob, direction, at(day))
    kept = dict(Contact.objects.values_list("pk", "replied_at"))
    Contact.objects.update(replied_at=None)

    assert contact_replies_refresh() == 5  # the outbound contacts
    assert dict(Contact.objects.values_list("pk", "replied_at")) == kept
    assert set(kept.values()) == {at(3), at(8), None}


def test_the_refresh_can_be_limited_to_some_people(db, lea, bob):
    ContactFactory(influencer=lea, direction="outbound", occurred_at=at(1))
    ContactFactory(influencer=lea, direction="inbound", occurred_at=at(2))
    marc = InfluencerFactory(name="Marc")
    ContactFactory(influencer=marc, direction="outbound", occurred_at=at(1))
    ContactFactory(influencer=marc, direction="inbound", occurred_at=at(2))

    contact_replies_refresh(influencer_ids=[lea.pk])

    assert (replies(lea), replies(marc)) == ({at(1): at(2)}, {at(1): None})


# --- StageChange.left_at --------------------------------------------------------------------------------------


def stays(relationship) -> list[tuple]:
    return list(
        StageChange.objects.filter(relationship=relationship)
        .order_by("changed_at", "pk")
        .values_list("to_stage", "changed_at", "left_at")
    )


def test_each_move_ends_the_stay_in_the_stage_it_leaves(time_machine, lea, bob):
    spring = CampaignFactory(name="Spring", topics=["lifestyle"])
    time_machine.move_to(at(1), tick=False)
    relationship = relationship_shortlist(influencer=lea, campaign=spring, by=bob)
    time_machine.move_to(at(3), tick=False)
    relationship = relationship_pitch(relationship=relationship, by=bob)
    time_machine.move_to(at(6), tick=False)
    relationship = relationship_accept(relationship=relationship, by=bob)
    ExchangeFactory(influencer=lea, relationship=relationship, direction=Exchange.Direction.GET)
    time_machine.move_to(at(10), tick=False)
    relationship = relationship_deliver(relationship=relationship, by=bob)

    assert stays(relationship) == [
        ("shortlisted", at(1), at(3)),
        ("pitched", at(3), at(6)),
        ("active", at(6), at(10)),
        ("delivered", at(10), None),  # still there
    ]

    time_machine.move_to(at(15), tick=False)
    relationship_close(relationship=relationship, by=bob, outcome=Outcome.COMPLETED, skip_reason="Said thanks")

    assert stays(relationship)[-2:] == [("delivered", at(10), at(15)), ("closed", at(15), None)]


def test_erasure_closes_the_open_stay_like_any_close(time_machine, lea, alice, bob):
    spring = CampaignFactory(name="Spring", topics=["lifestyle"])
    time_machine.move_to(at(1), tick=False)
    relationship = relationship_shortlist(influencer=lea, campaign=spring, by=bob)
    time_machine.move_to(at(4), tick=False)

    influencer_erase(influencer=lea, by=alice)

    assert stays(relationship) == [("shortlisted", at(1), at(4)), ("closed", at(4), None)]


def test_a_move_at_the_same_instant_ends_nothing_the_next_one_ends_both(time_machine, lea, bob):
    spring = CampaignFactory(name="Spring", topics=["lifestyle"])
    time_machine.move_to(at(1), tick=False)
    relationship = relationship_pitch(
        relationship=relationship_shortlist(influencer=lea, campaign=spring, by=bob), by=bob
    )
    time_machine.move_to(at(5), tick=False)
    relationship_accept(relationship=relationship, by=bob)

    assert stays(relationship) == [("shortlisted", at(1), at(5)), ("pitched", at(1), at(5)), ("active", at(5), None)]


def test_the_stays_refresh_gives_what_the_lifecycle_kept(time_machine, lea, bob):
    spring, autumn = CampaignFactory(name="Spring", topics=["lifestyle"]), CampaignFactory(name="Autumn")
    time_machine.move_to(at(1), tick=False)
    first = relationship_shortlist(influencer=lea, campaign=spring, by=bob)
    second = relationship_shortlist(influencer=lea, campaign=autumn, by=bob)
    time_machine.move_to(at(2), tick=False)
    relationship_pitch(relationship=first, by=bob)
    time_machine.move_to(at(7), tick=False)
    relationship_close(relationship=second, by=bob, outcome=Outcome.DROPPED, skip_reason="Off")
    kept = dict(StageChange.objects.values_list("pk", "left_at"))
    StageChange.objects.update(left_at=None)

    stage_stays_refresh(relationships=Relationship.objects.filter(pk=first.pk))
    assert [left for _, _, left in stays(first)] == [at(2), None]
    assert [left for _, _, left in stays(second)] == [None, None]

    stage_stays_refresh()
    assert dict(StageChange.objects.values_list("pk", "left_at")) == kept


# --- The bulk writers -----------------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_the_benchmarks_data_set_holds_the_kept_values_as_the_services_would():
    build(sizes=Sizes.scaled(0.001), log=lambda *args: None)
    written = (
        dict(Contact.objects.values_list("pk", "replied_at")),
        dict(StageChange.objects.values_list("pk", "left_at")),
    )
    assert any(written[0].values()) and any(written[1].values())

    contact_replies_refresh()
    stage_stays_refresh()

    assert written == (
        dict(Contact.objects.values_list("pk", "replied_at")),
        dict(StageChange.objects.values_list("pk", "left_at")),
    )
