"""contact_log for the mailbox: one mail is one contact per person, and an automatic reply is logged only."""

import datetime

import pytest

from campaigns.models import Relationship, Stage
from crm.models import Contact, Influencer
from crm.services import contact_log
from messaging.models import Message
from messaging.services import follow_up_schedule
from tests.factories import InfluencerFactory, RelationshipFactory, paris

MAIL = "CAJ8kP2x=q4v5Nn1s@mail.gmail.com"


@pytest.fixture
def now(time_machine):
    moment = paris(2026, 3, 2, 10, 0)
    time_machine.move_to(moment, tick=False)
    return moment


@pytest.fixture
def lea(db):
    return InfluencerFactory(name="Léa", cadence_days=30, next_contact_due=datetime.date(2026, 2, 20))


def _mail(lea, by, **kwargs):
    fields = {"kind": "email", "direction": "inbound", "summary": "Re: Spring — Yes!", "message_id": MAIL}
    return contact_log(influencer=lea, by=by, **{**fields, **kwargs})


def test_it_logs_one_mail_once_per_person_whoever_reads_it(now, lea, bob, dave):
    first = _mail(lea, bob)
    # The same mail read again in dave's mailbox, or a minute later with a summary worked out anew.
    again = _mail(lea, dave, summary="Re: Spring", occurred_at=now - datetime.timedelta(minutes=1))

    assert first.created and not again.created
    assert again.contact == first.contact
    assert Contact.objects.filter(message_id=MAIL).count() == 1


def test_it_logs_the_same_mail_once_for_each_person_it_concerns(now, lea, bob):
    noe = InfluencerFactory(name="Noé")

    _mail(lea, bob, direction="outbound")
    _mail(noe, bob, direction="outbound")

    assert Contact.objects.filter(message_id=MAIL).count() == 2


def test_an_automatic_reply_resets_no_clock(now, lea, bob):
    active = RelationshipFactory(influencer=lea, stage=Stage.ACTIVE, next_contact_due=datetime.date(2026, 2, 25))

    touch = _mail(lea, bob, automatic=True, relationship=active)

    assert touch.created and touch.contact.automatic
    assert Relationship.objects.get(pk=active.pk).next_contact_due == datetime.date(2026, 2, 25)
    person = Influencer.objects.get(pk=lea.pk)
    assert person.next_contact_due == datetime.date(2026, 2, 20)
    assert person.last_contact_at is None


def test_an_automatic_reply_cancels_no_follow_up(now, lea, bob):
    follow_up = follow_up_schedule(
        influencer=lea, by=bob, subject="News", body="Hi", send_at=paris(2026, 3, 3, 10), cancel_if_reply=True
    )

    _mail(lea, bob, automatic=True)

    follow_up.refresh_from_db()
    assert follow_up.status == Message.Status.SCHEDULED


def test_an_automatic_inbound_mail_does_not_answer_an_outbound_one(now, lea, bob):
    pitch = _mail(
        lea, bob, direction="outbound", message_id="pitch@team.example", occurred_at=now - datetime.timedelta(hours=2)
    )

    _mail(lea, bob, automatic=True)

    pitch.contact.refresh_from_db()
    assert pitch.contact.replied_at is None


def test_an_outbound_mail_logged_late_is_not_answered_by_an_automatic_reply(now, lea, bob):
    _mail(lea, bob, automatic=True, occurred_at=now - datetime.timedelta(hours=1))

    late = _mail(
        lea, bob, direction="outbound", message_id="pitch@team.example", occurred_at=now - datetime.timedelta(hours=2)
    )

    assert late.contact.replied_at is None


def test_a_real_reply_answers_it_and_cancels_the_follow_up(now, lea, bob):
    pitch = _mail(
        lea, bob, direction="outbound", message_id="pitch@team.example", occurred_at=now - datetime.timedelta(hours=2)
    )
    follow_up = follow_up_schedule(
        influencer=lea, by=bob, subject="News", body="Hi", send_at=paris(2026, 3, 3, 10), cancel_if_reply=True
    )

    _mail(lea, bob)

    pitch.contact.refresh_from_db()
    follow_up.refresh_from_db()
    assert pitch.contact.replied_at == now
    assert follow_up.status == Message.Status.CANCELLED
