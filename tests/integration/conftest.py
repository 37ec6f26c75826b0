"""Real parts for integration tests: a worker process and the brokers it listens on, an SMTP server (the IMAP
server, which the browser tests share, is in tests/conftest.py)."""

import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone
from kombu import Connection, Exchange, Queue

from bench.smtp_sink import SmtpSink
from messaging.models import Message

BASE_DIR = Path(__file__).resolve().parents[2]


def database_url() -> str:
    """The URL of the database the tests run on (the test database), for another process."""
    s = connection.settings_dict
    if s["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{s['NAME']}"
    password = f":{s['PASSWORD']}" if s.get("PASSWORD") else ""
    return f"postgres://{s['USER']}{password}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


def redis_url() -> str | None:
    return os.environ.get("REDIS_URL") or None


def require_redis() -> str:
    url = redis_url()
    if url is None:
        # .ci/run runs the suite a second time with REDIS_URL set, where this variant runs.
        pytest.skip("REDIS_URL is not set: the Redis variant runs with REDIS_URL (CI's second pass)")
    return url


class Broker:
    """One broker, as the web process would talk to it, and the environment a worker needs for it."""

    def __init__(self, kind: str, tmp_path: Path):
        self.kind = kind
        self.queue = f"test-{uuid.uuid4().hex[:12]}"
        if kind == "redis":
            self.url = require_redis()
            self.transport_options = {}
            self.worker_env = {"REDIS_URL": self.url}
        else:
            folder = tmp_path / "broker"
            for sub in ("queue", "processed", "control"):
                (folder / sub).mkdir(parents=True)
            self.url = "filesystem://"
            self.transport_options = {
                "data_folder_in": str(folder / "queue"),
                "data_folder_out": str(folder / "queue"),
                "processed_folder": str(folder / "processed"),
                "control_folder": str(folder / "control"),
            }
            self.worker_env = {"CELERY_BROKER_FOLDER": str(folder)}

    def connection(self) -> Connection:
        conn = Connection(self.url, transport_options=self.transport_options)
        # Bind the test's own queue so a message published to it is routed, on either transport.
        Queue(self.queue, Exchange(self.queue, type="direct"), routing_key=self.queue).bind(
            conn.default_channel
        ).declare()
        return conn


@pytest.fixture(params=["filesystem", "redis"])
def broker(request, tmp_path) -> Broker:
    return Broker(request.param, tmp_path)


class CeleryProcess:
    """A real `celery` process (a worker or beat) on the test database."""

    def __init__(self, *, env: dict[str, str], log_path: Path):
        self.env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "CELERY_BROKER_FOLDER")}
        self.env.update(env, DATABASE_URL=database_url(), DJANGO_SETTINGS_MODULE="config.settings")
        self.log_path = log_path
        self.proc: subprocess.Popen | None = None

    def command(self) -> list[str]:
        raise NotImplementedError

    def start(self):
        with self.log_path.open("a") as log:
            self.proc = subprocess.Popen(
                self.command(), cwd=BASE_DIR, env=self.env, stdout=log, stderr=subprocess.STDOUT
            )
        return self

    def kill(self) -> None:
        """kill -9: no warm shutdown, no chance to finish or acknowledge anything."""
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(timeout=10)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)

    def end(self) -> None:
        """For a fixture's teardown, once the test has checked all it wanted: a warm shutdown costs ~3 s (the solo
        pool's loop reads its stop flag between two-second waits on the broker), and nothing is left to finish."""
        if self.proc is not None and self.proc.poll() is None:
            self.kill()

    def log(self) -> str:
        return self.log_path.read_text()


class Worker(CeleryProcess):
    """A worker listening only on one queue, so no other worker (a developer's `make run`) competes.

    One process (--pool=solo) unless `concurrency` asks for a pool of that many processes (prefork), as
    production runs it."""

    def __init__(self, *, queue: str, env: dict[str, str], log_path: Path, concurrency: int | None = None):
        super().__init__(env=env, log_path=log_path)
        self.queue = queue
        self.concurrency = concurrency

    def command(self) -> list[str]:
        pool = ["--pool=solo"] if self.concurrency is None else ["--pool=prefork", f"--concurrency={self.concurrency}"]
        command = [sys.executable, "-m", "celery", "-A", "config", "worker", *pool, "--loglevel=INFO"]
        return command + [f"--queues={self.queue}", "--without-mingle", "--without-gossip", "--without-heartbeat"]


class Beat(CeleryProcess):
    def command(self) -> list[str]:
        return [sys.executable, "-m", "celery", "-A", "config", "beat", "--loglevel=INFO"]


@pytest.fixture
def worker_process(broker, transactional_db, tmp_path):
    """A worker on the test's own broker and queue (see Broker)."""
    worker = Worker(queue=broker.queue, env=broker.worker_env, log_path=tmp_path / "worker.log").start()
    yield worker.proc
    worker.end()


def configured_broker_env() -> dict[str, str]:
    """The environment that points a worker at the broker this test process is configured for."""
    url = redis_url()
    if url:
        return {"REDIS_URL": url}
    folder = Path(settings.CELERY_BROKER_TRANSPORT_OPTIONS["data_folder_in"]).parent
    return {"CELERY_BROKER_FOLDER": str(folder)}


@pytest.fixture
def smtp():
    """A real SMTP server (aiosmtpd) that counts what it receives by Message-ID; it advertises PIPELINING, as
    Postfix does, so the workers pipeline their commands (messaging.smtp)."""
    sink = SmtpSink(pipelining=True)
    sink.start()
    yield sink
    sink.stop()


def wait_for(predicate, *, timeout: float = 60.0, interval: float = 0.2):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    return False


def make_due(count: int, *, prefix: str = "m") -> list[str]:
    """`count` due messages to the team (no sending hours apply); returns their Message-IDs."""
    now = timezone.now()
    rows = [
        Message(
            kind=Message.Kind.DIGEST,
            recipient=f"{prefix}{i}@team.example",
            subject=f"Digest {i}",
            body="Bonjour",
            send_at=now,
            key=f"{prefix}:{i}",
            message_id=f"<{prefix}.{i}.{uuid.uuid4().hex}@test>",
        )  # fmt: skip
        for i in range(count)
    ]
    Message.objects.bulk_create(rows, batch_size=500)
    return [r.message_id for r in rows]
