"""The benchmark's own database, next to the configured one, and the switch that points Django at it.

The switch is the one Django's test runner makes for its test database: close the connection, change the NAME in
the settings, let the next query reconnect. Everything that runs afterwards in this process (the ORM, the views
through the test client, the admin, the reports) reads the bench database, with no alias to thread through.
"""

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from django.conf import settings
from django.core.management import call_command
from django.db import connection


@dataclass(frozen=True)
class BenchDatabase:
    vendor: str  # "postgresql" or "sqlite"
    name: str  # database name (PostgreSQL) or file path (SQLite)
    reused: bool  # a data set built by an earlier run is there and kept

    @property
    def url(self) -> str:
        """A DATABASE_URL for other processes (gunicorn in the load test) to reach the same database."""
        if self.vendor == "sqlite":
            return f"sqlite:///{self.name}"
        s = connection.settings_dict
        auth = quote(s.get("USER") or "")
        if s.get("PASSWORD"):
            auth += ":" + quote(s["PASSWORD"])
        host = s.get("HOST") or "localhost"
        port = f":{s['PORT']}" if s.get("PORT") else ""
        return f"postgres://{auth}@{host}{port}/{self.name}"

    @property
    def label(self) -> str:
        return "postgresql" if self.vendor == "postgresql" else "sqlite"


def bench_name(name: str | None = None) -> str:
    """The bench database for the configured one: `<name>_bench` on PostgreSQL, bench.sqlite3 beside the file."""
    if name:
        return name
    configured = str(connection.settings_dict["NAME"])
    if connection.vendor == "postgresql":
        return f"{configured}_bench"
    return str(Path(configured).with_name("bench.sqlite3"))


def _exists(name: str) -> bool:
    if connection.vendor == "postgresql":
        with connection._nodb_cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
            return cursor.fetchone() is not None
    return Path(name).exists()


def _drop(name: str) -> None:
    if connection.vendor == "postgresql":
        with connection._nodb_cursor() as cursor:
            cursor.execute(f"DROP DATABASE IF EXISTS {connection.ops.quote_name(name)} WITH (FORCE)")
    else:
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(name + suffix).unlink(missing_ok=True)


def _create(name: str) -> None:
    if connection.vendor == "postgresql":
        with connection._nodb_cursor() as cursor:
            cursor.execute(f"CREATE DATABASE {connection.ops.quote_name(name)}")
    else:
        Path(name).parent.mkdir(parents=True, exist_ok=True)


def _switch(name: str) -> None:
    connection.close()
    connection.settings_dict["NAME"] = name
    settings.DATABASES["default"]["NAME"] = name


MARKER_TABLE = "bench_built"


def read_marker() -> dict | None:
    """What the last complete build wrote, or None: a build cut short leaves no marker, so it is made again."""
    with connection.cursor() as cursor:
        if MARKER_TABLE not in connection.introspection.table_names(cursor):
            return None
        cursor.execute(f"SELECT data FROM {MARKER_TABLE}")
        row = cursor.fetchone()
    return json.loads(row[0]) if row else None


def write_marker(data: dict) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TABLE IF NOT EXISTS {MARKER_TABLE} (data text NOT NULL)")
        cursor.execute(f"DELETE FROM {MARKER_TABLE}")
        cursor.execute(f"INSERT INTO {MARKER_TABLE} (data) VALUES (%s)", [json.dumps(data)])


@contextmanager
def bench_database(*, name: str | None = None, keep: bool = False, fingerprint: str = "") -> Iterator[BenchDatabase]:
    """Point Django at a freshly made (or, with keep, the kept) bench database for the duration of the block.

    Without `keep` the database is dropped and made again first, and dropped at the end; with `keep` a complete
    data set built with the same `fingerprint` (the sizes) is reused, and the database is left in place for the
    next run (and for `make load`).
    """
    original = connection.settings_dict["NAME"]
    vendor = connection.vendor
    target = bench_name(name)
    if target == original:
        raise ValueError("The bench database must not be the configured one.")
    reused = False
    if keep and _exists(target):
        _switch(target)
        try:
            reused = (read_marker() or {}).get("fingerprint") == fingerprint
        finally:
            _switch(original)
    if not reused:
        _drop(target)
        _create(target)
    _switch(target)
    try:
        call_command("migrate", interactive=False, verbosity=0)
        yield BenchDatabase(vendor=vendor, name=target, reused=reused)
    finally:
        _switch(original)
        if not keep:
            _drop(target)
