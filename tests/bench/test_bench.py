"""`manage.py bench` at a tiny scale: every section ends up in the table and the JSON, every figure with a target.

Timings are not checked here (a shared machine is noisy): only that the benchmark runs from end to end, in a
database of its own, and leaves the test database as it found it.
"""

import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection

from bench.report import SECTIONS
from crm.models import Influencer


def _run(tmp_path, *options: str) -> tuple[str, dict]:
    out = tmp_path / "bench.json"
    bench_db = [] if connection.vendor == "postgresql" else ["--bench-db", str(tmp_path / "bench.sqlite3")]
    stdout = StringIO()
    call_command("bench", "--scale", "0.001", "--requests", "1", "--json", str(out), *bench_db, *options, stdout=stdout)
    return stdout.getvalue(), json.loads(out.read_text())


# transaction=True: the command closes the connection to point it at the bench database, which a test wrapped in
# a transaction would not survive.
@pytest.mark.integration
@pytest.mark.django_db(transaction=True)
def test_the_benchmark_measures_every_section_and_gives_each_figure_a_target(tmp_path):
    test_database = connection.settings_dict["NAME"]

    table, data = _run(
        tmp_path,
        "--page",
        "UI Today (marketer)",  # every page is the other test's
        "--dispatch-count",
        "20",
        "--import-rows",
        "50",
        "--load-users",
        "2",
        "--load-seconds",
        "3",
        "--feeds-first",
        "3",
        "--feeds-polled",
        "10",
        "--mailbox-mails",
        "60",
        "--mailbox-polled",
        "3",
        "--mailbox-kills",
        "2",
    )

    assert {r["section"] for r in data["results"]} == set(SECTIONS)
    for result in data["results"]:
        assert isinstance(result["value"], int | float), result
        assert result["target"], result
        assert isinstance(result["met"], bool), result
    for section in SECTIONS:
        assert f"\n{section} " in table
    assert data["meta"]["built"]["sizes"]["influencers"] == 100
    assert connection.settings_dict["NAME"] == test_database
    assert not Influencer.objects.exists()  # the data set went to the bench database, not here


@pytest.mark.django_db(transaction=True)
def test_the_pages_section_times_every_page_with_its_queries_and_its_floor(tmp_path):
    table, data = _run(tmp_path, "--sections", "pages,sweep")

    names = {r["name"] for r in data["results"]}
    for page in ["UI Today (marketer)", "UI Campaign board, big (marketer)", "Admin contacts list", "Report Spread"]:
        assert {f"{page} · queries", f"{page} · p95", f"{page} · page/floor"} <= names, page
    assert "UI Influencers (marketer) · queries at 25 and 100 per page" in names
    # A report is computed on its first view (the bench empties the kept reports first), then read.
    assert "Report Spread · computed (first view)" in names
    assert "Report Spread, overview card · computed (first view)" not in names  # the card reads what the page kept
    p95 = next(r for r in data["results"] if r["name"] == "Report Spread · p95")
    assert "ms: bound by " in p95["note"]
    # A missed ratio says the same.
    ratios = [r for r in data["results"] if r["name"].endswith(" · page/floor")]
    assert all(("bound by " in r["note"]) != r["met"] for r in ratios)
    assert "Admin contacts list · full COUNT(*) over a big table" in names
    # At the built size (a few hundred: 3 campaigns of at most 100 people), then topped up to 1,000 × the scale.
    sweeps = sorted(name for name in names if name.startswith("Reminder sweep at ") and name.endswith("scan time"))
    assert len(sweeps) == 2
    assert "Reminder sweep at 1,000 relationships · scan time" in sweeps
    assert "targets met" in table


@pytest.mark.django_db(transaction=True)
def test_the_import_section_times_the_fast_path_with_its_foreign_key_checks_and_the_server_cpu(django_user_model):
    from bench.imports import measure_import

    django_user_model.objects.create_user("importer")

    fast, memory, default = measure_import(rows=60)

    assert (fast.extra["rows"], fast.unit, memory.unit, default.unit) == (60, "rows/s", "MB", "rows/s")
    # The server's backend is on this machine in tests (127.0.0.1): its CPU time is read; SQLite has none.
    server = fast.extra["server_cpu_seconds"]
    assert (server is not None) == (connection.vendor == "postgresql")
    assert ("database server's backend" in fast.note) == (connection.vendor == "postgresql")
    assert not Influencer.objects.exists()  # rolled back, after the deferred checks ran


def test_the_load_figure_says_how_busy_the_cores_were_and_what_a_request_cost_them(monkeypatch):
    from bench import load

    monkeypatch.setattr(load.os, "cpu_count", lambda: 2)

    busy = load._busy_share((1_000, 10_000), (1_950, 11_000))  # 950 of 1,000 jiffies busy

    assert busy == 0.95
    assert load._why(busy, 60.0, 1_500) == (
        "; the 2 cores were 95% busy during the run (76 ms of CPU per request for the web workers, the database "
        "and locust together): saturated, requests queue for a core"
    )
    assert load._why(0.5, 60.0, 1_500).endswith("locust together)")
    assert load._why(None, 60.0, 1_500) == ""


def test_a_slow_dispatch_says_whether_the_worker_or_the_shared_cores_hold_it():
    from bench.dispatch import _why_slow

    assert _why_slow(826.0, 0.31) == (
        "; missed because the worker shares the cores: its own CPU would send 826 a second, but the SMTP sink "
        "(0.31 ms a message), the database and the broker run on the same cores"
    )
    assert _why_slow(400.0, 0.31) == "; missed because of the worker's own CPU: 400 messages per CPU-second"
    assert _why_slow(769.0, 0.25, 1.3) == (
        "; a run of 1.3 s measures the worker taking its first tasks more than a rate: the target is for the "
        "full-scale run (20,000 messages)"
    )
    assert _why_slow(400.0, 0.31, 40.0).startswith("; missed because of the worker's own CPU")


def test_a_slow_import_says_whether_its_cpu_or_the_machine_s_load_holds_it():
    from bench.imports import _why_slow

    on_postgresql = {"rows": 100_000, "cpu_seconds": 4.6, "server_cpu_seconds": 13.3}
    assert _why_slow(on_postgresql).startswith(
        "; missed because of the CPU it needs: 5,587 rows per CPU-second of the importing process and the database "
        "backend together"
    )
    assert _why_slow({"rows": 100_000, "cpu_seconds": 12.5}) == (
        "; missed because of the CPU it needs: 8,000 rows per CPU-second"
    )
    assert _why_slow({"rows": 100_000, "cpu_seconds": 8.0}) == (
        "; missed because of the machine's load: its CPU alone would allow 12,500 rows a second"
    )
