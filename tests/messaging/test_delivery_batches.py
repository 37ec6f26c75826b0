"""Batches: the dispatcher hands out DISPATCH_TASK_SIZE ids per task, and a task sends them over one connection.

With a pretend broker and a pretend mail server; a real SMTP server in test_delivery_smtp.py, the one-message path
in test_delivery.py, real workers in tests/integration."""

import datetime
import smtplib

import pytest
from django.core import mail
from django.db import connection

from crm.services.consent import influencer_opt_out
from messaging import delivery, tasks
from messaging.models import Message
from messaging.services import follow_up_schedule
from tests.factories import InfluencerFactory
from tests.messaging import backends
from tests.messaging.dispatching import Broker, claim_all, due_digests, statuses
from tests.messaging.factories import MessageFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def server(settings):
    """A pretend mail server (tests.messaging.backends.SessionBackend) that counts connections."""
    settings.EMAIL_BACKEND = "tests.messaging.backends.SessionBackend"
    backends.server = backends.Server()
    yield backends.server
    backends.server = backends.Server()


def test_one_pass_claims_everything_due_and_hands_it_out_in_batches_of_the_task_size(
    now, broker, django_capture_on_commit_callbacks, settings
):
    settings.DISPATCH_BATCH_SIZE, settings.DISPATCH_TASK_SIZE = 3, 2
    settings.MESSAGES_QUEUE = "messages"
    due = due_digests(now, 7)

    with django_capture_on_commit_callbacks(execute=True):
        assert delivery.dispatch().claimed == 7

    # Claims of 3, 3 and 1 rows, each cut into tasks of at most 2; one token per claim.
    assert [len(ids) for ids, _token, _queue in broker.published] == [2, 1, 2, 1, 1]
    assert sorted(pk for ids, _token, _queue in broker.published for pk in ids) == sorted(m.pk for m in due)
    tokens = [token for _ids, token, _queue in broker.published]
    assert tokens[0] == tokens[1] != tokens[2] == tokens[3] != tokens[4]
    assert {queue for _ids, _token, queue in broker.published} == {"messages"}
    assert Message.objects.filter(status="sending", attempts=1).count() == 7


def test_a_dispatcher_pass_costs_a_fixed_number_of_queries_per_claim(
    now, broker, django_capture_on_commit_callbacks, django_assert_num_queries, settings
):
    settings.DISPATCH_BATCH_SIZE = 3
    due_digests(now, 7)

    # Requeue stuck rows; then per claim: savepoint, count those in flight, select due, update, release.
    # On PostgreSQL the pass also takes and frees its advisory lock.
    lock = 2 if connection.vendor == "postgresql" else 0
    with django_assert_num_queries(lock + 1 + 3 * 5), django_capture_on_commit_callbacks(execute=True):
        delivery.dispatch()


def test_each_claim_counts_what_is_in_flight_again_so_passes_that_interleave_keep_the_cap(
    now, broker, django_capture_on_commit_callbacks, settings, monkeypatch
):
    settings.DISPATCH_MAX_IN_FLIGHT, settings.DISPATCH_BATCH_SIZE = 5, 2
    due_digests(now, 9)
    # Another pass (another beat) claims 3 rows while this one is between two claims.
    claim = delivery._claim

    def claim_while_another_pass_claims(*args):
        if not Message.objects.filter(status="sending").exists():
            assert claim(now, 3, delivery.Dispatched())
        return claim(*args)

    monkeypatch.setattr(delivery, "_claim", claim_while_another_pass_claims)
    with django_capture_on_commit_callbacks(execute=True):
        assert delivery.dispatch().claimed == 2  # 3 + 2 = the cap, not 3 + 5

    assert Message.objects.filter(status="sending").count() == 5


def test_a_pass_stops_claiming_once_the_in_flight_limit_is_reached(
    now, broker, server, django_capture_on_commit_callbacks, settings
):
    settings.DISPATCH_MAX_IN_FLIGHT, settings.DISPATCH_TASK_SIZE = 4, 2
    due_digests(now, 7)

    with django_capture_on_commit_callbacks(execute=True):
        assert delivery.dispatch().claimed == 4
        assert delivery.dispatch().claimed == 0  # four still being sent
    ids, token, _queue = broker.published[0]
    assert delivery.deliver_batch(ids, token) == {"sent": 2}
    with django_capture_on_commit_callbacks(execute=True):
        assert delivery.dispatch().claimed == 2


def test_a_batch_goes_over_one_connection_with_two_queries_plus_one_per_sent_message(
    now, due_thank_you, active, bob, broker, server, django_capture_on_commit_callbacks, django_assert_num_queries
):
    from messaging.reminders import reminders_queue

    active.next_contact_due = now.date()
    active.save()
    reminders_queue()
    due_digests(now, 3)
    [(ids, token)] = claim_all(django_capture_on_commit_callbacks, broker)

    # Consume the claim, load the rows with their people; then one update per sent message, nothing else.
    with django_assert_num_queries(2 + 5):
        assert delivery.deliver_batch(ids, token) == {"sent": 5}

    assert server.connections == 1
    assert sorted(m.to[0] for m in mail.outbox) == [
        "bob@team.example", "lea@example.org", "member0@team.example", "member1@team.example", "member2@team.example",
    ]  # fmt: skip
    assert set(statuses().values()) == {"sent"}
    assert set(Message.objects.values_list("claim", flat=True)) == {""}


def _sent_statement_runs() -> int:
    """How often this connection ran the "sent" UPDATE as a prepared statement (PostgreSQL counts each plan)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT coalesce(sum(generic_plans + custom_plans), 0) FROM pg_prepared_statements WHERE statement = %s",
            [delivery._sent_sql().replace("%s", "${}").format(*range(1, 7))],
        )
        return cursor.fetchone()[0]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="prepared statements: PostgreSQL (CI's second pass)")
def test_on_postgresql_each_sent_record_runs_as_a_prepared_statement(
    now, broker, server, django_capture_on_commit_callbacks
):
    due_digests(now, 3)
    [(ids, token)] = claim_all(django_capture_on_commit_callbacks, broker)
    before = _sent_statement_runs()

    assert delivery.deliver_batch(ids, token) == {"sent": 3}

    # Planned once per connection, not once per mail: the plan is most of what the statement costs.
    assert _sent_statement_runs() - before == 3
    assert set(statuses().values()) == {"sent"}


def test_running_a_batch_task_twice_sends_each_message_once(
    now, broker, server, django_capture_on_commit_callbacks, django_assert_num_queries
):
    due_digests(now, 3)
    [(ids, token)] = claim_all(django_capture_on_commit_callbacks, broker)

    assert delivery.deliver_batch(ids, token) == {"sent": 3}
    with django_assert_num_queries(1):  # the claim is consumed already: nothing is loaded, nothing is sent
        assert delivery.deliver_batch(ids, token) == {"skipped": 3}
    assert len(mail.outbox) == 3


def test_a_late_batch_skips_the_row_that_went_back_to_the_schedule_and_was_claimed_again(
    now, broker, server, django_capture_on_commit_callbacks, settings
):
    settings.MESSAGE_SENDING_TIMEOUT_SECONDS = 600
    first, second, third = due_digests(now, 3)
    [(ids, token)] = claim_all(django_capture_on_commit_callbacks, broker)
    # The second one was taken for stuck and claimed again by a later pass, whose task runs first.
    Message.objects.filter(pk=second.pk).update(claimed_at=now - datetime.timedelta(seconds=601))
    [(again, token_again)] = claim_all(django_capture_on_commit_callbacks, broker)
    assert again == [second.pk]
    assert delivery.deliver_batch(again, token_again) == {"sent": 1}

    assert delivery.deliver_batch(ids, token) == {"sent": 2, "skipped": 1}
    assert sorted(m.to[0] for m in mail.outbox) == [
        "member0@team.example",
        "member1@team.example",
        "member2@team.example",
    ]


def test_send_time_checks_cancel_inside_a_batch_each_with_its_reason(
    now, lea, active, bob, broker, server, time_machine, django_capture_on_commit_callbacks, django_assert_num_queries
):
    from crm.services import contact_log
    from messaging.reminders import reminders_queue

    noe = InfluencerFactory(name="Noé", email="noe@example.org", owner=bob)
    follow_up_schedule(influencer=lea, by=bob, subject="Hi", body="News", send_at=now)
    follow_up_schedule(influencer=noe, by=bob, subject="Any news?", body="Hello", send_at=now, cancel_if_reply=True)
    active.next_contact_due = now.date()
    active.save()
    reminders_queue()
    due_digests(now, 1)
    [(ids, token)] = claim_all(django_capture_on_commit_callbacks, broker)
    # While the rows are claimed: Léa opts out, Noé replies, bob calls Léa (her reminder is moot).
    time_machine.shift(datetime.timedelta(minutes=1))
    influencer_opt_out(influencer=lea, source="phone")
    contact_log(influencer=noe, by=bob, kind="email", direction="inbound", summary="Yes, count me in")
    contact_log(influencer=lea, by=bob, kind="call", direction="outbound", summary="Called about the shoot")

    # Consume, load, one update per reason, one for the message that goes.
    with django_assert_num_queries(2 + 3 + 1):
        assert delivery.deliver_batch(ids, token) == {"cancelled": 3, "sent": 1}

    assert dict(Message.objects.values_list("recipient", "last_error")) == {
        "lea@example.org": "The person opted out.",
        "noe@example.org": "They replied before it went.",
        "bob@team.example": "Contacted or closed since it was due.",
        "member0@team.example": "",
    }
    assert statuses() == {
        "lea@example.org": "cancelled", "noe@example.org": "cancelled", "bob@team.example": "cancelled",
        "member0@team.example": "sent",
    }  # fmt: skip
    assert [m.to for m in mail.outbox] == [["member0@team.example"]]


def test_an_opt_out_or_a_reply_during_a_batch_cancels_its_mail_at_the_next_reading(
    now, lea, bob, broker, server, time_machine, django_capture_on_commit_callbacks, settings
):
    from crm.services import contact_log

    settings.DISPATCH_RECHECK_SECONDS = 0.5
    noe = InfluencerFactory(name="Noé", email="noe@example.org", owner=bob)
    due_digests(now, 1)
    follow_up_schedule(influencer=lea, by=bob, subject="Hi", body="News", send_at=now)
    follow_up_schedule(influencer=noe, by=bob, subject="Any news?", body="Hello", send_at=now, cancel_if_reply=True)
    MessageFactory(kind="digest", influencer=None, recipient="member1@team.example", send_at=now)
    [(ids, token)] = claim_all(django_capture_on_commit_callbacks, broker)

    def while_the_first_mail_goes():
        if len(mail.outbox) == 1:  # Léa opts out and Noé replies while member0's mail goes
            time_machine.shift(datetime.timedelta(seconds=0.6))
            influencer_opt_out(influencer=lea, source="phone")
            contact_log(influencer=noe, by=bob, kind="email", direction="inbound", summary="Yes, count me in")

    server.after_each_mail = while_the_first_mail_goes

    assert delivery.deliver_batch(ids, token) == {"sent": 2, "cancelled": 2}

    assert [m.to for m in mail.outbox] == [["member0@team.example"], ["member1@team.example"]]
    assert dict(Message.objects.filter(status="cancelled").values_list("recipient", "last_error")) == {
        "lea@example.org": "The person opted out.",
        "noe@example.org": "They replied before it went.",
    }


def test_a_row_requeued_and_claimed_by_another_task_meanwhile_is_left_to_it(
    now, broker, server, time_machine, django_capture_on_commit_callbacks, settings
):
    settings.DISPATCH_RECHECK_SECONDS = 0.5
    due_digests(now, 3)
    [(ids, token)] = claim_all(django_capture_on_commit_callbacks, broker)

    def while_the_first_mail_goes():
        if len(mail.outbox) == 1:  # the last row was taken for stuck and claimed again elsewhere
            Message.objects.filter(pk=ids[2]).update(claim="another-task")
            time_machine.shift(datetime.timedelta(seconds=0.6))

    server.after_each_mail = while_the_first_mail_goes

    assert delivery.deliver_batch(ids, token) == {"sent": 2, "skipped": 1}
    assert [m.to for m in mail.outbox] == [["member0@team.example"], ["member1@team.example"]]


def test_an_inbound_contact_logged_before_the_follow_up_was_written_does_not_cancel_it(
    now, lea, bob, broker, server, time_machine, django_capture_on_commit_callbacks
):
    from crm.services import contact_log

    contact_log(influencer=lea, by=bob, kind="email", direction="inbound", summary="Thanks for the invitation")
    time_machine.shift(datetime.timedelta(minutes=1))
    follow_up_schedule(influencer=lea, by=bob, subject="Hi", body="News", send_at=now, cancel_if_reply=True)
    [(ids, token)] = claim_all(django_capture_on_commit_callbacks, broker)

    assert delivery.deliver_batch(ids, token) == {"sent": 1}


def test_with_the_server_unreachable_the_whole_batch_goes_back_to_the_schedule_after_one_try(
    now, broker, server, django_capture_on_commit_callbacks, django_assert_num_queries, settings
):
    settings.MESSAGE_RETRY_BASE_SECONDS = 60
    server.refuse_connections = ConnectionRefusedError(111, "Connection refused")
    due_digests(now, 3)
    [(ids, token)] = claim_all(django_capture_on_commit_callbacks, broker)

    with django_assert_num_queries(2 + 1):  # one update for the three: same error, same next try
        assert delivery.deliver_batch(ids, token) == {"retry": 3}

    assert server.connections == 0
    assert set(Message.objects.values_list("status", "send_at", "attempts", "last_error", "claim")) == {
        (
            "scheduled",
            now + datetime.timedelta(seconds=60),
            1,
            "ConnectionRefusedError: [Errno 111] Connection refused",
            "",
        )
    }


def test_a_connection_lost_mid_batch_retries_that_message_and_the_rest_go_on_a_new_connection(
    now, broker, server, django_capture_on_commit_callbacks
):
    server.answers["member1@team.example"] = smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
    due_digests(now, 3)
    [(ids, token)] = claim_all(django_capture_on_commit_callbacks, broker)

    assert delivery.deliver_batch(ids, token) == {"sent": 2, "retry": 1}

    assert server.connections == 2
    assert statuses() == {
        "member0@team.example": "sent", "member1@team.example": "scheduled", "member2@team.example": "sent"
    }  # fmt: skip


def test_a_refused_recipient_fails_that_message_only(
    now, broker, server, django_capture_on_commit_callbacks, django_assert_num_queries
):
    server.answers["member0@team.example"] = smtplib.SMTPRecipientsRefused(
        {"member0@team.example": (550, b"5.1.1 No such user")}
    )
    due_digests(now, 3)
    [(ids, token)] = claim_all(django_capture_on_commit_callbacks, broker)

    with django_assert_num_queries(2 + 2 + 1):
        assert delivery.deliver_batch(ids, token) == {"sent": 2, "failed": 1}

    failed = Message.objects.get(status="failed")
    assert (failed.recipient, failed.attempts) == ("member0@team.example", 1)
    assert failed.last_error.startswith("SMTPRecipientsRefused: ")


def test_a_batch_that_runs_out_of_time_puts_the_untried_rest_back_as_it_was(
    now, broker, server, time_machine, django_capture_on_commit_callbacks, settings
):
    # Past half the sending timeout its rows could be requeued as stuck while the task still holds them.
    settings.MESSAGE_SENDING_TIMEOUT_SECONDS = 300
    server.after_each_mail = lambda: time_machine.shift(datetime.timedelta(seconds=100))
    due_digests(now, 4)
    [(ids, token)] = claim_all(django_capture_on_commit_callbacks, broker)

    assert delivery.deliver_batch(ids, token) == {"sent": 2, "postponed": 2}

    assert sorted(Message.objects.values_list("recipient", "status", "attempts", "claim", "send_at")) == [
        ("member0@team.example", "sent", 1, "", now),
        ("member1@team.example", "sent", 1, "", now),
        ("member2@team.example", "scheduled", 0, "", now),
        ("member3@team.example", "scheduled", 0, "", now),
    ]


def test_a_broker_going_down_midway_puts_back_only_what_was_not_handed_out(
    now, django_capture_on_commit_callbacks, monkeypatch, settings
):
    settings.DISPATCH_TASK_SIZE = 2
    broker = Broker(up_for=1)
    monkeypatch.setattr(tasks, "send_messages", broker)
    due_digests(now, 5)

    with django_capture_on_commit_callbacks(execute=True):
        delivery.dispatch()

    [(handed_out, token, _queue)] = broker.published
    assert sorted(Message.objects.filter(status="sending", claim=token).values_list("pk", flat=True)) == handed_out
    assert Message.objects.filter(status="scheduled", claim="", attempts=0).count() == 3


@pytest.mark.django_db(transaction=True)  # as in production: each claim commits, then its rows are handed out
def test_the_dispatch_command_says_how_many_went_to_the_broker_and_how_many_went_back_and_why(
    now, monkeypatch, settings
):
    from django.core.management import CommandError, call_command

    settings.DISPATCH_TASK_SIZE = 2
    monkeypatch.setattr(tasks, "send_messages", Broker(up_for=1))
    due_digests(now, 5)

    with pytest.raises(CommandError) as refused:
        call_command("dispatch_messages")

    assert str(refused.value) == (
        "2 message(s) handed to the worker. 3 put back on the schedule: the broker would not take them "
        "(ConnectionRefusedError: [Errno 111] Connection refused)."
    )
