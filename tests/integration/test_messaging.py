"""Messages through the real parts: a Celery worker process, the configured broker (the embedded one by
default, Redis when REDIS_URL is set), the test database, and a real SMTP server that counts Message-IDs."""

import datetime
import re
import threading
import time
import uuid
from collections import Counter

import pytest
from django.db import transaction
from django.utils import timezone

from campaigns.models import Stage
from campaigns.services import relationship_close
from crm.services import contact_log
from messaging import delivery
from messaging.models import Message
from messaging.reminders import reminders_queue
from tests.factories import InfluencerFactory, RelationshipFactory
from tests.integration.conftest import Beat, Worker, configured_broker_env, make_due, wait_for

pytestmark = pytest.mark.integration


@pytest.fixture
def queue(settings):
    """A queue of this test's own, so no other worker (a developer's `make run`) takes its messages."""
    settings.MESSAGES_QUEUE = f"test-messages-{uuid.uuid4().hex[:10]}"
    return settings.MESSAGES_QUEUE


@pytest.fixture
def worker(transactional_db, smtp, queue, tmp_path):
    env = configured_broker_env() | {"EMAIL_URL": smtp.url, "MESSAGE_RETRY_BASE_SECONDS": "1"}
    w = Worker(queue=queue, env=env, log_path=tmp_path / "worker.log").start()
    yield w
    w.end()


def dispatch_until(done, *, timeout: float, every: float = 0.5) -> bool:
    """Run dispatcher passes, as beat would (but more often), until done() or timeout."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        delivery.dispatch()
        if done():
            return True
        time.sleep(every)
    return done()


def sent_count() -> int:
    return Message.objects.filter(status=Message.Status.SENT).count()


def test_a_thousand_due_messages_are_each_received_exactly_once(worker, smtp):
    expected = make_due(1000)

    finished = dispatch_until(lambda: sent_count() == 1000, timeout=240)

    assert finished, f"{sent_count()} of 1000 sent. Worker log tail:\n{worker.log()[-3000:]}"
    assert Counter(smtp.received()) == Counter(expected)


def test_due_messages_go_out_in_batches_each_over_one_smtp_session(worker, smtp, settings):
    settings.DISPATCH_TASK_SIZE = 100
    expected = make_due(500)

    finished = dispatch_until(lambda: sent_count() == 500, timeout=240)

    assert finished, f"{sent_count()} of 500 sent. Worker log tail:\n{worker.log()[-3000:]}"
    assert Counter(smtp.received()) == Counter(expected)
    # One pass claimed the 500 and handed out 5 batch tasks; each sent its 100 over one connection.
    # A batch's rows are committed before the worker logs its end, so wait for the fifth line.
    succeeded = re.compile(r"messaging\.tasks\.send_messages\[[^]]+\] succeeded in [\d.]+s: (.*)")
    assert wait_for(lambda: len(succeeded.findall(worker.log())) >= 5, timeout=10), worker.log()[-3000:]
    assert succeeded.findall(worker.log()) == ["{'sent': 100}"] * 5
    assert smtp.recorder.sessions() == 5


def test_killing_the_worker_mid_batch_loses_nothing_and_duplicates_at_most_one(worker, smtp, settings):
    settings.MESSAGE_SENDING_TIMEOUT_SECONDS = 45
    expected = make_due(2000)
    delivery.dispatch()
    delivery.dispatch()
    delivery.dispatch()
    delivery.dispatch()

    assert wait_for(lambda: len(smtp.received()) >= 300, timeout=120), worker.log()[-3000:]
    worker.kill()
    received_before_restart = len(smtp.received())
    assert received_before_restart < 2000, "the kill came too late to test anything"
    worker.start()

    finished = dispatch_until(lambda: sent_count() == 2000, timeout=300, every=2)

    assert finished, f"{sent_count()} of 2000 sent. Worker log tail:\n{worker.log()[-3000:]}"
    received = Counter(smtp.received())
    assert set(received) == set(expected)  # every message received
    copies = sum(n - 1 for n in received.values())
    # A copy can only come from the one message whose SMTP exchange finished in the instant of the kill.
    assert copies <= 1, {mid: n for mid, n in received.items() if n > 1}


def test_with_the_smtp_server_down_for_a_while_everything_goes_once_it_is_back(worker, smtp):
    smtp.stop()
    expected = make_due(20)
    delivery.dispatch()
    assert wait_for(lambda: Message.objects.filter(attempts__gte=1, status="scheduled").count() == 20, timeout=60)
    assert Message.objects.filter(last_error__contains="Connection refused").count() == 20

    smtp.start()
    finished = dispatch_until(lambda: sent_count() == 20, timeout=120)

    assert finished, worker.log()[-3000:]
    assert Counter(smtp.received()) == Counter(expected)


def test_a_5xx_answer_fails_the_message_without_retrying_and_says_why(worker, smtp):
    smtp.recorder.refuse["m0@team.example"] = "554 5.7.1 Relay access denied"
    make_due(2)

    assert wait_for(lambda: (delivery.dispatch() or True) and sent_count() == 1 and
                    Message.objects.filter(status="failed").count() == 1, timeout=60)  # fmt: skip
    for _ in range(3):
        delivery.dispatch()
        time.sleep(0.5)

    failed = Message.objects.get(status="failed")
    assert (failed.recipient, failed.attempts) == ("m0@team.example", 1)
    assert "554" in failed.last_error and "Relay access denied" in failed.last_error
    assert len(smtp.received()) == 1


def test_two_dispatchers_at_once_send_nothing_twice(worker, smtp):
    expected = make_due(400)
    errors = []

    def dispatcher():
        try:
            for _ in range(10):
                delivery.dispatch(batch=50)
        except Exception as exc:  # surfaced below
            errors.append(exc)
        finally:
            from django.db import connection

            connection.close()

    threads = [threading.Thread(target=dispatcher) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert errors == []
    finished = dispatch_until(lambda: sent_count() == 400, timeout=120)
    assert finished, worker.log()[-3000:]
    assert Counter(smtp.received()) == Counter(expected)


def test_beat_runs_the_dispatcher_by_itself_and_the_worker_delivers(transactional_db, smtp, queue, tmp_path):
    """No dispatcher pass from the test: beat's schedule (synced from settings) does it."""
    expected = make_due(5)
    env = configured_broker_env() | {
        "EMAIL_URL": smtp.url,
        "CELERY_DEFAULT_QUEUE": queue,
        "MESSAGES_QUEUE": queue,
        "DISPATCH_EVERY_SECONDS": "2",
    }
    worker = Worker(queue=queue, env=env, log_path=tmp_path / "worker.log").start()
    beat = Beat(env=env, log_path=tmp_path / "beat.log").start()
    try:
        delivered = wait_for(lambda: sent_count() == 5, timeout=90)
    finally:
        beat.stop()
        worker.stop()

    assert delivered, f"beat log:\n{beat.log()[-2000:]}\nworker log:\n{worker.log()[-2000:]}"
    assert Counter(smtp.received()) == Counter(expected)
    assert "Sending due task messaging-dispatch" in beat.log()


def test_a_closing_that_rolls_back_sends_nothing(worker, smtp, settings, bob):
    settings.THANK_YOU_DELAY_MINUTES = 0
    settings.SENDING_HOURS, settings.SENDING_WEEKDAYS = (0, 24), tuple(range(7))
    relationship = RelationshipFactory(
        influencer=InfluencerFactory(email="lea@example.org"), owner=bob, stage=Stage.DELIVERED
    )
    with pytest.raises(RuntimeError), transaction.atomic():
        relationship_close(relationship=relationship, by=bob, outcome="completed")
        raise RuntimeError("the request failed after the closing")
    control = make_due(1)  # proves the worker was there to send anything

    assert dispatch_until(lambda: sent_count() == 1, timeout=60), worker.log()[-3000:]
    assert smtp.received() == control
    assert not Message.objects.filter(kind="thank_you").exists()


def test_a_reminder_never_reaches_the_owner_after_the_person_was_contacted(worker, smtp, bob):
    relationship = RelationshipFactory(
        owner=bob, stage=Stage.ACTIVE, next_contact_due=timezone.localdate() - datetime.timedelta(days=2)
    )
    assert reminders_queue() == 1
    contact_log(
        influencer=relationship.influencer, by=bob, kind="call", direction="outbound", summary="Called about the shoot"
    )
    control = make_due(1)

    assert dispatch_until(lambda: sent_count() == 1, timeout=60), worker.log()[-3000:]
    assert smtp.received() == control
    reminder = Message.objects.get(kind="reminder")
    assert (reminder.status, reminder.last_error) == ("cancelled", "Contacted or closed since it was due.")
