"""Issue #7, dispatch: messages per second from the outbox into a local SMTP sink, with ONE worker.

`measure_dispatch(count=20000)`, on the current database and the configured broker:
1. starts a real SMTP server (bench.fast_sink, a process of its own, so that it is not the bottleneck) and ONE real
   `celery worker --pool=solo` process on a queue of its own, and waits until the worker is ready;
2. writes `count` due messages: half follow-ups to influencers (consent given, unsubscribe link, checks at send
   time), half digests to team members;
3. starts the clock and publishes the beat task `dispatch_due_messages` to the worker's queue on beat's schedule
   (DISPATCH_EVERY_SECONDS): the worker itself claims, fans out and sends, so the figure includes the dispatcher;
4. stops the clock at the last `sent_at` once every row is sent and the sink has every Message-ID, or at a
   timeout; then counts, over the messages of the run, those received twice and those sent but never received
   (messages a timed-out run never sent are reported apart, not as lost).
Sending hours are opened to the whole week for the worker, so the result does not depend on the clock.
Its rows (and people) are deleted afterwards.

Run it alone: `python -m bench.dispatch --count 20000` (DATABASE_URL and REDIS_URL say where).
"""

import os
import subprocess
import sys
import time
import uuid
from collections import Counter
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.db import connection
from django.db.models import Max
from django.utils import timezone

from bench.fast_sink import FastSink
from bench.results import Result

TARGET = 500.0  # messages per second per worker (issue #7)


def measure_dispatch(*, count: int = 20000, timeout: float | None = None) -> list[Result]:
    """Time `count` messages through one worker; gives up after `timeout` seconds (default: 60 + count / 20)."""
    from messaging.models import Message

    run = uuid.uuid4().hex[:8]
    queue = f"bench-dispatch-{run}"
    sink = FastSink()
    sink.start()
    log_path = Path(settings.VAR_DIR) / f"bench-dispatch-{run}.log"
    worker = _start_worker(queue=queue, smtp_url=sink.url, log_path=log_path)
    timeout = timeout or 60 + count / 20  # gives up below 20 msg/s
    try:
        _wait_until_ready(worker, log_path)
        expected = set(_make_due(count, run))
        mine = Message.objects.filter(key__startswith=f"bench:dispatch:{run}:")
        cpu_before, sink_cpu_before = _cpu_seconds(worker.pid), _cpu_seconds(sink.pid)
        bench_cpu_before = _cpu_seconds(os.getpid())
        started = timezone.now()
        clock = time.monotonic()
        # Watching the sink costs the machine nothing; the rows are checked once it has every one of them.
        finished = _drive(queue, done=lambda: expected <= set(sink.received()), timeout=timeout) and _wait(
            lambda: not mine.exclude(status=Message.Status.SENT).exists(), timeout=30
        )
        elapsed = time.monotonic() - clock
        sent_in_time = mine.filter(status=Message.Status.SENT).count()  # the rate counts no send after the clock
        cpu = _cpu_seconds(worker.pid) - cpu_before
        sink_cpu = _cpu_seconds(sink.pid) - sink_cpu_before
        bench_cpu = _cpu_seconds(os.getpid()) - bench_cpu_before
    finally:
        # A warm shutdown: the worker ends the batch in hand, so what it sent is recorded and counted below.
        _stop(worker)
        sink.stop()
        _purge(queue)
    statuses = dict(Counter(mine.values_list("status", flat=True)))
    sent_ids = set(mine.filter(status=Message.Status.SENT).values_list("message_id", flat=True))
    last_sent = mine.aggregate(last=Max("sent_at"))["last"]
    received = Counter(m for m in sink.received() if m in expected)
    _delete(run)

    sent = len(sent_ids)
    seconds = max((last_sent - started).total_seconds(), 1e-06) if finished else elapsed
    rate = sent_in_time / seconds
    # Over what the run was meant to send, each counted once: twice (or more) at the sink; never at the sink
    # though its row says sent; at the sink though its row does not say sent (a send it failed to record);
    # not sent at all (only when the run stopped at its timeout: then they are not counted as lost).
    copies = sum(1 for n in received.values() if n > 1)
    never = len(sent_ids - set(received))
    unrecorded = len(set(received) - sent_ids)
    unsent = count - len(sent_ids | set(received))
    where = f"{connection.vendor} + {'redis' if settings.REDIS_URL else 'filesystem broker'}"
    extra = {
        "count": count,
        "sent": sent,
        "seconds": round(seconds, 3),
        "timeout_seconds": round(timeout),
        "finished": finished,
        "statuses": statuses,
        "received": sum(received.values()),
        "twice": copies,
        "never": never,
        "unrecorded": unrecorded,
        "unsent": unsent,
        "database": connection.vendor,
        "broker": "redis" if settings.REDIS_URL else "filesystem",
        "claim_size": settings.DISPATCH_BATCH_SIZE,
        "task_size": getattr(settings, "DISPATCH_TASK_SIZE", 1),
        "worker": "celery --pool=solo, 1 process",
        # CPU the worker used: on a busy machine, messages per CPU second says what one free core would do.
        "worker_cpu_seconds": round(cpu, 2),
        "worker_cpu_ms_per_message": round(1000 * cpu / sent, 3) if sent else None,
        "msg_per_worker_cpu_second": round(sent / cpu, 1) if cpu > 0 else None,
        # The SMTP sink's process, and this one (its loop polls the sink's file and publishes beat's passes).
        "sink_cpu_ms_per_message": round(1000 * sink_cpu / sent, 3) if sent else None,
        "bench_cpu_ms_per_message": round(1000 * bench_cpu / sent, 3) if sent else None,
        "load_average": os.getloadavg()[0],
    }
    note = (
        f"{count} messages (half follow-ups to influencers, half digests), outbox → SMTP sink, "
        f"beat's dispatcher pass every {_beat_period():g} s, run by the same worker; "
        f"{extra['worker_cpu_ms_per_message']} ms of worker CPU per message"
    )
    if not finished:
        note += f"; stopped at its {timeout:.0f} s timeout with {sent_in_time} of {count} sent"
    if rate < TARGET:
        note += _why_slow(extra["msg_per_worker_cpu_second"], extra["sink_cpu_ms_per_message"], seconds)
    of_what = f"of the {sent} sent" if not finished else f"of {count}"
    return [
        Result(
            section="dispatch",
            name=f"messages per second, one worker ({where})",
            value=round(rate, 1),
            unit="msg/s",
            target=f">= {TARGET:.0f} msg/s",
            met=finished and rate >= TARGET,
            note=note,
            extra=extra,
        ),
        Result(
            section="dispatch",
            name=f"mails received twice ({where})",
            value=copies,
            unit="messages",
            target="0",
            met=copies == 0,
            note=f"{of_what}, each Message-ID counted at the SMTP sink",
            extra={"twice": copies},
        ),
        Result(
            section="dispatch",
            name=f"mails never received ({where})",
            value=never + (unsent if finished else 0),
            unit="messages",
            target="0",
            met=finished and never == 0 and unsent == 0,
            note=(
                f"{of_what}: sent by the worker but not at the SMTP sink"
                + ("" if finished else f"; {unsent} not sent by the timeout are not counted (the run did not end)")
                + (f"; {unrecorded} reached the sink but are not recorded as sent" if unrecorded else "")
            ),
            extra={"never": never, "unsent": unsent, "unrecorded": unrecorded},
        ),
    ]


# --- The data --------------------------------------------------------------------------------------------------

BODY = (
    "Bonjour,\n\nLe shooting de printemps est calé au 14, et nous aimerions beaucoup vous y voir. "
    "Dites-nous si la date vous convient, et ce dont vous auriez besoin sur place.\n\n"
    "Belle journée,\nBob\n"
) * 2


def _make_due(count: int, run: str) -> list[str]:
    """`count` messages due now; returns their Message-IDs."""
    from crm.models import Influencer
    from messaging.models import Message

    zones = ["Europe/Paris", "America/Montreal", "Europe/Brussels", "Africa/Dakar"]
    people = Influencer.objects.bulk_create(
        [
            Influencer(
                name=f"Bench person {i}",
                email=f"p{i}@bench-{run}.example",
                language="fr" if i % 3 else "en",
                timezone=zones[i % len(zones)],
                consent=Influencer.Consent.OPTED_IN,
            )
            for i in range((count + 1) // 2)
        ],
        batch_size=1000,
    )
    now = timezone.now() - timedelta(seconds=1)
    rows = []
    for i in range(count):
        person = people[i // 2] if i % 2 == 0 else None
        rows.append(
            Message(
                kind=Message.Kind.FOLLOW_UP if person else Message.Kind.DIGEST,
                recipient=person.email if person else f"member{i}@team-{run}.example",
                influencer=person,
                language=person.language if person else "fr",
                subject=f"Des nouvelles du shooting ({i})",
                body=BODY,
                send_at=now,
                key=f"bench:dispatch:{run}:{i}",
                message_id=f"<bench.{run}.{i}@crm.example>",
            )
        )
    Message.objects.bulk_create(rows, batch_size=1000)
    return [r.message_id for r in rows]


def _delete(run: str) -> None:
    from crm.models import Influencer
    from messaging.models import Message

    Message.objects.filter(key__startswith=f"bench:dispatch:{run}:").delete()
    # A raw delete: these people have nothing else, and the history signal would write 10,000 history rows.
    people = Influencer.objects.filter(email__endswith=f"@bench-{run}.example")
    people._raw_delete(people.db)


# --- The worker ------------------------------------------------------------------------------------------------


def _database_url() -> str:
    """The URL of the database this process is on, for the worker process."""
    s = connection.settings_dict
    if s["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{s['NAME']}"
    password = f":{s['PASSWORD']}" if s.get("PASSWORD") else ""
    return f"postgres://{s['USER']}{password}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


def _broker_env() -> dict[str, str]:
    if settings.REDIS_URL:
        return {"REDIS_URL": settings.REDIS_URL}
    return {"CELERY_BROKER_FOLDER": str(Path(settings.CELERY_BROKER_TRANSPORT_OPTIONS["data_folder_in"]).parent)}


def _start_worker(*, queue: str, log_path: Path, smtp_url: str = "") -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "CELERY_BROKER_FOLDER")}
    env.update(
        _broker_env(),
        DATABASE_URL=_database_url(),
        DJANGO_SETTINGS_MODULE=os.environ.get("DJANGO_SETTINGS_MODULE", "config.settings"),
        MESSAGES_QUEUE=queue,
        CELERY_DEFAULT_QUEUE=queue,
        SENDING_HOUR_START="0",
        SENDING_HOUR_END="24",
        SENDING_WEEKDAYS="0,1,2,3,4,5,6",
    )
    if smtp_url:
        env["EMAIL_URL"] = smtp_url
    command = [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool=solo", "--loglevel=INFO"]
    command += [f"--queues={queue}", "--without-mingle", "--without-gossip", "--without-heartbeat"]
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with log_path.open("w") as log:
        return subprocess.Popen(command, cwd=settings.BASE_DIR, env=env, stdout=log, stderr=subprocess.STDOUT)


def _wait_until_ready(worker: subprocess.Popen, log_path: Path, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if " ready." in log_path.read_text():
            return
        if worker.poll() is not None:
            break
        time.sleep(0.2)
    raise RuntimeError(f"the bench worker did not start; its log:\n{log_path.read_text()[-3000:]}")


def _beat_period() -> float:
    return float(settings.CELERY_BEAT_SCHEDULE["messaging-dispatch"]["schedule"])


def _drive(queue: str, *, done, timeout: float) -> bool:
    """Publish a dispatcher pass on beat's schedule (DISPATCH_EVERY_SECONDS) until done() or timeout."""
    from messaging.tasks import dispatch_due_messages

    every = _beat_period()
    deadline = time.monotonic() + timeout
    next_pass = 0.0
    while time.monotonic() < deadline:
        if time.monotonic() >= next_pass:
            dispatch_due_messages.apply_async(queue=queue)
            next_pass = time.monotonic() + every
        if done():
            return True
        time.sleep(0.25)
    return done()


def _purge(queue: str) -> None:
    """Drop what is left in the bench's queue (beat passes published after the last mail went)."""
    from config.celery import app

    with app.connection_for_write() as conn:
        conn.default_channel.queue_purge(queue)
        conn.default_channel.queue_delete(queue)


def _wait(predicate, *, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.25)
    return True


def _cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process, from /proc (Linux); 0 elsewhere."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _stop(worker: subprocess.Popen) -> None:
    if worker.poll() is None:
        worker.terminate()
        try:
            worker.wait(timeout=30)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait(timeout=10)


def main() -> None:
    import argparse
    import json

    import django

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=20000)
    parser.add_argument("--timeout", type=float, default=None, help="seconds; default 60 + count / 20")
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    django.setup()
    for result in measure_dispatch(count=args.count, timeout=args.timeout):
        mark = "ok " if result.met else "MISS"
        print(f"{mark} {result.name}: {result.value} {result.unit} (target {result.target}) — {result.note}")
        print("     " + json.dumps(result.extra, default=str))


SHORTEST_RATE_SECONDS = 5.0  # below this, a run measures the worker taking its first tasks more than a rate


def _why_slow(per_cpu_second: float | None, sink_ms: float | None, seconds: float | None = None) -> str:
    """Why fewer than TARGET messages a second: a run too short to tell, the worker's own CPU, or the cores it
    shares with the rest."""
    if seconds is not None and seconds < SHORTEST_RATE_SECONDS:
        return (
            f"; a run of {seconds:.1f} s measures the worker taking its first tasks more than a rate: "
            "the target is for the full-scale run (20,000 messages)"
        )
    if not per_cpu_second:
        return ""
    if per_cpu_second >= TARGET:
        return (
            f"; missed because the worker shares the cores: its own CPU would send {per_cpu_second:,.0f} a second, "
            f"but the SMTP sink ({sink_ms} ms a message), the database and the broker run on the same cores"
        )
    return f"; missed because of the worker's own CPU: {per_cpu_second:,.0f} messages per CPU-second"


if __name__ == "__main__":
    main()
