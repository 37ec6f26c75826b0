"""The morning digest: 8:00 in each marketer's time zone, on working days, once a day."""

import datetime

import pytest

from crm.models import Feed
from messaging.models import Message, Profile
from messaging.reminders import digests_queue
from tests.factories import ChannelFactory, InfluencerFactory, paris

pytestmark = pytest.mark.django_db


@pytest.fixture
def montreal_dave(dave):
    Profile.objects.create(user=dave, timezone="America/Montreal", language="en")
    return dave


def test_each_marketer_gets_a_digest_from_8_in_their_own_time_zone(time_machine, bob, montreal_dave, carol):
    time_machine.move_to(paris(2026, 3, 2, 8, 5), tick=False)  # Monday 8:05 in Paris, 2:05 in Montréal

    assert digests_queue() == 1
    assert list(Message.objects.values_list("kind", "recipient")) == [("digest", "bob@team.example")]

    time_machine.move_to(paris(2026, 3, 2, 14, 0), tick=False)  # 8:00 in Montréal
    assert digests_queue() == 1
    assert Message.objects.filter(recipient="dave@team.example").count() == 1


def test_it_is_queued_once_a_day_however_often_it_runs(time_machine, bob):
    time_machine.move_to(paris(2026, 3, 2, 8, 0), tick=False)
    digests_queue()
    time_machine.move_to(paris(2026, 3, 2, 17, 0), tick=False)
    digests_queue()

    assert Message.objects.filter(kind="digest").count() == 1


def test_there_is_no_digest_at_the_weekend_or_before_8(time_machine, bob):
    time_machine.move_to(paris(2026, 3, 7, 9, 0), tick=False)  # Saturday
    assert digests_queue() == 0
    time_machine.move_to(paris(2026, 3, 9, 7, 59), tick=False)  # Monday, 7:59
    assert digests_queue() == 0


def test_viewers_get_no_digest(time_machine, carol):
    time_machine.move_to(paris(2026, 3, 2, 9, 0), tick=False)

    assert digests_queue() == 0


def test_it_lists_who_needs_news_and_what_failed(time_machine, bob, active, lea):
    time_machine.move_to(paris(2026, 3, 2, 8, 30), tick=False)
    active.next_contact_due = datetime.date(2026, 2, 25)
    active.save()
    Message.objects.create(
        kind="follow_up", recipient="lea@example.org", influencer=lea, relationship=active, subject="Any news?",
        body="…", send_at=paris(2026, 3, 1), status="failed", last_error="SMTPRecipientsRefused: 550 No such user",
        key="f1", message_id="<f1@x>", created_by=bob,
    )  # fmt: skip
    InfluencerFactory(name="Sam", owner=bob, cadence_days=30, next_contact_due=datetime.date(2026, 3, 2))

    digests_queue()

    body = Message.objects.get(kind="digest").body
    assert "- Léa Martin · Spring range · Feb. 25, 2026 (overdue)" in body
    assert "- Sam · between campaigns · March 2, 2026" in body
    assert "follow-up · lea@example.org · Any news?: SMTPRecipientsRefused: 550 No such user" in body


def test_it_lists_the_broken_feeds_of_their_people_only(time_machine, bob, dave):
    time_machine.move_to(paris(2026, 3, 2, 8, 0), tick=False)
    mine = ChannelFactory(influencer=InfluencerFactory(name="Camille", owner=bob), platform="blog", handle="carnets")
    theirs = ChannelFactory(influencer=InfluencerFactory(name="Omar", owner=dave), platform="blog", handle="omar")
    since = paris(2026, 2, 27)
    Feed.objects.create(channel=mine, url="https://carnets.example/feed", broken_at=since, last_error="HTTP 410.")
    Feed.objects.create(channel=theirs, url="https://omar.example/feed", broken_at=since)
    Feed.objects.create(channel=ChannelFactory(influencer__owner=bob), url="https://ok.example/feed")

    digests_queue()

    body = Message.objects.get(to_user=bob).body
    assert "These feeds are broken" in body
    assert "- Camille · blog carnets · since Feb. 27, 2026 · HTTP 410." in body
    assert "Omar" not in body and "ok.example" not in body
