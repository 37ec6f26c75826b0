"""Old sent messages lose their text after MESSAGE_BODY_RETENTION_DAYS; the rows (and everything unsent) stay."""

import datetime as dt

import pytest
from django.conf import settings

from messaging import tasks
from messaging.models import Message
from messaging.retention import message_bodies_purge
from tests.factories import paris
from tests.messaging.factories import MessageFactory

pytestmark = pytest.mark.django_db

NOW = paris(2026, 3, 4, 3, 30)
Status = Message.Status


@pytest.fixture
def now(time_machine):
    time_machine.move_to(NOW, tick=False)
    return NOW


def sent(days_ago: float, **fields) -> Message:
    at = NOW - dt.timedelta(days=days_ago)
    return MessageFactory(status=Status.SENT, send_at=at, sent_at=at, subject="For Léa", body="Dear Léa,", **fields)


@pytest.fixture
def outbox(now, lea, bob, settings):
    settings.MESSAGE_BODY_RETENTION_DAYS = 365
    return {
        "old": [sent(400, influencer=lea), sent(366, influencer=lea), sent(365.01, influencer=lea)],
        "old_reminder": sent(500, kind=Message.Kind.REMINDER, influencer=lea, to_user=bob, recipient=bob.email),
        "recent": [sent(364.99, influencer=lea), sent(1, influencer=lea)],
        "unsent": [
            MessageFactory(influencer=lea, status=status, send_at=NOW - dt.timedelta(days=400), body="Dear Léa,")
            for status in (Status.SCHEDULED, Status.FAILED, Status.CANCELLED)
        ],
    }


def texts(messages: list[Message]) -> list[tuple[str, str]]:
    return [(m.subject, m.body) for m in Message.objects.filter(pk__in=[m.pk for m in messages]).order_by("pk")]


def test_messages_sent_longer_ago_than_the_retention_lose_their_subject_and_body(outbox, now):
    assert message_bodies_purge() == 4

    assert texts(outbox["old"]) == [("", "")] * 3
    assert texts([outbox["old_reminder"]]) == [("", "")], "a reminder to the team names the person too"
    assert texts(outbox["recent"]) == [("For Léa", "Dear Léa,")] * 2
    assert [(m.subject, m.body) for m in outbox["unsent"]] == texts(outbox["unsent"])


def test_the_purged_rows_stay_with_their_kind_status_dates_and_recipient(outbox, now):
    message_bodies_purge()

    old = Message.objects.get(pk=outbox["old"][0].pk)
    assert (old.kind, old.status, old.recipient, old.sent_at, old.updated_at) == (
        "follow_up",
        "sent",
        "lea@example.org",
        NOW - dt.timedelta(days=400),
        NOW,
    )
    assert Message.objects.count() == 9


def test_purging_twice_purges_nothing_the_second_time(outbox, now):
    assert message_bodies_purge() == 4
    assert message_bodies_purge() == 0


@pytest.mark.parametrize("batch_size", [1, 3, 4, 1000])
def test_every_old_message_is_purged_whatever_the_batch_size(outbox, now, batch_size):
    assert message_bodies_purge(batch_size=batch_size) == 4
    assert Message.objects.filter(status=Status.SENT).exclude(body="").count() == 2


def test_a_retention_of_0_days_keeps_every_text(outbox, now, settings):
    settings.MESSAGE_BODY_RETENTION_DAYS = 0

    assert message_bodies_purge() == 0
    assert not Message.objects.filter(body="").exists()


def test_a_shorter_retention_purges_more(outbox, now, settings):
    settings.MESSAGE_BODY_RETENTION_DAYS = 30

    assert message_bodies_purge() == 5  # every sent one but yesterday's


def test_the_daily_task_runs_the_purge_and_beat_schedules_it(outbox, now):
    assert tasks.purge_old_message_bodies.apply().get() == 4
    entry = settings.CELERY_BEAT_SCHEDULE["messaging-retention"]
    assert (entry["task"], entry["schedule"]) == ("messaging.tasks.purge_old_message_bodies", dt.timedelta(days=1))
