"""Report results kept for a while, so a manager's page reads them instead of computing them again.

At agency scale (years of work: 300,000 relationships, 1,000,000 contacts) a report's SQL takes up to about a second;
its figures move slowly, so a page shows what was computed at most REPORTS_REFRESH_SECONDS ago and says when. Beat
recomputes the default range (the last year) for every language and every time zone the staff read in
(`reports.tasks.refresh_reports`), so opening the reports is instant; any other range is computed on its first
view and kept as long. "Recompute now" on the page computes it again at once.

The results live in the "reports" cache (settings.CACHES): a table of the database by default, shared by every web
process and the worker, and unaffected by an outage of the broker. A result is kept for twice the refresh period, so
a missed refresh leaves the figures a little older rather than gone.

Kept reports name people (the ledger's and the audience's tables): erasing a person drops every one of them
(desk.privacy.erasure), and beat deletes those past their time (`purge_expired`), which Django's database cache
would otherwise leave in the table until it is full.
"""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import caches
from django.db import connections, router
from django.utils import timezone, translation

from reports.filters import ReportFilters
from reports.registry import REPORTS, ReportKind
from reports.selectors.base import PAGE_ROWS, ReportResult

CACHE = settings.REPORTS_CACHE


@dataclass(frozen=True)
class Computed:
    result: ReportResult
    computed_at: datetime.datetime


def cache_key(kind: ReportKind, filters: ReportFilters, limit: int | None) -> str:
    """Everything a result depends on: the report, the filters, the rows asked for, and the reader's language
    (labels) and time zone (where the range's days begin and end)."""
    query = "&".join(f"{name}={value}" for name, value in sorted(filters.as_query().items()))
    zone = timezone.get_current_timezone_name()
    return f"report:{kind.slug}:{translation.get_language()}:{zone}:{limit}:{query}"


def computed(kind: ReportKind, filters: ReportFilters, *, limit: int | None, refresh: bool = False) -> Computed:
    """The report as kept, or computed now (and kept) when there is none yet or `refresh` is asked."""
    cache, key = caches[CACHE], cache_key(kind, filters, limit)
    kept = None if refresh else cache.get(key)
    if kept is None:
        kept = Computed(kind.build(filters, limit=limit), timezone.now())
        cache.set(key, kept, timeout=settings.REPORTS_REFRESH_SECONDS * 2)
    return kept


def refresh_default_range(zones: list[str]) -> int:
    """Compute every report over the default range, as a page shows it, in every language and the given zones."""
    count = 0
    for zone in zones:
        with timezone.override(zone):
            filters = ReportFilters.default()
            for language, _name in settings.LANGUAGES:
                with translation.override(language):
                    for kind in REPORTS.values():
                        computed(kind, filters, limit=PAGE_ROWS, refresh=True)
                        count += 1
    return count


def purge_expired() -> int:
    """Delete the kept reports past their time; how many. Safe to run at once from several beats (a plain DELETE)."""
    cache = caches[CACHE]
    db = router.db_for_write(cache.cache_model_class)
    connection = connections[db]
    table, expires = connection.ops.quote_name(cache._table), connection.ops.quote_name("expires")
    # As Django's database cache writes its expiry: to the second, in UTC, adapted by the database's own operations.
    now = timezone.now().replace(microsecond=0)
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {table} WHERE {expires} < %s", [connection.ops.adapt_datetimefield_value(now)])
        return cursor.rowcount
