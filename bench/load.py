"""The load test: locust's 50 marketers (bench/locustfile.py) against gunicorn on the bench database.

gunicorn runs as in production (DEBUG off, gunicorn.conf.py's workers and threads) on 127.0.0.1:8115, plain http,
so SECURE_SSL_REDIRECT is turned off for it. The figures are locust's own: p95 over every request, failures,
requests per second.
"""

import csv
import json
import os
import shutil
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.test import Client

from campaigns.models import Campaign, Relationship, Stage
from crm.models import Influencer

from .dataset import Built
from .results import Result

PORT = int(os.environ.get("BENCH_LOAD_PORT", "8115"))
MAX_P95_MS = 200.0


def measure_load(*, built: Built, database_url: str, users: int, seconds: int, log=print) -> list[Result]:
    locust = shutil.which("locust", path=str(Path(sys.executable).parent)) or shutil.which("locust")
    if not locust:
        log("  The load section is not available: locust is not installed (make bench installs it).")
        return [Result("load", "load: not measured", 0, "", "a figure", False, "locust is not installed")]
    folder = Path(settings.VAR_DIR) / "bench" / "load"
    folder.mkdir(parents=True, exist_ok=True)
    data_path = folder / "data.json"
    data_path.write_text(json.dumps(_data(built, users)))
    env = _server_env(database_url, folder)
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"],
        cwd=settings.BASE_DIR,
        env=env,
        check=True,
    )
    server_log = (folder / "gunicorn.log").open("w")
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "config.wsgi"],
        cwd=settings.BASE_DIR,
        env=env,
        stdout=server_log,
        stderr=subprocess.STDOUT,
    )
    host = f"http://127.0.0.1:{PORT}"
    try:
        _wait_for(host, server)
        prefix = folder / "locust"
        command = [
            locust,
            "-f",
            str(Path(__file__).with_name("locustfile.py")),
            "--headless",
            "--users",
            str(users),
            "--spawn-rate",
            str(max(1, users // 5)),
            "--run-time",
            f"{seconds}s",
            "--host",
            host,
            "--csv",
            str(prefix),
            "--only-summary",
            "--stop-timeout",
            "5",
            "--exit-code-on-error",
            "0",
        ]
        log(f"  locust: {users} marketers for {seconds} s against gunicorn on {host}")
        cpu_before, started = _cpu_jiffies(), time.monotonic()
        run = subprocess.run(
            command,
            cwd=settings.BASE_DIR,
            env={**os.environ, "BENCH_LOAD_DATA": str(data_path)},
            capture_output=True,
            text=True,
            timeout=seconds + 120,
        )
        busy = _busy_share(cpu_before, _cpu_jiffies())
        elapsed = time.monotonic() - started
        (folder / "locust.log").write_text(run.stdout + run.stderr)
        stats = _read_stats(Path(f"{prefix}_stats.csv"))
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
        server_log.close()
    workers = str(_workers_booted(folder / "gunicorn.log"))
    return _results(stats, users=users, seconds=seconds, workers=workers, busy=busy, elapsed=elapsed)


def _workers_booted(log_path: Path) -> int:
    """How many workers gunicorn started (gunicorn.conf.py decides; its log says)."""
    return sum("Booting worker with pid" in line for line in log_path.read_text().splitlines())


def _cpu_jiffies() -> tuple[int, int] | None:
    """(busy, total) time of all the machine's cores since boot, from /proc/stat (None where there is none)."""
    try:
        fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]]
    except (OSError, ValueError):
        return None
    idle = fields[3] + fields[4]  # idle and iowait
    return sum(fields) - idle, sum(fields)


def _busy_share(before, after) -> float | None:
    if not before or not after or after[1] == before[1]:
        return None
    return (after[0] - before[0]) / (after[1] - before[1])


def _why(busy: float | None, elapsed: float, requests: int) -> str:
    """Why the p95 is what it is: how busy the machine's cores were, and the CPU each request cost them."""
    if busy is None or not requests:
        return ""
    cores = os.cpu_count() or 1
    per_request = busy * cores * elapsed * 1000 / requests
    text = (
        f"; the {cores} cores were {busy:.0%} busy during the run ({per_request:.0f} ms of CPU per request for the "
        "web workers, the database and locust together)"
    )
    return text + (": saturated, requests queue for a core" if busy >= 0.9 else "")


def _data(built: Built, users: int) -> dict:
    """Sessions for the marketers (logged in beforehand), and ids the scenario picks from."""
    marketers = list(get_user_model().objects.filter(username__in=built.marketers).order_by("username"))
    sessions = []
    for n in range(users):
        client = Client()
        client.force_login(marketers[n % len(marketers)])
        sessions.append(client.cookies[settings.SESSION_COOKIE_NAME].value)
    running = list(
        Campaign.objects.filter(status=Campaign.Status.RUNNING)
        .exclude(pk=built.big_campaign_id)
        .values_list("pk", flat=True)[:50]
    )
    pitched = list(
        Relationship.objects.filter(stage=Stage.PITCHED)
        .exclude(campaign_id=built.big_campaign_id)
        .order_by("pk")
        .values_list("pk", flat=True)[: users * 40]
    )
    regions = list(Influencer.objects.order_by().values_list("region", flat=True).distinct()[:20])
    return {
        "sessions": sessions,
        "users": users,
        "influencers": built.sizes.influencers,
        "campaigns": running or [built.big_campaign_id],
        "pitched": pitched,
        "regions": [r for r in regions if r] or ["Bretagne"],
    }


def _server_env(database_url: str, folder: Path) -> dict:
    broker = folder / "celery"
    for sub in ("queue", "processed", "control"):
        (broker / sub).mkdir(parents=True, exist_ok=True)
    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL",)}
    env.update(
        DATABASE_URL=database_url,
        DEBUG="false",
        # The sessions were signed by this process: the server must read them with the same key.
        SECRET_KEY=settings.SECRET_KEY,
        ALLOWED_HOSTS="127.0.0.1,localhost",
        MAILBOX_KEYS=",".join(settings.MAILBOX_KEYS) or "YmVuY2gtb25seS1ub3QtYS1zZWNyZXQtMzItYnl0ZXM=",
        SECURE_SSL_REDIRECT="false",
        BIND=f"127.0.0.1:{PORT}",
        # Moves queue messages after commit: into a broker folder of the load test's own, no worker reads it.
        CELERY_BROKER_FOLDER=str(broker),
        LOG_LEVEL="WARNING",
    )
    return env


def _wait_for(host: str, server: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError("gunicorn stopped at start; see var/bench/load/gunicorn.log")
        try:
            with urllib.request.urlopen(f"{host}/healthz", timeout=2):
                return
        except OSError:
            time.sleep(0.5)
    raise RuntimeError(f"gunicorn did not answer on {host} within {timeout:.0f} s")


def _read_stats(path: Path) -> dict:
    rows = {}
    if not path.exists():
        return rows
    with path.open() as f:
        for row in csv.DictReader(f):
            rows[row["Name"]] = row
    return rows


def _number(text: str) -> float:
    """Locust writes N/A where there was no request to measure."""
    try:
        return float(text)
    except ValueError:
        return 0.0


def _results(
    stats: dict, *, users: int, seconds: int, workers: str, busy: float | None = None, elapsed: float = 0.0
) -> list[Result]:
    total = stats.get("Aggregated")
    if not total:
        return [Result("load", "load: no figures", 0, "", "a figure", False, "locust wrote no stats; see its log")]
    requests = int(total["Request Count"])
    failures = int(total["Failure Count"])
    p95 = _number(total["95%"])
    per_endpoint = {
        name: {"requests": int(r["Request Count"]), "failures": int(r["Failure Count"]), "p95_ms": _number(r["95%"])}
        for name, r in stats.items()
        if name != "Aggregated"
    }
    slowest = sorted(per_endpoint.items(), key=lambda kv: -kv[1]["p95_ms"])[:3]
    extra = {
        "users": users,
        "seconds": seconds,
        "gunicorn_workers": workers,
        "endpoints": per_endpoint,
        "cores_busy_share": None if busy is None else round(busy, 3),
    }
    scenario = f"{users} marketers, {seconds} s, gunicorn + {workers} workers"
    return [
        Result(
            "load",
            "Load · p95, all requests",
            p95,
            "ms",
            f"<= {MAX_P95_MS:.0f} ms",
            requests > 0 and p95 <= MAX_P95_MS,
            f"{scenario}; slowest p95: "
            + ", ".join(f"{n} {v['p95_ms']:.0f} ms" for n, v in slowest)
            + _why(busy, elapsed, requests),
            extra,
        ),
        Result("load", "Load · failures", failures, "requests", "0", failures == 0, f"of {requests:,} requests", extra),
        Result(
            "load",
            "Load · throughput",
            round(_number(total["Requests/s"]), 1),
            "req/s",
            "(figure)",
            True,
            f"median {_number(total['Median Response Time']):.0f} ms",
            extra,
        ),
    ]
