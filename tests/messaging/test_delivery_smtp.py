"""Batches over a real SMTP server in a thread (the outbox writes the MIME itself: messaging.mime), and what the
sent records leave on a PostgreSQL connection; pretend parts in test_delivery_batches.py, real workers in
tests/integration."""

import pytest
from django.db import connection

from messaging import delivery
from messaging.models import Message
from tests.messaging.dispatching import claim_all, due_digests, statuses

pytestmark = pytest.mark.django_db


# --- Over a real SMTP server: the outbox writes the MIME itself (messaging.mime) ---------------------------------


@pytest.fixture(params=[True, False], ids=["pipelining", "no pipelining"])
def smtp_server(request, settings):
    from bench.smtp_sink import SmtpSink

    sink = SmtpSink(pipelining=request.param)
    sink.start()
    sink.recorder.contents = []
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", sink.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    yield sink.recorder
    sink.stop()


def test_over_smtp_a_batch_arrives_as_written_once_each_over_one_session(
    now, due_thank_you, broker, smtp_server, django_capture_on_commit_callbacks
):
    import email
    from email import policy

    due_digests(now, 2)
    [(ids, token)] = claim_all(django_capture_on_commit_callbacks, broker)

    assert delivery.deliver_batch(ids, token) == {"sent": 3}

    assert sorted(smtp_server.received()) == sorted(Message.objects.values_list("message_id", flat=True))
    assert smtp_server.sessions() == 1
    thank_you = next(
        email.message_from_bytes(raw, policy=policy.default)
        for raw in smtp_server.contents
        if b"lea@example.org" in raw
    )
    assert (thank_you["To"], thank_you["Subject"]) == ("lea@example.org", due_thank_you.subject)
    assert thank_you["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    text, html = (part.get_content().replace("\r\n", "\n") for part in thank_you.iter_parts())
    assert text.startswith(due_thank_you.body.rstrip())
    assert thank_you["List-Unsubscribe"].strip("<>") in html
    assert set(statuses().values()) == {"sent"}


def test_over_smtp_a_subject_with_a_newline_fails_that_message_only(
    now, broker, smtp_server, django_capture_on_commit_callbacks
):
    bad, good = due_digests(now, 2)
    Message.objects.filter(pk=bad.pk).update(subject="Hello\nBcc: everyone@example.org")
    [(ids, token)] = claim_all(django_capture_on_commit_callbacks, broker)

    assert delivery.deliver_batch(ids, token) == {"sent": 1, "failed": 1}

    assert smtp_server.received() == [good.message_id]
    bad.refresh_from_db()
    assert (bad.status, bad.last_error.split(":")[0]) == ("failed", "BadHeaderError")


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's synchronous_commit")
def test_recording_a_sent_message_leaves_the_connection_committing_durably(
    transactional_db, now, broker, smtp_server, django_capture_on_commit_callbacks
):
    # transactional_db: the worker's autocommit, each sent record a transaction of its own, as in production.
    due_digests(now, 2)
    [(ids, token)] = claim_all(django_capture_on_commit_callbacks, broker)

    assert delivery.deliver_batch(ids, token) == {"sent": 2}

    # The sent records commit without waiting for the disk; that must not leak to what the connection does next.
    with connection.cursor() as cursor:
        cursor.execute("SHOW synchronous_commit")
        assert cursor.fetchone() == ("on",)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the advisory lock: PostgreSQL (CI's second pass)")
@pytest.mark.django_db(transaction=True)
def test_on_postgresql_a_pass_while_another_runs_does_nothing_and_says_so(now, broker):
    import psycopg

    due_digests(now, 3)
    s = connection.settings_dict
    other = psycopg.connect(
        host=s["HOST"] or "127.0.0.1", port=s["PORT"] or 5432, user=s["USER"], password=s["PASSWORD"] or None,
        dbname=s["NAME"], autocommit=True,
    )  # fmt: skip
    try:
        other.execute("SELECT pg_advisory_lock(%s)", [delivery._DISPATCH_LOCK])  # another beat's pass
        report = delivery.dispatch()
        other.execute("SELECT pg_advisory_unlock(%s)", [delivery._DISPATCH_LOCK])
    finally:
        other.close()

    assert (report.busy, report.claimed, str(report)) == (
        True, 0, "Another dispatcher pass is running: this one did nothing."
    )  # fmt: skip
    assert delivery.dispatch().claimed == 3  # once it is over, the next pass claims
