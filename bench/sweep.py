"""The reminder sweep (messaging.tasks.queue_reminders) over every relationship and person.

Two figures: the scan — the SELECT statements the sweep issues, re-run bare, which is what beat pays every ten
minutes once the reminders of the day exist — and one whole first sweep of a day (scan, render and insert every
due reminder). Both run in a transaction that is rolled back, so the data set is the same for the next section.
At the built size, then (if the data set has fewer) at 1,000,000 relationships, topped up inside that transaction.
"""

import re
import statistics
import time

from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from campaigns.models import Relationship
from messaging.reminders import reminders_queue

from .dataset import Built, top_up_relationships
from .results import Result

TARGET_RELATIONSHIPS = 1_000_000
MAX_SCAN_MS = 1000.0
# The tables the sweep must reach through an index; a small table (users) may be scanned whole.
SWEPT_TABLES = ("campaigns_relationship", "crm_influencer", "messaging_message")
FULL_SCAN = re.compile(r"Seq Scan on (\w+)|\bSCAN (\w+)(?! USING)")


def measure_sweep(*, built: Built, target_relationships: int = TARGET_RELATIONSHIPS, log=print) -> list[Result]:
    results = _measure_once(log=log)
    count = Relationship.objects.count()
    if count < target_relationships:
        with transaction.atomic():
            t = time.monotonic()
            added = top_up_relationships(built=built, total=target_relationships)
            log(f"  topped up {added:,} relationships in {time.monotonic() - t:.0f} s (rolled back afterwards)")
            results += _measure_once(log=log)
            transaction.set_rollback(True)
    return results


def _measure_once(*, log) -> list[Result]:
    relationships = Relationship.objects.count()
    at = f"at {relationships:,} relationships"
    extra: dict = {"relationships": relationships}
    with transaction.atomic():
        with CaptureQueriesContext(connection) as first:
            t = time.perf_counter()
            queued = reminders_queue()
            first_ms = (time.perf_counter() - t) * 1000
        # The same sweep again: the day's reminders exist, so this is the scan alone (what beat repeats).
        with CaptureQueriesContext(connection) as again:
            t = time.perf_counter()
            requeued = reminders_queue()
            again_ms = (time.perf_counter() - t) * 1000
        scans = [_bare_select(q["sql"]) for q in again.captured_queries]
        # A compound scan starts with its first part in parentheses: "(SELECT …) UNION ALL (SELECT …)".
        scans = [sql for sql in scans if sql.lstrip(" (").upper().startswith(("SELECT", "WITH"))]
        scan_ms = _bare(scans)
        plans = [_explain(sql) for sql in scans]
        transaction.set_rollback(True)
    indexed = bool(plans) and not _full_scans(plans)
    log(
        f"  sweep {at}: first {first_ms:.0f} ms ({queued} reminders, {len(first.captured_queries)} queries); "
        f"scan {len(scans)} queries {scan_ms:.1f} ms (again: {again_ms:.1f} ms, {requeued} queued)"
    )
    extra |= {"scan_sql": scans, "plans": plans}
    return [
        Result(
            "sweep",
            f"Reminder sweep {at} · scan queries",
            len(scans),
            "queries",
            "1",
            len(scans) == 1,
            "relationships' clocks and people's own cadence in one UNION ALL"
            if len(scans) == 1
            else f"{len(scans)} SELECT statements when nothing is new",
            extra,
        ),
        Result(
            "sweep",
            f"Reminder sweep {at} · scan time",
            round(scan_ms, 1),
            "ms",
            f"<= {MAX_SCAN_MS:.0f} ms",
            scan_ms <= MAX_SCAN_MS,
            f"whole task when nothing is new: {again_ms:.1f} ms",
            extra,
        ),
        Result(
            "sweep",
            f"Reminder sweep {at} · scan uses an index",
            int(indexed),
            "yes/no",
            "1 (yes)",
            indexed,
            "see the plans in the JSON" if indexed else "full scan of " + ", ".join(_full_scans(plans)),
            extra,
        ),
        Result(
            "sweep",
            f"Reminder sweep {at} · first sweep of a day",
            round(first_ms, 1),
            "ms",
            "(figure)",
            True,
            f"{queued:,} reminders rendered and queued in {len(first.captured_queries)} queries",
            {"relationships": relationships, "queued": queued, "queries": len(first.captured_queries)},
        ),
    ]


DECLARE_CURSOR = re.compile(r"^\s*DECLARE\s+\S+\s+.*?\bCURSOR\s+(?:WITH(?:OUT)?\s+HOLD\s+)?FOR\s+", re.I | re.S)


def _bare_select(sql: str | None) -> str:
    """The SELECT inside a server-side cursor's DECLARE (PostgreSQL runs .iterator() through one)."""
    return DECLARE_CURSOR.sub("", sql or "", count=1)


def _bare(statements: list[str], runs: int = 5) -> float:
    totals = []
    with connection.cursor() as cursor:
        for run in range(runs + 1):
            t = time.perf_counter()
            for sql in statements:
                cursor.execute(sql)
                cursor.fetchall()
            if run:
                totals.append((time.perf_counter() - t) * 1000)
    return statistics.median(totals)


def _explain(sql: str) -> str:
    prefix = "EXPLAIN ANALYZE " if connection.vendor == "postgresql" else "EXPLAIN QUERY PLAN "
    with connection.cursor() as cursor:
        cursor.execute(prefix + sql)
        return "\n".join(" ".join(str(c) for c in row) for row in cursor.fetchall())


def _full_scans(plans: list[str]) -> list[str]:
    tables = {a or b for plan in plans for a, b in FULL_SCAN.findall(plan)}
    return sorted(t for t in tables if t in SWEPT_TABLES)
