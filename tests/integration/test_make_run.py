"""`make run` as a developer sees it: honcho starts the Procfile's processes, Ctrl-C stops them all, cleanly.

honcho sends SIGTERM to each process group on Ctrl-C and SIGKILL 5 s after the first one stopped: a process that
outlives that is killed mid-shutdown (and `make` reports an error). The processes run on a throw-away SQLite
database and broker folder, on a free port, so a developer's own `make run` is not disturbed.
"""

import os
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path

import pytest
from django.conf import settings

from tests.integration.conftest import BASE_DIR, wait_for

pytestmark = pytest.mark.integration

BIN = Path(sys.executable).parent
PROCESSES = ("web", "worker", "beat")
# A log line (gunicorn's, its access log's, Celery's) and a time of day in it: honcho's prefix is the one clock a
# line should carry, and the processes' own were in other time zones (the machine's, the team's).
LOG_LINE = re.compile(r"\[(DEBUG|INFO|WARNING|ERROR|CRITICAL)|HTTP/1\.1\"")
OWN_CLOCK = re.compile(r"\d{2}:\d{2}:\d{2}")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def beat_started(run_env: dict[str, str]) -> bool:
    """Beat has written the schedule into the database (django-celery-beat's setup): a Ctrl-C before that catches
    it mid-write, where it hangs until honcho's SIGKILL. A person does not press Ctrl-C within that second; the
    tests wait it out so that they measure the stop, not that race."""
    path = run_env["DATABASE_URL"].removeprefix("sqlite:///")
    try:
        with closing(sqlite3.connect(path, timeout=1)) as db:
            names = {row[0] for row in db.execute("SELECT name FROM django_celery_beat_periodictask")}
    except sqlite3.Error:
        return False
    return set(settings.CELERY_BEAT_SCHEDULE) <= names


@contextmanager
def started(
    command: list[str], run_env: dict[str, str], console: Path, *, timeout: float
) -> Iterator[subprocess.Popen]:
    """`command` (honcho or make) running in a process group of its own, once web answers, the worker is ready and
    beat has written its schedule; killed on the way out if the test left it running."""
    with console.open("w") as out:
        process = subprocess.Popen(
            command, cwd=BASE_DIR, env=run_env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    try:
        base = f"http://{run_env['BIND']}"
        assert wait_for(lambda: status_of(f"{base}/healthz") in (200, 503), timeout=timeout), console.read_text()
        assert wait_for(lambda: "ready." in console.read_text(), timeout=30), console.read_text()
        assert wait_for(lambda: beat_started(run_env), timeout=30), console.read_text()
        yield process
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def status_of(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code
    except OSError:
        return 0


@pytest.fixture
def run_env(tmp_path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "DATABASE_URL", "EMAIL_URL")}
    env.update(
        PATH=f"{BIN}{os.pathsep}{env['PATH']}",
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        CELERY_BROKER_FOLDER=str(tmp_path / "broker"),
        BIND=f"127.0.0.1:{free_port()}",
        DEMO_FEEDS_PORT=str(free_port()),
        DEBUG="true",
    )
    env.pop("DJANGO_SETTINGS_MODULE", None)
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v0"], cwd=BASE_DIR, env=env, check=True, timeout=120
    )
    return env


def test_ctrl_c_stops_web_worker_and_beat_within_honchos_grace_with_status_0(run_env, tmp_path):
    console = tmp_path / "console.log"
    base = f"http://{run_env['BIND']}"
    with started([str(BIN / "honcho"), "start", "--no-colour"], run_env, console, timeout=40) as honcho:
        # A visitor sent to the login page, and a page that is not there: one line each.
        assert status_of(f"{base}/nowhere/") == 404

        honcho.send_signal(signal.SIGINT)  # what Ctrl-C sends honcho (its children have sessions of their own)
        asked = time.monotonic()
        honcho.wait(timeout=15)
        took = time.monotonic() - asked
    text = console.read_text()

    assert "SIGKILL" not in text, text
    assert {name: f"{name}.1 stopped (rc=0)" in text for name in PROCESSES} == dict.fromkeys(PROCESSES, True), text
    assert took < 6, text
    assert "Traceback" not in text, text
    logged = [line.split("|", 1)[-1] for line in text.splitlines() if LOG_LINE.search(line)]
    assert any('"GET /nowhere/ HTTP/1.1" 404' in line for line in logged), text
    assert [line for line in logged if OWN_CLOCK.search(line)] == []


def test_ctrl_c_on_make_run_ends_it_with_status_0_and_no_error_line(run_env, tmp_path):
    """The README's own command, whole (demo data included), stopped as a terminal's Ctrl-C does: SIGINT to the
    foreground process group, make and its shell as well as honcho. The recipe's trap must keep make from reporting
    "Interrupt" or "Error 130" while honcho is still stopping web, worker and beat."""
    console = tmp_path / "make.log"
    # Its own process group (started): the SIGINT below reaches make, its shell and honcho, as a terminal's does.
    with started(["make", "--no-print-directory", "run"], run_env, console, timeout=240) as make:
        os.killpg(make.pid, signal.SIGINT)
        make.wait(timeout=20)
    text = console.read_text()

    # make ends by re-raising SIGINT on itself once its recipe is over, as any program stopped by Ctrl-C: the
    # terminal shows a new prompt. Without the recipe's trap it printed "make: *** [run] Interrupt" first.
    assert make.returncode in (0, -signal.SIGINT), text
    assert not re.search(r"make: \*\*\*|Interrupt|Error 130", text), text
    assert {name: f"{name}.1 stopped (rc=0)" in text for name in PROCESSES} == dict.fromkeys(PROCESSES, True), text
