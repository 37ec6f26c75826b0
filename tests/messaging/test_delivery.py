"""The dispatcher and the send task, with the locmem backend; real SMTP and workers are in tests/integration."""

import datetime
import smtplib

import pytest
from django.core import mail

from crm.services.consent import influencer_opt_out
from messaging import delivery
from messaging.models import Message
from messaging.services import follow_up_schedule, thank_you_queue
from tests.factories import paris
from tests.messaging import backends

pytestmark = pytest.mark.django_db


def dispatch_and_deliver(django_capture_on_commit_callbacks, enqueued, **kwargs) -> list[str]:
    with django_capture_on_commit_callbacks(execute=True):
        delivery.dispatch(**kwargs)
    results = [delivery.deliver(pk, token) for pk, token in enqueued]
    enqueued.clear()
    return results


def test_a_due_message_is_sent_once_with_its_message_id(
    now, due_thank_you, enqueued, django_capture_on_commit_callbacks
):
    results = dispatch_and_deliver(django_capture_on_commit_callbacks, enqueued)

    assert results == ["sent"]
    assert len(mail.outbox) == 1
    assert mail.outbox[0].extra_headers["Message-ID"] == due_thank_you.message_id
    due_thank_you.refresh_from_db()
    assert (due_thank_you.status, due_thank_you.sent_at, due_thank_you.attempts) == ("sent", now, 1)


def test_enqueueing_happens_only_after_commit(now, due_thank_you, enqueued, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        delivery.dispatch()

    assert enqueued == []
    assert len(callbacks) == 1
    callbacks[0]()
    assert [pk for pk, _token in enqueued] == [due_thank_you.pk]


def test_running_the_send_task_twice_sends_once(now, due_thank_you, enqueued, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        delivery.dispatch()
    (pk, token) = enqueued[0]

    assert [delivery.deliver(pk, token), delivery.deliver(pk, token)] == ["sent", "skipped"]
    assert len(mail.outbox) == 1


def test_a_second_dispatcher_pass_claims_nothing_already_claimed(
    now, due_thank_you, enqueued, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        assert delivery.dispatch().claimed == 1
        assert delivery.dispatch().claimed == 0

    assert len(enqueued) == 1


def test_a_message_not_yet_due_is_left_alone(now, active, bob, enqueued, django_capture_on_commit_callbacks, settings):
    settings.THANK_YOU_DELAY_MINUTES = 60
    thank_you_queue(relationship=active, by=bob)

    assert dispatch_and_deliver(django_capture_on_commit_callbacks, enqueued) == []
    assert dispatch_and_deliver(
        django_capture_on_commit_callbacks, enqueued, now=now + datetime.timedelta(minutes=61)
    ) == ["sent"]


def test_influencer_mail_waits_for_sending_hours_in_their_time_zone(
    time_machine, lea, bob, enqueued, django_capture_on_commit_callbacks
):
    saturday_night = paris(2026, 3, 7, 23, 0)
    time_machine.move_to(saturday_night, tick=False)
    lea.timezone = "America/Montreal"
    lea.save()
    message = follow_up_schedule(influencer=lea, by=bob, subject="Hi", body="News", send_at=saturday_night)

    assert dispatch_and_deliver(django_capture_on_commit_callbacks, enqueued) == []

    message.refresh_from_db()
    monday_9_in_montreal = datetime.datetime(2026, 3, 9, 9, 0, tzinfo=datetime.timezone(datetime.timedelta(hours=-4)))
    assert message.send_at == monday_9_in_montreal
    assert mail.outbox == []


def test_reminders_to_the_team_go_at_any_hour(time_machine, active, enqueued, django_capture_on_commit_callbacks):
    from messaging.reminders import reminders_queue

    time_machine.move_to(paris(2026, 3, 7, 23, 0), tick=False)  # a Saturday night
    active.next_contact_due = datetime.date(2026, 3, 6)
    active.save()
    assert reminders_queue() == 1

    assert dispatch_and_deliver(django_capture_on_commit_callbacks, enqueued) == ["sent"]
    assert mail.outbox[0].to == ["bob@team.example"]


def test_an_opt_out_after_queueing_is_checked_again_at_send_time(
    now, due_thank_you, lea, enqueued, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        delivery.dispatch()
    # The opt-out arrives between the claim and the send.
    Message.objects.filter(pk=due_thank_you.pk).update(status="sending")
    lea.consent = "opted_out"
    lea.save()

    assert [delivery.deliver(pk, token) for pk, token in enqueued] == ["cancelled"]
    assert mail.outbox == []


def test_mail_to_an_influencer_carries_one_click_unsubscribe_headers(
    now, due_thank_you, enqueued, django_capture_on_commit_callbacks, settings
):
    settings.SITE_URL = "https://crm.example.com"

    dispatch_and_deliver(django_capture_on_commit_callbacks, enqueued)

    email = mail.outbox[0]
    url = email.extra_headers["List-Unsubscribe"].strip("<>")
    assert url.startswith("https://crm.example.com/unsubscribe/")
    assert email.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert url in email.body
    assert url in email.alternatives[0].content


@pytest.fixture
def failing_backend(settings):
    settings.EMAIL_BACKEND = "tests.messaging.backends.FailingBackend"
    yield backends
    backends.failure = None


@pytest.mark.parametrize(
    "failure",
    [
        ConnectionRefusedError(111, "Connection refused"),
        smtplib.SMTPServerDisconnected("Connection unexpectedly closed"),
        TimeoutError("timed out"),
        smtplib.SMTPResponseException(451, b"4.3.0 Try again later"),
    ],
    ids=["refused", "disconnected", "timeout", "smtp-4xx"],
)
def test_a_temporary_failure_goes_back_to_the_schedule_with_a_growing_delay(
    now, due_thank_you, enqueued, django_capture_on_commit_callbacks, failing_backend, failure, settings
):
    settings.MESSAGE_RETRY_BASE_SECONDS = 60
    failing_backend.failure = failure

    assert dispatch_and_deliver(django_capture_on_commit_callbacks, enqueued) == ["retry"]
    due_thank_you.refresh_from_db()
    assert (due_thank_you.status, due_thank_you.send_at) == ("scheduled", now + datetime.timedelta(seconds=60))

    later = now + datetime.timedelta(seconds=61)
    assert dispatch_and_deliver(django_capture_on_commit_callbacks, enqueued, now=later) == ["retry"]
    due_thank_you.refresh_from_db()
    assert due_thank_you.attempts == 2
    assert due_thank_you.send_at == now + datetime.timedelta(seconds=120)  # 2 × 60 s after the second try (now)


def test_temporary_failures_stop_after_the_last_attempt(
    now, due_thank_you, enqueued, django_capture_on_commit_callbacks, failing_backend, settings
):
    settings.MESSAGE_MAX_ATTEMPTS = 2
    failing_backend.failure = ConnectionRefusedError(111, "Connection refused")

    dispatch_and_deliver(django_capture_on_commit_callbacks, enqueued)
    assert dispatch_and_deliver(
        django_capture_on_commit_callbacks, enqueued, now=now + datetime.timedelta(hours=1)
    ) == ["failed"]

    due_thank_you.refresh_from_db()
    assert (due_thank_you.status, due_thank_you.attempts) == ("failed", 2)


@pytest.mark.parametrize(
    "failure",
    [
        smtplib.SMTPResponseException(554, b"5.7.1 Rejected"),
        smtplib.SMTPRecipientsRefused({"lea@example.org": (550, b"5.1.1 No such user")}),
    ],
    ids=["smtp-5xx", "recipient-refused"],
)
def test_a_permanent_failure_is_stored_and_not_retried(
    now, due_thank_you, enqueued, django_capture_on_commit_callbacks, failing_backend, failure
):
    failing_backend.failure = failure

    assert dispatch_and_deliver(django_capture_on_commit_callbacks, enqueued) == ["failed"]

    due_thank_you.refresh_from_db()
    assert due_thank_you.status == "failed"
    assert due_thank_you.last_error.startswith(type(failure).__name__)
    assert (
        dispatch_and_deliver(django_capture_on_commit_callbacks, enqueued, now=now + datetime.timedelta(days=1)) == []
    )


def test_a_row_stuck_in_sending_goes_back_to_the_schedule_after_the_timeout(
    now, due_thank_you, enqueued, django_capture_on_commit_callbacks, settings
):
    settings.MESSAGE_SENDING_TIMEOUT_SECONDS = 600
    with django_capture_on_commit_callbacks(execute=True):
        delivery.dispatch()
    enqueued.clear()  # the worker that got it died: the task is lost

    assert (
        dispatch_and_deliver(django_capture_on_commit_callbacks, enqueued, now=now + datetime.timedelta(seconds=599))
        == []
    )
    assert dispatch_and_deliver(
        django_capture_on_commit_callbacks, enqueued, now=now + datetime.timedelta(seconds=601)
    ) == ["sent"]
    assert len(mail.outbox) == 1


def test_the_lost_task_arriving_late_does_not_send_a_second_copy(
    now, due_thank_you, enqueued, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        delivery.dispatch()
    lost = list(enqueued)
    enqueued.clear()
    dispatch_and_deliver(django_capture_on_commit_callbacks, enqueued, now=now + datetime.timedelta(hours=1))

    assert [delivery.deliver(pk, token) for pk, token in lost] == ["skipped"]
    assert len(mail.outbox) == 1


def test_a_broker_that_is_down_puts_the_claimed_rows_back_on_the_schedule(now, due_thank_you):
    class DownTask:
        class app:
            @staticmethod
            def producer_or_acquire():
                raise ConnectionRefusedError(111, "Connection refused")

    Message.objects.filter(pk=due_thank_you.pk).update(status="sending", claim="token", attempts=1)

    report = delivery.Dispatched(claimed=1)
    delivery._enqueue(DownTask, [due_thank_you.pk], "token", report)

    due_thank_you.refresh_from_db()
    assert (due_thank_you.status, due_thank_you.claim, due_thank_you.attempts) == ("scheduled", "", 0)
    assert (report.handed, report.put_back) == (0, 1)
    assert report.broker_error == "ConnectionRefusedError: [Errno 111] Connection refused"


def test_an_opted_out_person_is_not_written_to_even_if_the_row_was_claimed(
    now, due_thank_you, lea, enqueued, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        delivery.dispatch()
    influencer_opt_out(influencer=lea, source="phone")  # cancels only what is still scheduled

    assert [delivery.deliver(pk, token) for pk, token in enqueued] == ["cancelled"]
    assert mail.outbox == []


def test_a_message_deleted_after_its_claim_is_skipped_by_the_one_message_task(
    now, due_thank_you, enqueued, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        delivery.dispatch()
    [(pk, token)] = enqueued
    Message.objects.filter(pk=pk).delete()  # e.g. the person was erased in between

    assert delivery.deliver(pk, token) == "skipped"
    assert mail.outbox == []
