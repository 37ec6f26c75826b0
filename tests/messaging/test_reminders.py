"""The reminder sweep: one reminder per relationship or person per due date, never after a touch."""

import datetime

import pytest
from django.core import mail

from campaigns.models import Stage
from crm.services import contact_log
from messaging import delivery
from messaging.models import Message, Profile
from messaging.reminders import reminders_queue
from tests.factories import InfluencerFactory, RelationshipFactory

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 3, 2)


def test_it_reminds_the_owner_of_an_overdue_relationship_once_per_due_date(now, active):
    active.next_contact_due = TODAY - datetime.timedelta(days=3)
    active.save()

    assert reminders_queue() == 1
    assert reminders_queue() == 0  # harmless to run more often than scheduled

    message = Message.objects.get()
    assert (message.kind, message.recipient, message.relationship, message.due_on) == (
        "reminder", "bob@team.example", active, TODAY - datetime.timedelta(days=3),
    )  # fmt: skip
    assert message.subject == "Time to give Léa Martin news (Spring range)"


def test_it_reminds_about_a_person_between_campaigns_by_their_own_cadence(now, bob):
    ambassador = InfluencerFactory(name="Noé", owner=bob, cadence_days=30, next_contact_due=TODAY)

    assert reminders_queue() == 1
    assert Message.objects.get().influencer == ambassador


def test_it_does_not_remind_what_is_not_due_yet_or_closed_or_unowned(now, active, spring, bob):
    active.next_contact_due = TODAY + datetime.timedelta(days=1)
    active.save()
    RelationshipFactory(
        campaign=spring, owner=bob, stage=Stage.CLOSED, next_contact_due=TODAY - datetime.timedelta(days=9)
    )
    RelationshipFactory(
        campaign=spring, owner=None, stage=Stage.ACTIVE, next_contact_due=TODAY - datetime.timedelta(days=9)
    )

    assert reminders_queue() == 0


def test_a_new_due_date_gets_its_own_reminder(now, active, time_machine):
    active.next_contact_due = TODAY
    active.save()
    reminders_queue()
    active.next_contact_due = TODAY + datetime.timedelta(days=14)
    active.save()
    time_machine.move_to(now + datetime.timedelta(days=14), tick=False)

    assert reminders_queue() == 1
    assert Message.objects.filter(kind="reminder").count() == 2


def test_a_reminder_never_fires_for_a_relationship_touched_since_it_was_due(
    now, active, lea, bob, monkeypatch, django_capture_on_commit_callbacks
):
    active.next_contact_due = TODAY - datetime.timedelta(days=2)
    active.save()
    reminders_queue()
    contact_log(influencer=lea, by=bob, kind="call", direction="outbound", summary="Called her about the shoot")

    sent = []
    monkeypatch.setattr(delivery, "_enqueue", lambda task, ids, token, report: sent.extend((pk, token) for pk in ids))
    with django_capture_on_commit_callbacks(execute=True):
        delivery.dispatch()

    assert [delivery.deliver(pk, token) for pk, token in sent] == ["cancelled"]
    assert mail.outbox == []
    assert Message.objects.get().last_error == "Contacted or closed since it was due."


@pytest.mark.parametrize("size", [2, 8])
def test_the_sweep_costs_the_same_queries_for_two_reminders_or_eight(
    now, spring, bob, dave, size, django_assert_num_queries
):
    # The owners' language comes with the rows (a Profile each): no query per reminder.
    for owner in (bob, dave):
        Profile.objects.create(user=owner, language="fr")
    for i in range(size):
        RelationshipFactory(
            campaign=spring,
            owner=(bob, dave)[i % 2],
            stage=Stage.ACTIVE,
            next_contact_due=TODAY - datetime.timedelta(days=1),
        )
        InfluencerFactory(owner=(bob, dave)[i % 2], cadence_days=30, next_contact_due=TODAY)

    # One scan, then the due relationships and the due people read whole, then one insert.
    with django_assert_num_queries(4):
        assert reminders_queue() == 2 * size


def test_a_sweep_that_finds_nothing_new_is_one_query(now, spring, bob, django_assert_num_queries):
    RelationshipFactory(
        campaign=spring, owner=bob, stage=Stage.ACTIVE, next_contact_due=TODAY - datetime.timedelta(days=1)
    )
    InfluencerFactory(owner=bob, cadence_days=30, next_contact_due=TODAY)
    assert reminders_queue() == 2

    # What beat repeats every ten minutes: the scan alone, relationships' and people's clocks in one query.
    with django_assert_num_queries(1):
        assert reminders_queue() == 0
