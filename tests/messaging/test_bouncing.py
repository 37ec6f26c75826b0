"""Nothing goes to an address that bounces: queuing refuses it, the sender fails it, the digest lists it."""

import datetime

import pytest
from django.core import mail
from django.core.exceptions import ValidationError

from campaigns.services import relationship_close
from crm.models import BouncingAddress, InfluencerAddress
from messaging import delivery
from messaging.models import Message
from messaging.reminders import digests_queue
from messaging.services import follow_up_schedule
from tests.factories import InfluencerFactory, paris

pytestmark = pytest.mark.django_db


def bounce(email: str, **fields) -> BouncingAddress:
    fields = {"status": "5.1.1", "diagnostic": "user unknown", "since": paris(2026, 2, 20, 9, 0)} | fields
    return BouncingAddress.objects.create(email=email, **fields)


def claimed(django_capture_on_commit_callbacks, enqueued) -> list[str]:
    with django_capture_on_commit_callbacks(execute=True):
        delivery.dispatch()
    return [delivery.deliver(pk, token) for pk, token in enqueued]


def test_it_refuses_to_schedule_a_follow_up_to_a_bouncing_address(now, lea, bob):
    bounce("LEA@example.org")

    with pytest.raises(ValidationError) as refused:
        follow_up_schedule(
            influencer=lea, by=bob, subject="News", body="Hello", send_at=now + datetime.timedelta(days=1)
        )

    assert refused.value.message_dict["influencer"] == [
        "The address bounces: LEA@example.org since 2026-02-20 (5.1.1 user unknown)."
    ]
    assert not Message.objects.exists()


def test_closing_with_a_bouncing_address_skips_the_thank_you_and_says_why(now, active, bob):
    active.pitched_at = now
    active.save()
    bounce("lea@example.org", status="", diagnostic="")

    relationship_close(relationship=active, by=bob, outcome="completed")

    active.refresh_from_db()
    assert active.thank_you == "skipped"
    assert active.thank_you_skip_reason == "The address bounces: lea@example.org since 2026-02-20."
    assert not Message.objects.filter(kind="thank_you").exists()


def test_a_thank_you_to_an_address_that_bounced_since_it_was_queued_fails_with_the_reason(
    now, due_thank_you, enqueued, django_capture_on_commit_callbacks
):
    bounce("lea@example.org")

    assert claimed(django_capture_on_commit_callbacks, enqueued) == ["failed"]

    due_thank_you.refresh_from_db()
    assert due_thank_you.status == "failed"
    assert due_thank_you.last_error == "The address bounces: lea@example.org since 2026-02-20 (5.1.1 user unknown)."
    assert mail.outbox == []


def test_a_message_queued_to_an_old_address_that_bounces_fails_though_the_new_one_does_not_bounce(
    now, due_thank_you, lea, enqueued, django_capture_on_commit_callbacks
):
    bounce("lea@example.org")
    lea.email = "lea@new.example"
    lea.save()

    assert claimed(django_capture_on_commit_callbacks, enqueued) == ["failed"]
    assert mail.outbox == []


def test_a_bounce_of_another_address_of_theirs_does_not_stop_mail_to_the_main_one(
    now, due_thank_you, lea, enqueued, django_capture_on_commit_callbacks
):
    InfluencerAddress.objects.create(influencer=lea, email="lea@old.example")
    bounce("lea@old.example")

    assert claimed(django_capture_on_commit_callbacks, enqueued) == ["sent"]
    assert [m.to for m in mail.outbox] == [["lea@example.org"]]


def test_an_opt_out_still_cancels_rather_than_fails_a_message_to_a_bouncing_address(
    now, due_thank_you, lea, enqueued, django_capture_on_commit_callbacks
):
    bounce("lea@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        delivery.dispatch()
    lea.consent = "opted_out"
    lea.save()

    assert [delivery.deliver(pk, token) for pk, token in enqueued] == ["cancelled"]


def test_the_digest_lists_my_people_whose_address_bounces(time_machine, bob, dave):
    time_machine.move_to(paris(2026, 3, 2, 8, 5), tick=False)
    InfluencerFactory(name="Léa Martin", email="lea@example.org", owner=bob)
    InfluencerFactory(name="Tom Durand", email="tom@example.org", owner=dave)
    bounce("lea@example.org")
    bounce("tom@example.org")

    digests_queue()

    body = Message.objects.get(kind="digest", to_user=bob).body
    assert "Mail to these people bounces: find another address:" in body
    assert "- Léa Martin · lea@example.org · since" in body
    assert "5.1.1 user unknown" in body
    assert "Tom Durand" not in body
