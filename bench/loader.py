"""Bulk loading for the benchmark's data set: COPY on PostgreSQL, big executemany batches on SQLite.

The data set builder gives the columns it cares about; every other concrete column of the model is filled with the
field's default (or now() for auto_now fields, NULL when nullable), computed once. A field added to a model later
therefore does not break the benchmark as long as it has a default or is nullable, like any migration would need.
"""

from collections.abc import Iterable, Iterator
from datetime import UTC, date, datetime
from decimal import Decimal
from itertools import islice

from django.core.management.color import no_style
from django.db import connection, models, transaction

SQLITE_BATCH = 20_000


class Loader:
    def __init__(self, *, now: datetime):
        self.now = now
        self.vendor = connection.vendor
        self.counts: dict[str, int] = {}

    def load(self, model: type[models.Model], columns: list[str], rows: Iterable[tuple]) -> int:
        """Insert `rows` (tuples in the order of `columns`, attnames) into the model's table; return the count."""
        fields = list(model._meta.concrete_fields)
        by_attname = {f.attname: f for f in fields}
        unknown = [c for c in columns if c not in by_attname]
        if unknown:
            raise ValueError(f"{model.__name__} has no column(s) {unknown}")
        # A primary key left out is the database's to number.
        rest = [f for f in fields if f.attname not in columns and not f.primary_key]
        constants = tuple(self._constant(f) for f in rest)
        all_columns = [*columns, *(f.attname for f in rest)]
        db_columns = [by_attname[c].column for c in all_columns]
        table = model._meta.db_table
        if self.vendor == "postgresql":
            count = self._copy(table, db_columns, rows, constants)
        else:
            converters = [_sqlite_converter(by_attname[c]) for c in columns]
            constants = tuple(_sqlite_value(v) for v in constants)
            count = self._executemany(table, db_columns, rows, constants, converters)
        self.counts[table] = self.counts.get(table, 0) + count
        return count

    def _constant(self, field: models.Field):
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            return self.now if isinstance(field, models.DateTimeField) else self.now.date()
        if field.has_default():
            value = field.get_default()
        elif field.null:
            return None
        elif isinstance(field, models.CharField | models.TextField):
            value = ""
        else:
            raise ValueError(
                f"bench: {field.model.__name__}.{field.name} has no default and is not nullable; "
                "give it a value in bench/dataset/"
            )
        return field.get_db_prep_save(value, connection)

    def _copy(self, table: str, columns: list[str], rows: Iterable[tuple], constants: tuple) -> int:
        qn = connection.ops.quote_name
        sql = f"COPY {qn(table)} ({', '.join(qn(c) for c in columns)}) FROM STDIN"
        count = 0
        connection.ensure_connection()
        with transaction.atomic(), connection.connection.cursor() as cursor, cursor.copy(sql) as copy:
            if constants:
                for row in rows:
                    copy.write_row(row + constants)
                    count += 1
            else:
                for row in rows:
                    copy.write_row(row)
                    count += 1
        return count

    def _executemany(
        self, table: str, columns: list[str], rows: Iterable[tuple], constants: tuple, converters: list
    ) -> int:
        qn = connection.ops.quote_name
        placeholders = ", ".join(["%s"] * len(columns))
        sql = f"INSERT INTO {qn(table)} ({', '.join(qn(c) for c in columns)}) VALUES ({placeholders})"
        convert = [(i, conv) for i, conv in enumerate(converters) if conv is not None]

        def adapted(batch):
            for row in batch:
                if convert:
                    row = list(row)
                    for i, conv in convert:
                        value = row[i]
                        if value is not None:
                            row[i] = conv(value)
                    yield (*row, *constants)
                else:
                    yield row + constants

        count = 0
        iterator: Iterator[tuple] = iter(rows)
        with transaction.atomic(), connection.cursor() as cursor:
            while batch := list(islice(iterator, SQLITE_BATCH)):
                cursor.executemany(sql, list(adapted(batch)))
                count += len(batch)
        return count

    def reset_sequences(self, model_list: list[type[models.Model]]) -> None:
        """Explicit ids were written: move each table's sequence past them so the app can insert again."""
        statements = connection.ops.sequence_reset_sql(no_style(), model_list)
        with connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)

    def analyze(self) -> None:
        """Fresh statistics (and on PostgreSQL a visibility map for index-only scans), as a live database has."""
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE" if self.vendor == "postgresql" else "ANALYZE")


def _sqlite_datetime(value: datetime) -> str:
    # Django's SQLite backend stores aware datetimes as naive UTC text.
    return str(value.astimezone(UTC).replace(tzinfo=None))


def _sqlite_converter(field: models.Field):
    if isinstance(field, models.DateTimeField):
        return _sqlite_datetime
    if isinstance(field, models.DateField):
        return date.isoformat
    if isinstance(field, models.DecimalField):
        return str
    if isinstance(field, models.BooleanField):
        return int
    return None


def _sqlite_value(value):
    if isinstance(value, datetime):
        return _sqlite_datetime(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, bool):
        return int(value)
    return value
