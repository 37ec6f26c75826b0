"""Rows first: what puts a message in the outbox, and what makes a second copy impossible."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import translation

from campaigns.models import ThankYou
from campaigns.services import relationship_close, thank_you_skip_reason
from core.validators import CLOCK_SKEW
from crm.models import Contact, Influencer
from crm.services import contact_log
from crm.services.consent import influencer_opt_out
from messaging.emails import thank_you_preview
from messaging.forms import _clean_send_at
from messaging.models import Message
from messaging.selectors import thank_you_queued
from messaging.services import (
    follow_up_refusal,
    follow_up_schedule,
    message_cancel,
    message_edit,
    message_queue,
    thank_you_queue,
    thank_you_refusal,
)
from tests.factories import CampaignFactory

pytestmark = pytest.mark.django_db


def test_closing_queues_one_thank_you_that_waits_for_the_delay(now, active, bob, settings):
    settings.THANK_YOU_DELAY_MINUTES = 60

    relationship_close(relationship=active, by=bob, outcome="completed")

    message = Message.objects.get()
    assert (message.kind, message.recipient, message.status) == ("thank_you", "lea@example.org", "scheduled")
    assert message.send_at == now + datetime.timedelta(minutes=60)
    assert message.key == f"thank_you:{active.pk}"
    assert message.language == "fr"
    assert message.subject == "Merci pour Spring range !"
    assert message.body.startswith("Bonjour Léa Martin,")


def test_the_thank_you_lists_the_open_campaigns_that_fit_the_person(now, active, bob):
    CampaignFactory(name="Summer kitchen", topics=["food"])
    CampaignFactory(name="Marathon", topics=["sport"])

    relationship_close(relationship=active, by=bob, outcome="completed")

    body = Message.objects.get().body
    assert "Summer kitchen" in body
    assert "Marathon" not in body
    assert "Spring range" in body


def test_the_close_dialogs_preview_is_the_thank_you_the_outbox_writes(now, active, bob):
    summer = CampaignFactory(name="Summer kitchen", topics=["food"])

    preview = thank_you_preview(relationship=active, sender=bob)
    relationship_close(relationship=active, by=bob, outcome="completed")

    message = Message.objects.get()
    assert (preview.subject, preview.body) == (message.subject, message.body)
    assert preview.fitting == [summer]
    assert preview.language == "French"  # named in the reader's language (English here)


def test_the_queued_thank_you_is_found_until_it_goes_or_is_cancelled(now, active, bob):
    assert thank_you_queued(relationship=active) is None

    relationship_close(relationship=active, by=bob, outcome="completed")
    queued = thank_you_queued(relationship=active)

    assert queued == Message.objects.get(kind=Message.Kind.THANK_YOU)
    message_cancel(message=queued, by=bob)
    assert thank_you_queued(relationship=active) is None


def test_a_person_who_declined_is_thanked_for_their_time_not_for_taking_part(now, active, bob):
    active.influencer.language = "en"
    active.influencer.save()

    relationship_close(relationship=active, by=bob, outcome="declined")

    body = Message.objects.get().body
    assert "We are closing Spring range" in body
    assert "taking part" not in body


def test_the_thank_you_never_tells_about_a_draft_campaign(now, active, bob):
    CampaignFactory(name="Batch cooking", topics=["food"], status="draft")

    relationship_close(relationship=active, by=bob, outcome="completed")

    assert "Batch cooking" not in Message.objects.get().body


def test_a_closing_with_a_skip_reason_queues_nothing(now, active, bob):
    relationship_close(relationship=active, by=bob, outcome="completed", skip_reason="Thanked in person")

    active.refresh_from_db()
    assert active.thank_you == ThankYou.SKIPPED
    assert not Message.objects.exists()


def test_a_closing_that_rolls_back_queues_nothing(now, active, bob):
    with pytest.raises(RuntimeError), transaction.atomic():
        relationship_close(relationship=active, by=bob, outcome="completed")
        raise RuntimeError("something later in the same request failed")

    assert not Message.objects.exists()
    active.refresh_from_db()
    assert active.stage == "active"


def test_the_same_key_never_makes_a_second_row(now, active, bob):
    first = thank_you_queue(relationship=active, by=bob)
    second = thank_you_queue(relationship=active, by=bob)

    assert first.pk == second.pk
    assert Message.objects.count() == 1


def test_message_queue_says_whether_it_created_the_row(now, lea):
    fields = {
        "kind": "follow_up",
        "recipient": lea.email,
        "influencer": lea,
        "subject": "s",
        "body": "b",
        "send_at": now,
    }

    assert message_queue(key="k1", **fields)[1] is True
    assert message_queue(key="k1", **fields)[1] is False


def test_an_inbound_contact_cancels_follow_ups_marked_cancel_if_they_reply(now, lea, bob):
    later = now + datetime.timedelta(days=3)
    kept = follow_up_schedule(influencer=lea, by=bob, subject="News", body="Hello", send_at=later)
    cancelled = follow_up_schedule(
        influencer=lea, by=bob, subject="Any news?", body="Hello", send_at=later, cancel_if_reply=True
    )

    contact_log(influencer=lea, by=bob, kind="email", direction=Contact.Direction.INBOUND, summary="She answered")

    kept.refresh_from_db()
    cancelled.refresh_from_db()
    assert (kept.status, cancelled.status) == ("scheduled", "cancelled")
    assert cancelled.last_error == "They replied before it went."


def test_an_outbound_contact_cancels_nothing(now, lea, bob):
    follow_up = follow_up_schedule(
        influencer=lea, by=bob, subject="Any news?", body="Hello", send_at=now + datetime.timedelta(days=1),
        cancel_if_reply=True,
    )  # fmt: skip

    contact_log(influencer=lea, by=bob, kind="call", direction=Contact.Direction.OUTBOUND, summary="Voicemail")

    follow_up.refresh_from_db()
    assert follow_up.status == "scheduled"


def test_a_follow_up_carries_the_senders_signature(now, lea, bob):
    message = follow_up_schedule(
        influencer=lea, by=bob, subject="News", body="Hello Léa", send_at=now + datetime.timedelta(hours=1)
    )

    assert message.body == "Hello Léa\n\nBob"


def test_no_follow_up_can_be_scheduled_for_an_opted_out_person(now, lea, bob):
    influencer_opt_out(influencer=lea, source="phone call")
    lea.refresh_from_db()

    with pytest.raises(ValidationError) as error:
        follow_up_schedule(influencer=lea, by=bob, subject="News", body="Hi", send_at=now)

    assert "opted out" in " ".join(error.value.messages)
    assert not Message.objects.exists()


OPTED_OUT, NO_ADDRESS = {"consent": Influencer.Consent.OPTED_OUT}, {"email": ""}


@pytest.mark.parametrize(
    ("change", "follow_up", "thank_you"),
    [
        (
            OPTED_OUT,
            "Léa Martin opted out of e-mails: no follow-up can be scheduled.",
            "Léa Martin opted out of e-mails.",
        ),
        (NO_ADDRESS, "Léa Martin has no e-mail address. Add one first.", "Léa Martin has no e-mail address."),
        # Both: the opt-out is what is said, everywhere.
        (
            OPTED_OUT | NO_ADDRESS,
            "Léa Martin opted out of e-mails: no follow-up can be scheduled.",
            "Léa Martin opted out of e-mails.",
        ),
    ],
    ids=["opted out", "no address", "both"],
)
def test_someone_who_cannot_be_e_mailed_is_refused_in_the_same_words_everywhere(
    now, active, lea, bob, change, follow_up, thank_you
):
    Influencer.objects.filter(pk=lea.pk).update(**change)
    lea.refresh_from_db()

    with pytest.raises(ValidationError) as refused:
        follow_up_schedule(influencer=lea, by=bob, subject="News", body="Hi", send_at=now)

    assert refused.value.message_dict["influencer"] == [follow_up] == [follow_up_refusal(influencer=lea)]
    assert thank_you_skip_reason(relationship=active) == thank_you == thank_you_refusal(influencer=lea)


def test_the_refusals_are_said_in_the_language_of_the_moment_they_are_made(now, lea):
    Influencer.objects.filter(pk=lea.pk).update(consent=Influencer.Consent.OPTED_OUT)
    lea.refresh_from_db()

    with translation.override("fr"):
        french = follow_up_refusal(influencer=lea), thank_you_refusal(influencer=lea)

    assert french == (
        "Léa Martin ne veut plus recevoir d’e-mails : aucune relance ne peut être programmée.",
        "Léa Martin ne veut plus recevoir d’e-mails.",
    )
    assert follow_up_refusal(influencer=lea).startswith("Léa Martin opted out")


def test_someone_with_an_address_who_did_not_opt_out_is_not_refused(lea):
    assert (follow_up_refusal(influencer=lea), thank_you_refusal(influencer=lea)) == ("", "")


@pytest.mark.parametrize(("beyond", "refused"), [(datetime.timedelta(0), False), (datetime.timedelta(seconds=1), True)])
def test_the_follow_up_and_the_contact_log_allow_the_same_clock_skew_as_the_forms(now, lea, bob, beyond, refused):
    """A follow-up "now" may be a little past, a contact "now" a little ahead: by CLOCK_SKEW, as in the forms."""
    past, ahead = now - CLOCK_SKEW - beyond, now + CLOCK_SKEW + beyond
    outcomes = []
    for attempt in (
        lambda: follow_up_schedule(influencer=lea, by=bob, subject="News", body="Hi", send_at=past),
        lambda: _clean_send_at(past),
        lambda: contact_log(influencer=lea, by=bob, kind="call", direction="outbound", summary="Hi", occurred_at=ahead),
    ):
        try:
            attempt()
        except ValidationError:
            outcomes.append(True)
        else:
            outcomes.append(False)

    assert outcomes == [refused] * 3


def test_an_opt_out_cancels_every_message_that_has_not_gone(now, active, lea, bob):
    thank_you = thank_you_queue(relationship=active, by=bob)
    follow_up = follow_up_schedule(
        influencer=lea, by=bob, subject="News", body="Hi", send_at=now + datetime.timedelta(days=1)
    )

    influencer_opt_out(influencer=lea, source="unsubscribe link")

    assert set(Message.objects.values_list("pk", "status")) == {
        (thank_you.pk, "cancelled"),
        (follow_up.pk, "cancelled"),
    }
    lea.refresh_from_db()
    assert (lea.consent, lea.consent_at, lea.consent_source) == ("opted_out", now, "unsubscribe link")


def test_a_scheduled_message_can_be_edited_and_cancelled_but_not_once_it_is_sending(now, active, bob):
    message = thank_you_queue(relationship=active, by=bob)

    message = message_edit(message=message, by=bob, subject="Merci !", body="Merci Léa")
    assert (message.subject, message.body) == ("Merci !", "Merci Léa")

    Message.objects.filter(pk=message.pk).update(status="sending")
    with pytest.raises(ValidationError, match="no longer be changed"):
        message_edit(message=message, by=bob, subject="Too late", body="Too late")
    with pytest.raises(ValidationError, match="no longer be changed"):
        message_cancel(message=message, by=bob)
    message.refresh_from_db()
    assert (message.subject, message.status) == ("Merci !", "sending")
