"""`python manage.py bench`: build an agency-sized data set in a database of its own, measure, print the table.

Sections: pages (UI and admin), sweep (reminders), dispatch (outbox → SMTP), import (CSV), load (locust against
gunicorn), feeds (HTTP → posts), mailbox (IMAP → contacts; it runs last: the contacts it logs touch the people's
clocks). The exit code is 0 even when targets are missed: the table says which, and why where it can.
"""

import time
from datetime import datetime
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from bench import report
from bench.database import bench_database, read_marker, write_marker
from bench.dataset import Built, Sizes, build
from bench.results import Result

SECTIONS = report.SECTIONS


# Sections that write (and roll back or leave) many rows: a vacuum follows them.
WRITING_SECTIONS = {"sweep", "dispatch", "import", "load", "feeds", "mailbox"}


class Command(BaseCommand):
    help = "Build a large data set in a separate database and measure pages, sweep, dispatch, import and load."

    def add_arguments(self, parser):
        parser.add_argument("--scale", type=float, default=1.0, help="Multiply every default size (0.01: quick run).")
        for name in ("influencers", "relationships", "contacts", "messages", "campaigns"):
            parser.add_argument(f"--{name}", type=int, default=None)
        parser.add_argument("--keep", action="store_true", help="Reuse a data set built with the same sizes; keep it.")
        parser.add_argument("--bench-db", default=None, help="Bench database name (PostgreSQL) or file (SQLite).")
        parser.add_argument(
            "--sections", default=",".join(SECTIONS), help=f"Comma-separated, among {', '.join(SECTIONS)}."
        )
        parser.add_argument("--requests", type=int, default=50, help="Requests per page.")
        parser.add_argument("--page", default="", help="Only the pages whose name contains this.")
        parser.add_argument("--dispatch-count", type=int, default=None, help="Messages to send (20,000 × scale).")
        parser.add_argument("--import-rows", type=int, default=None, help="CSV rows to import (100,000 × scale).")
        parser.add_argument("--sweep-relationships", type=int, default=None, help="1,000,000 × scale.")
        parser.add_argument("--load-users", type=int, default=50)
        parser.add_argument("--load-seconds", type=int, default=60)
        parser.add_argument("--feeds-first", type=int, default=20, help="Feeds polled for the first time.")
        parser.add_argument(
            "--feeds-campaigns", type=int, default=500, help="Open campaigns a new post is matched against."
        )
        parser.add_argument(
            "--feeds-polled", type=int, default=None, help="Feeds polled with nothing new (1,000 × scale)."
        )
        parser.add_argument("--mailbox-mails", type=int, default=None, help="Mails of the first sync (10,000 × scale).")
        parser.add_argument("--mailbox-polled", type=int, default=None, help="Mailboxes polled (200 × scale).")
        parser.add_argument("--mailbox-kills", type=int, default=5, help="SIGKILLs during a first sync.")
        parser.add_argument("--json", default=None, help="Also write the JSON here.")

    def handle(self, *args, **o):
        sections = [s.strip() for s in o["sections"].split(",") if s.strip()]
        unknown = set(sections) - set(SECTIONS)
        if unknown:
            raise CommandError(f"Unknown section(s): {', '.join(sorted(unknown))}. Choose among {', '.join(SECTIONS)}.")
        scale = o["scale"]
        sizes = Sizes.scaled(
            scale, **{k: o[k] for k in ("influencers", "relationships", "contacts", "messages", "campaigns")}
        )
        fingerprint = repr(sizes)
        started = time.monotonic()
        results: list[Result] = []
        meta: dict = {"sections": sections, "scale": scale, "sizes": sizes.__dict__}

        def checkpoint(more: list[Result]) -> None:
            # A long run that is stopped keeps what it measured: the --json file is rewritten as it goes.
            if o["json"]:
                report.write_json(results + more, meta=meta | {"partial": True}, path=Path(o["json"]))

        with bench_database(name=o["bench_db"], keep=o["keep"], fingerprint=fingerprint) as db:
            self.stdout.write(f"Bench database: {db.label} {db.name}")
            built = self._dataset(db, sizes, fingerprint)
            if db.reused:
                self._tidy()
            meta |= {"database": db.label, "database_version": _version(), "built": built.as_dict()}
            for section in sections:
                self.stdout.write(self.style.MIGRATE_HEADING(f"\n{section}"))
                t = time.monotonic()
                results += getattr(self, f"_{section}")(o=o, built=built, db=db, scale=scale, checkpoint=checkpoint)
                checkpoint([])
                self.stdout.write(f"  ({time.monotonic() - t:.0f} s)")
                if section in WRITING_SECTIONS and section != sections[-1]:
                    self._tidy()
        meta["seconds"] = round(time.monotonic() - started, 1)
        title = f"\nBenchmark on {meta['database']} ({meta['database_version']}), {_sizes_line(sizes)}"
        report.print_table(results, self.stdout, title=title)
        stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
        paths = [Path(settings.VAR_DIR) / "bench" / f"{meta['database']}-{stamp}.json"]
        if o["json"]:
            paths.append(Path(o["json"]))
        for path in paths:
            report.write_json(results, meta=meta, path=path)
            self.stdout.write(f"JSON: {path}")

    def _tidy(self) -> None:
        """VACUUM ANALYZE (ANALYZE on SQLite), as autovacuum does on a live database between bursts of writes.

        The sweep tops the data set up with 700,000 relationships and the import with 100,000 people, both rolled
        back: their dead rows stay in the tables and indexes until a vacuum. Left there, PostgreSQL spent 7–17 ms
        planning every join through the relationships table in the sections after (and in a later run that reuses
        the data set), for queries that run in 1 ms.
        """
        t = time.monotonic()
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
        self.stdout.write(f"  (vacuumed in {time.monotonic() - t:.0f} s)")

    def _dataset(self, db, sizes: Sizes, fingerprint: str) -> Built:
        if db.reused:
            marker = read_marker()
            built = Built(**{**marker["built"], "sizes": sizes})
            self.stdout.write(f"Reusing the data set built in {built.seconds:.0f} s ({_sizes_line(sizes)}).")
            return built
        self.stdout.write(f"Building {_sizes_line(sizes)}…")
        built = build(sizes=sizes, log=lambda line: self.stdout.write(line))
        write_marker({"fingerprint": fingerprint, "built": built.as_dict()})
        self.stdout.write(self.style.SUCCESS(f"Data set built in {built.seconds:.1f} s."))
        return built

    # --- sections ------------------------------------------------------------------------------------------------

    def _pages(self, *, o, built, checkpoint, **_) -> list[Result]:
        from bench.pages import measure_pages

        return measure_pages(
            built=built, requests=o["requests"], only=o["page"], log=self.stdout.write, checkpoint=checkpoint
        )

    def _sweep(self, *, o, built, scale, **_) -> list[Result]:
        from bench.sweep import TARGET_RELATIONSHIPS, measure_sweep

        target = o["sweep_relationships"] or max(1, round(TARGET_RELATIONSHIPS * scale))
        return measure_sweep(built=built, target_relationships=target, log=self.stdout.write)

    def _dispatch(self, *, o, scale, **_) -> list[Result]:
        try:
            from bench.dispatch import measure_dispatch
        except ImportError as error:
            return self._not_available("dispatch", error)
        count = o["dispatch_count"] or max(50, round(20_000 * scale))
        return measure_dispatch(count=count)

    def _import(self, *, o, scale, **_) -> list[Result]:
        try:
            from bench.imports import measure_import
        except ImportError as error:
            return self._not_available("import", error)
        rows = o["import_rows"] or max(100, round(100_000 * scale))
        return measure_import(rows=rows)

    def _load(self, *, o, built, db, **_) -> list[Result]:
        try:
            from bench.load import measure_load
        except ImportError as error:
            return self._not_available("load", error)
        return measure_load(
            built=built, database_url=db.url, users=o["load_users"], seconds=o["load_seconds"], log=self.stdout.write
        )

    def _feeds(self, *, o, scale, **_) -> list[Result]:
        from bench.feeds import measure_feeds, measure_matching

        polled = measure_feeds(
            first=o["feeds_first"], polled=o["feeds_polled"] or max(20, round(1_000 * scale)), log=self.stdout.write
        )
        return polled + measure_matching(campaigns=o["feeds_campaigns"], log=self.stdout.write)

    def _mailbox(self, *, o, scale, **_) -> list[Result]:
        from bench.mailbox import measure_mailbox

        return measure_mailbox(
            mails=o["mailbox_mails"] or max(60, round(10_000 * scale)),
            polled=o["mailbox_polled"] or max(3, round(200 * scale)),
            kills=o["mailbox_kills"],
            log=self.stdout.write,
        )

    def _not_available(self, section: str, error: Exception) -> list[Result]:
        self.stdout.write(self.style.WARNING(f"  The {section} section is not available: {error}"))
        return [Result(section, f"{section}: not measured", 0, "", "a figure", False, f"not available: {error}")]


def _version() -> str:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            return "PostgreSQL " + cursor.fetchone()[0].split()[0]
    import sqlite3

    return "SQLite " + sqlite3.sqlite_version


def _sizes_line(sizes: Sizes) -> str:
    return (
        f"{sizes.influencers:,} influencers, {sizes.relationships:,} relationships, {sizes.contacts:,} contacts, "
        f"{sizes.messages:,} messages, {sizes.campaigns:,} campaigns"
    )
