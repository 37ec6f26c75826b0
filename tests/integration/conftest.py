"""Real parts for integration tests: a worker process and the brokers it listens on."""

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.db import connection
from kombu import Connection, Exchange, Queue

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


@pytest.fixture
def worker_process(broker, transactional_db, tmp_path):
    """Start `celery worker` as a separate process on the test database, listening only on the test's queue."""
    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "CELERY_BROKER_FOLDER")}
    env.update(broker.worker_env)
    env["DATABASE_URL"] = database_url()
    env["DJANGO_SETTINGS_MODULE"] = "config.settings"
    log = (tmp_path / "worker.log").open("w")
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            "--pool=solo",
            "--loglevel=INFO",
            f"--queues={broker.queue}",
            "--without-mingle",
            "--without-gossip",
            "--without-heartbeat",
        ],
        cwd=BASE_DIR,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        yield proc
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


def wait_for(predicate, *, timeout: float = 60.0, interval: float = 0.2):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    return False
