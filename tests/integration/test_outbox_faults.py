"""The outbox under faults, through the real parts (issue 14): a person's opt-out or reply in the middle of their
batch, workers killed mid-batch, and several beats firing the dispatcher at once. A real SMTP server counts every
mail and notes when each transaction started."""

import threading
import time
import uuid
from collections import Counter

import pytest
from django.db import connection
from django.utils import timezone

from crm.services import contact_log
from crm.services.consent import influencer_opt_out
from messaging import delivery
from messaging.models import Message
from tests.factories import InfluencerFactory
from tests.integration.conftest import Beat, Worker, configured_broker_env, make_due, wait_for

pytestmark = pytest.mark.integration


def make_follow_ups(count: int) -> list[Message]:
    """`count` due follow-ups to as many people, each to be cancelled if they reply."""
    people = [InfluencerFactory(email=f"p{i}@people.example") for i in range(count)]
    now = timezone.now()
    rows = [
        Message(
            kind=Message.Kind.FOLLOW_UP,
            influencer=person,
            recipient=person.email,
            subject="News",
            body="Bonjour",
            send_at=now,
            cancel_if_reply=True,
            key=f"f:{i}",
            message_id=f"<f.{i}.{uuid.uuid4().hex}@test>",
        )
        for i, person in enumerate(people)
    ]
    return Message.objects.bulk_create(rows)


def settle(timeout: float, *, every: float = 0.5) -> bool:
    """Run dispatcher passes until no row is scheduled or sending."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        delivery.dispatch()
        if not Message.objects.filter(status__in=["scheduled", "sending"]).exists():
            return True
        time.sleep(every)
    return False


def test_an_opt_out_or_a_reply_during_the_batch_stops_the_mail_within_a_second(
    transactional_db, smtp, settings, bob, tmp_path
):
    settings.SENDING_HOURS, settings.SENDING_WEEKDAYS = (0, 24), tuple(range(7))
    settings.MESSAGES_QUEUE = f"test-recheck-{uuid.uuid4().hex[:10]}"
    settings.DISPATCH_TASK_SIZE = 100
    smtp.recorder.delay = 0.05  # a slow relay: the batch of 100 takes seconds
    follow_ups = make_follow_ups(100)
    env = configured_broker_env() | {"EMAIL_URL": smtp.url}
    worker = Worker(queue=settings.MESSAGES_QUEUE, env=env, log_path=tmp_path / "worker.log").start()
    try:
        delivery.dispatch()
        assert wait_for(lambda: smtp.recorder.count() >= 10, timeout=60), worker.log()[-3000:]
        # While the batch goes: every 0.3 s, a person 25 mails ahead (over a second away) opts out or replies.
        committed: dict[str, float] = {}
        for turn in range(8):
            ahead = follow_ups[min(smtp.recorder.count() + 25, len(follow_ups) - 1)]
            if ahead.recipient not in committed:
                if turn % 2:
                    contact_log(influencer=ahead.influencer, by=bob, kind="email", direction="inbound", summary="Yes")
                else:
                    influencer_opt_out(influencer=ahead.influencer, source="unsubscribe link")
                committed[ahead.recipient] = time.time()  # the service returned: its transaction has committed
            time.sleep(0.3)
        still_going = smtp.recorder.count() < len(follow_ups)
        finished = settle(60)
    finally:
        worker.stop()

    assert finished, worker.log()[-3000:]
    assert still_going, "the batch ended before the opt-outs and replies: nothing was tested"
    late = [
        (to, round(started - committed[to], 2))
        for to, started in smtp.recorder.transactions()
        if to in committed and started > committed[to] + 1.0
    ]
    assert late == []
    statuses = dict(Message.objects.values_list("recipient", "status"))
    assert len(committed) >= 6
    assert [to for to in committed if statuses[to] == "cancelled"], "none of them was stopped"
    received = Counter(smtp.received())
    assert set(received.values()) == {1}
    assert set(received) == {m.message_id for m in follow_ups if statuses[m.recipient] == "sent"}


def test_killing_a_worker_of_two_processes_mid_batch_duplicates_at_most_one_mail_per_process_and_loses_none(
    transactional_db, smtp, settings, tmp_path
):
    """The bound in messaging.delivery: at most one duplicate per process that was sending when it died."""
    settings.MESSAGES_QUEUE = f"test-kill-{uuid.uuid4().hex[:10]}"
    settings.DISPATCH_TASK_SIZE = 50
    # Short, so the rows of the killed batches come back within the test (10 minutes by default); the cap keeps
    # what waits in the broker well under it, so no row still queued is taken for stuck.
    settings.MESSAGE_SENDING_TIMEOUT_SECONDS, settings.DISPATCH_MAX_IN_FLIGHT = 8, 150
    # The relay takes each message, then answers 10 ms later: a kill in that window leaves a mail delivered but
    # not recorded as sent, the one a process's death can send twice. Each pool process is in it most of the time.
    smtp.recorder.delay = 0.01
    expected = make_due(600, prefix="d")
    env = configured_broker_env() | {"EMAIL_URL": smtp.url, "MESSAGE_SENDING_TIMEOUT_SECONDS": "8"}
    worker = Worker(queue=settings.MESSAGES_QUEUE, env=env, log_path=tmp_path / "worker.log", concurrency=2)
    kills = 3
    try:
        for _kill in range(kills):
            worker.start()
            target = smtp.recorder.count() + 100
            assert wait_for(lambda t=target: (delivery.dispatch(), smtp.recorder.count() >= t)[1], timeout=90), (
                worker.log()[-3000:]
            )
            worker.kill()  # SIGKILL to the main process; its pool processes get SIGKILL from the kernel
            assert smtp.recorder.count() < len(expected), "the kill came too late to test anything"
        worker.start()
        finished = settle(120, every=1)
    finally:
        worker.stop()

    statuses = Counter(Message.objects.values_list("status", flat=True))
    assert finished, f"{statuses}\n{worker.log()[-3000:]}"
    received = Counter(smtp.received())
    assert set(received) == set(expected)  # none lost
    copies = sum(n - 1 for n in received.values())
    assert copies <= 2 * kills, {mid: n for mid, n in received.items() if n > 1}
    assert Message.objects.filter(status="sent").count() == len(expected)


def test_two_beats_and_three_workers_send_each_mail_once_and_never_exceed_the_in_flight_cap(
    transactional_db, smtp, settings, tmp_path
):
    queue = f"test-beats-{uuid.uuid4().hex[:10]}"
    cap = 200
    expected = make_due(1200, prefix="d")
    env = configured_broker_env() | {
        "EMAIL_URL": smtp.url,
        "CELERY_DEFAULT_QUEUE": queue,
        "MESSAGES_QUEUE": queue,
        "DISPATCH_EVERY_SECONDS": "1",
        "DISPATCH_MAX_IN_FLIGHT": str(cap),
        "DISPATCH_BATCH_SIZE": "50",
        "DISPATCH_TASK_SIZE": "25",
    }
    workers = [Worker(queue=queue, env=env, log_path=tmp_path / f"worker{i}.log") for i in range(3)]
    beats = [Beat(env=env, log_path=tmp_path / f"beat{i}.log") for i in range(2)]
    in_flight: list[int] = []
    sampling = threading.Event()

    def sample():
        try:
            while not sampling.is_set():
                in_flight.append(Message.objects.filter(status="sending").count())
                time.sleep(0.02)
        finally:
            connection.close()

    sampler = threading.Thread(target=sample)
    sampler.start()
    try:
        for process in workers + beats:
            process.start()
        delivered = wait_for(lambda: Message.objects.filter(status="sent").count() == len(expected), timeout=120)
    finally:
        sampling.set()
        sampler.join()
        for process in beats + workers:
            process.stop()

    logs = "\n".join(f"{p.log_path.name}:\n{p.log()[-1500:]}" for p in beats + workers)
    assert delivered, logs
    assert all("Sending due task messaging-dispatch" in beat.log() for beat in beats), logs
    assert Counter(smtp.received()) == Counter(expected)
    assert max(in_flight) <= cap, sorted(in_flight)[-10:]
    assert max(in_flight) >= cap // 2, "the cap never came close to binding: nothing was tested"
