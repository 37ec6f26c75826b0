"""What every report is made of, and the SQL pieces the reports share: durations in days, medians."""

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import connections
from django.db.models import Aggregate, Count, Expression, F, FloatField, Func, QuerySet, Window
from django.db.models.functions import RowNumber
from django.utils.translation import gettext_lazy as _

# A report page shows at most this many rows of a long table (and says how many there are); the downloads have all.
PAGE_ROWS = 100


@dataclass
class Table:
    title: str
    columns: list[str]
    rows: list[list[Any]]
    # How many rows there are in all, when `rows` holds only the first of them (a page); None when it holds all.
    total: int | None = None

    @property
    def cut(self) -> bool:
        return self.total is not None and self.total > len(self.rows)


@dataclass
class ReportResult:
    """Key figures (the overview shows them), a chart, and the tables the page and the exports show."""

    figures: list[tuple[str, Any]]
    tables: list[Table]
    # {type, labels, datasets: [{label, data}], stacked, horizontal, counts}: static/js/reports.js draws it; `counts`
    # when every value is a count, so its axis has whole-number ticks only.
    chart: dict = field(default_factory=dict)


class DaysBetween(Func):
    """(end - start) in days, as a float: julianday() on SQLite, the epoch of the interval on PostgreSQL."""

    output_field = FloatField()

    def __init__(self, end, start, **extra):
        super().__init__(end, start, **extra)

    def as_sql(self, compiler, connection, **extra):
        return super().as_sql(
            compiler,
            connection,
            template="(EXTRACT(EPOCH FROM (%(expressions)s)) / 86400.0)",
            arg_joiner=" - ",
            **extra,
        )

    def as_sqlite(self, compiler, connection, **extra):
        return super().as_sql(
            compiler, connection, template="(julianday(%(expressions)s))", arg_joiner=") - julianday(", **extra
        )


class Median(Aggregate):
    """PostgreSQL's continuous median: the mean of the two middle values when their count is even."""

    function = "percentile_cont"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()


def medians(queryset: QuerySet, value: Expression, group: str | None = None) -> dict[Any, float]:
    """Median of `value` over `queryset`, per value of `group` (key None when not grouped); one query.

    PostgreSQL has percentile_cont. Elsewhere (SQLite) the rows are numbered in SQL per group with window
    functions and only the one or two middle rows come back; their mean is the same median.
    """
    rows = queryset.annotate(_value=value).filter(_value__isnull=False).order_by()
    if connections[queryset.db].vendor == "postgresql":
        if group:
            found = rows.values(group).annotate(_median=Median("_value")).values_list(group, "_median")
        else:
            found = [(None, rows.aggregate(_median=Median("_value"))["_median"])]
        return {key: round(m, 1) for key, m in found if m is not None}
    partition = [F(group)] if group else None
    middle = (
        rows.annotate(
            _rank=Window(RowNumber(), partition_by=partition, order_by=[F("_value").asc(), F("pk").asc()]),
            _count=Window(Count("pk"), partition_by=partition),
        )
        .filter(_rank__gte=(F("_count") + 1) / 2, _rank__lte=(F("_count") + 2) / 2)
        .values_list(group or "_count", "_value")
    )
    values: dict[Any, list[float]] = defaultdict(list)
    for key, number in middle:
        values[key if group else None].append(number)
    return {key: round(sum(pair) / len(pair), 1) for key, pair in values.items()}


def head(queryset: QuerySet, limit: int | None) -> tuple[list, int]:
    """The first `limit` rows of an ordered queryset (all when None) and how many rows there are in all: one query.

    The total comes with each row (COUNT(*) OVER (), computed before the LIMIT), so cutting a long list to a page
    costs no COUNT query of its own.
    """
    if limit is None:
        rows = list(queryset)
        return rows, len(rows)
    rows = list(queryset.annotate(_total=Window(Count("pk")))[:limit])
    if not rows:
        return rows, 0
    first = rows[0]
    return rows, first["_total"] if isinstance(first, dict) else first._total


def share(part: int | None, whole: int | None) -> float | None:
    """Percentage with one decimal, None when there is nothing to divide."""
    if not whole:
        return None
    return round(100.0 * (part or 0) / whole, 1)


def person(first: str | None, last: str | None, username: str | None) -> str:
    """A team member's name from values() columns, as get_full_name() or the username."""
    if username is None:
        return str(_("(no owner)"))
    return f"{first or ''} {last or ''}".strip() or username


def number(value):
    """Decimals as floats for JSON and spreadsheets; everything else unchanged."""
    return float(value) if isinstance(value, Decimal) else value
