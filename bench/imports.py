"""Issue #7's import figures: a CSV of influencers, the fast path against django-import-export's default path.

Run alone: `python -m bench.imports --rows 100000` (on the database of DATABASE_URL; nothing stays written, every
import is rolled back). `measure_import()` is what `manage.py bench` calls.

- The fast path (crm.imports.influencers_import) runs in a fresh child process on the same database,
  so that its peak RSS is the import's own, not whatever the benchmark built before.
- django-import-export's default path is a plain ModelResource (row by row, a query or two per row, one savepoint
  per row): it is slow, so it runs on the first DEFAULT_PATH_ROWS rows and its rate is extrapolated.
"""

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
DEFAULT_PATH_ROWS = 2_000
TARGET_ROWS_PER_SECOND = 10_000
TARGET_PEAK_MB = 500
KINDS = ["blogger", "ambassador", "micro_influencer", "journalist", "podcaster", "Brand ambassador"]
REGIONS = [
    ("Nantes", "Pays de la Loire"),
    ("Lille", "Hauts-de-France"),
    ("Besançon", "Bourgogne-Franche-Comté"),
    ("Paris", "Île-de-France"),
    ("Saint-Étienne", "Auvergne-Rhône-Alpes"),
]
TOPICS = ["mode", "cuisine", "vélo", "écologie", "musique", "sport", "voyage", "beauté", "tech", "jeux vidéo"]


def people_csv(rows: int, *, tag: str) -> bytes:
    """`rows` new people in the import's format (";", a BOM, CRLF), each with two topics and two or three handles."""
    lines = ["\ufeffname;email;kind;language;city;region;country;topics;instagram;youtube;tiktok"]
    for n in range(rows):
        city, region = REGIONS[n % len(REGIONS)]
        tiktok = f"tok{tag}{n}" if n % 3 == 0 else ""
        lines.append(
            f"Person {n} {tag};p{n}.{tag}@example.org;{KINDS[n % len(KINDS)]};fr;{city};{region};FR;"
            f"{TOPICS[n % 10]}|{TOPICS[(n * 7 + 3) % 10]};@insta{tag}{n};tube{tag}{n};{tiktok}"
        )
    return ("\r\n".join(lines) + "\r\n").encode()


def _rollback_after(run):
    """Run `run()` in a transaction that is rolled back: the benchmark's database stays as it was."""
    from django.db import transaction

    class Rollback(Exception):
        pass

    result = {}
    try:
        with transaction.atomic():
            result.update(run())
            raise Rollback
    except Rollback:
        pass
    return result


def _server_cpu_seconds() -> float | None:
    """CPU time used so far by this connection's PostgreSQL backend, when the server runs on this machine (Linux).

    On PostgreSQL the import's writing is mostly the server's work (index upkeep of COPY), which the importing
    process's own CPU time does not show: both are reported.
    """
    from django.db import connection

    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    try:
        if Path(f"/proc/{pid}/comm").read_text().strip() != "postgres":
            return None
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:  # another machine's server, or no /proc
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime


def fast_path(path: str) -> dict:
    """Import the file with the fast path (what the Celery task runs), rolled back; time and peak RSS."""
    from django.contrib.auth import get_user_model
    from django.db import connection

    from crm.imports import influencers_import
    from crm.imports.reading import csv_rows, decode_csv, numbered_rows

    def run():
        by = get_user_model().objects.order_by("pk").first()
        server = _server_cpu_seconds()
        started, cpu = time.perf_counter(), time.process_time()
        text = decode_csv(Path(path).read_bytes())
        outcome = influencers_import(rows=numbered_rows(csv_rows(text)), by=by, progress=lambda n: None)
        # PostgreSQL checks the foreign keys (deferred, as Django declares them) at commit, which a rolled-back
        # import never reaches: run the checks now, inside the timing, as a real import's commit would.
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
        if server is not None:
            server = _server_cpu_seconds() - server
        assert not outcome.invalid, outcome.errors[:5]
        return {
            "seconds": seconds,
            "cpu_seconds": cpu,
            "server_cpu_seconds": server,
            "rows": outcome.created + outcome.updated,
        }

    result = _rollback_after(run)
    result["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: kilobytes
    return result


def default_path(path: str, rows: int) -> dict:
    """django-import-export's default import (no bulk, a savepoint per row) of the first `rows` rows, rolled back."""
    import tablib
    from import_export import resources

    from crm.imports.rules import PERSON_COLUMNS
    from crm.models import Influencer

    class DefaultResource(resources.ModelResource):
        class Meta:
            model = Influencer
            fields = PERSON_COLUMNS
            import_id_fields = ["email"]

    with open(path, encoding="utf-8-sig", newline="") as file:
        header = file.readline().strip().split(";")
        dataset = tablib.Dataset(headers=header)
        for _n, line in zip(range(rows), file, strict=False):
            dataset.append(line.rstrip("\r\n").split(";"))
    dataset = dataset.subset(cols=PERSON_COLUMNS)
    # Its choices are values, not labels: give it the values the fast path would have read.
    kind = dataset.headers.index("kind")
    dataset = tablib.Dataset(
        *[
            tuple("ambassador" if i == kind and v == "Brand ambassador" else v for i, v in enumerate(r))
            for r in dataset
        ],
        headers=dataset.headers,
    )

    def run():
        started = time.perf_counter()
        result = DefaultResource().import_data(dataset, dry_run=False)
        seconds = time.perf_counter() - started
        assert not result.has_errors() and not result.has_validation_errors()
        return {"seconds": seconds, "rows": len(dataset)}

    return _rollback_after(run)


def _vacuum_written_tables() -> None:
    """VACUUM what an import writes, on PostgreSQL: a rolled-back import leaves its rows behind, dead, in the tables
    and in every index. Autovacuum clears them in production, but it may be off (it is on the bench machine), and
    then each run would write into bigger, emptier tables and indexes than the last one and measure that as well:
    nine runs made the people table eight times its size. Not timed."""
    from django.db import connection

    from crm.models import Channel, Influencer, Topic

    if connection.vendor != "postgresql":
        return
    models = [Influencer, Influencer.history.model, Influencer.topics.through, Channel, Topic]
    tables = ", ".join(connection.ops.quote_name(model._meta.db_table) for model in models)
    with connection.cursor() as cursor:
        cursor.execute(f"VACUUM {tables}")


def _database_url() -> str:
    from django.db import connection

    s = connection.settings_dict
    if s["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{s['NAME']}"
    password = f":{s['PASSWORD']}" if s.get("PASSWORD") else ""
    return f"postgres://{s['USER']}{password}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


def _fast_path_in_child(path: str) -> dict:
    # As a production worker runs: DEBUG off (with it on, Django keeps and formats every query).
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DEBUG": "false",
        "SECRET_KEY": os.environ.get("SECRET_KEY") or "bench-only-not-a-secret",
        "ALLOWED_HOSTS": os.environ.get("ALLOWED_HOSTS") or "localhost",
        "MAILBOX_KEYS": os.environ.get("MAILBOX_KEYS") or "YmVuY2gtb25seS1ub3QtYS1zZWNyZXQtMzItYnl0ZXM=",
    }
    done = subprocess.run(
        [sys.executable, "-m", "bench.imports", "--fast-path", path],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def _server_note(fast: dict) -> str:
    server = fast.get("server_cpu_seconds")
    if server is None:
        return ""
    both = fast["cpu_seconds"] + server
    return (
        f", {server:.1f} s CPU in the database server's backend ({fast['rows'] / both:,.0f} rows per CPU-second of "
        "both together)"
    )


def _why_slow(fast: dict) -> str:
    """Why fewer than the target rows a second: the CPU the import needs, or the machine's load."""
    cpu = fast["cpu_seconds"] + (fast.get("server_cpu_seconds") or 0)
    per_cpu_second = fast["rows"] / cpu if cpu else 0
    if per_cpu_second and per_cpu_second < TARGET_ROWS_PER_SECOND:
        if fast.get("server_cpu_seconds") is not None:
            return (
                f"; missed because of the CPU it needs: {per_cpu_second:,.0f} rows per CPU-second of the importing "
                "process and the database backend together, most of it the backend's (index upkeep, foreign-key "
                "checks), and the two barely overlap"
            )
        return f"; missed because of the CPU it needs: {per_cpu_second:,.0f} rows per CPU-second"
    return f"; missed because of the machine's load: its CPU alone would allow {per_cpu_second:,.0f} rows a second"


def measure_import(*, rows: int = 100_000) -> list:
    from django.db import connection

    from bench.results import Result

    vendor = connection.vendor
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "people.csv")
        Path(path).write_bytes(people_csv(rows, tag=f"b{int(time.time())}"))
        _vacuum_written_tables()  # what earlier runs left
        fast = _fast_path_in_child(path)
        _vacuum_written_tables()
        subset = min(rows, DEFAULT_PATH_ROWS)
        default = default_path(path, subset)
        _vacuum_written_tables()
    fast_rate = fast["rows"] / fast["seconds"]
    default_rate = default["rows"] / default["seconds"]
    file_note = f"{rows:,} new people, 2 topics and 2–3 handles each, {vendor}"
    return [
        Result(
            section="import",
            name="CSV import, fast path (Celery task)",
            value=round(fast_rate),
            unit="rows/s",
            target=f">= {TARGET_ROWS_PER_SECOND:,} rows/s",
            met=fast_rate >= TARGET_ROWS_PER_SECOND,
            note=(
                f"{file_note}; {fast['seconds']:.1f} s wall, {fast['cpu_seconds']:.1f} s CPU in the importing process "
                f"({fast['rows'] / fast['cpu_seconds']:,.0f} rows per CPU-second: the wall figure depends on the "
                f"machine's load){_server_note(fast)}; people, history, topics and channels written, then rolled back"
                + ("" if fast_rate >= TARGET_ROWS_PER_SECOND else _why_slow(fast))
            ),
            extra={**fast, "vendor": vendor},
        ),
        Result(
            section="import",
            name="CSV import, fast path peak memory",
            value=round(fast["peak_mb"]),
            unit="MB",
            target=f"<= {TARGET_PEAK_MB} MB",
            met=fast["peak_mb"] <= TARGET_PEAK_MB,
            note="peak RSS of a fresh process doing only the import (Django included)",
            extra={"vendor": vendor},
        ),
        Result(
            section="import",
            name="CSV import, django-import-export default path",
            value=round(default_rate),
            unit="rows/s",
            target="for comparison",
            met=True,
            note=(
                f"plain ModelResource, row by row, person columns only (no topics or channels); measured on the "
                f"first {subset:,} rows ({default['seconds']:.1f} s) and extrapolated; "
                f"the fast path is {fast_rate / default_rate:.0f}× faster"
            ),
            extra={"seconds": default["seconds"], "rows": subset, "vendor": vendor},
        ),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--fast-path", metavar="CSV", help=argparse.SUPPRESS)  # the child process's job
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    if args.fast_path:
        print(json.dumps(fast_path(args.fast_path)))
        return
    for r in measure_import(rows=args.rows):
        mark = "ok " if r.met else "MISSED"
        print(f"{mark} {r.name:<50} {r.value:>10,.0f} {r.unit:<7} {r.target:<20} {r.note}")


if __name__ == "__main__":
    main()
