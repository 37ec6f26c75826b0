"""Every page of the UI and of the admin, timed through Django's test client against its own raw SQL.

For each page: median and p95 server time over N requests, the SQL query count, and the floor — the page's own SQL
statements (captured once) re-run bare through a cursor. The ratio page / floor says how much time goes to Python
(ORM, forms, templates) rather than to the database; the query count says whether the page grows with the data.
The captured SQL is also read for the two things that get slow first on big tables: an unfiltered COUNT(*) (admin
changelists) and a deep OFFSET (page 4,000 of a list).
"""

import math
import re
import statistics
import time
from dataclasses import dataclass, field

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.core.cache import caches
from django.db import connection
from django.db.models import F
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings
from django.urls import NoReverseMatch, reverse

from campaigns.models import Campaign, Relationship, Stage
from core.admin.paging import MAX_PAGES
from crm.models import Influencer, Topic

from .dataset import Built
from .page_checks import DIRECTORY_PAGE, Check, admin_page, check_page, directory_order, directory_page, lists, shows
from .results import Result

MAX_QUERIES = 10
MAX_P95_MS = 150.0
MAX_RATIO = 1.5
# "A few pages": an OFFSET beyond this many pages of its own LIMIT is a deep one.
FEW_PAGES = 4
# A slow page is measured fewer times rather than holding the run for minutes; at least MIN_REQUESTS.
PAGE_BUDGET_SECONDS = 8.0
MIN_REQUESTS = 2

COUNT_FROM = re.compile(r'COUNT\(\*\).*?\bFROM\s+"?(\w+)"?', re.IGNORECASE | re.DOTALL)
OFFSET = re.compile(r"\bLIMIT\s+(\d+)\s+OFFSET\s+(\d+)", re.IGNORECASE)


# A person's row in the directory (templates/crm/influencers/list.html): their name, linked to their page.
@dataclass
class Page:
    name: str
    url: str
    user: str
    area: str  # "ui", "admin", "report"
    is_list: bool = False
    # The same list at page size 25 and 100: the query count must not change.
    sizes: tuple[str, str] | None = None
    # What proves it is the page named (checked on its first response), and, for `sizes`, each size's own.
    check: Check | None = None
    size_checks: tuple[Check, Check] | None = None


@dataclass
class Measured:
    page: Page
    status: int
    queries: int
    times_ms: list[float]
    floor_ms: float
    skipped_statements: int
    # The slowest statements of the floor, for the "why" of a slow page: (median ms, SQL).
    slowest: list[tuple[float, str]] = field(default_factory=list)
    full_counts: list[str] = field(default_factory=list)
    deep_offsets: list[int] = field(default_factory=list)
    counts_by_size: tuple[int, int] | None = None
    # The first request, before the warm-up's caches: for a report, the time to compute it (then it is kept).
    first_ms: float = 0.0

    @property
    def median_ms(self) -> float:
        return statistics.median(self.times_ms)

    @property
    def p95_ms(self) -> float:
        return _percentile(self.times_ms, 95)


def _percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    if len(ordered) == 1:
        return ordered[0]
    rank = (len(ordered) - 1) * pct / 100
    low = int(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def pages_for(built: Built) -> list[Page]:
    marketer = built.marketers[0]  # the one who owns the most: the busiest Today page
    manager = built.manager
    person, campaign = built.long_person_id, built.big_campaign_id
    topic = Topic.objects.order_by("pk").values_list("pk", flat=True).first()
    on_board = Relationship.objects.filter(campaign_id=campaign)
    at = {s: on_board.filter(stage=s).order_by("pk").values_list("pk", flat=True).first() for s in Stage.values}
    deep = max(1, int(built.sizes.influencers / DIRECTORY_PAGE * 0.8))
    everyone = min(built.sizes.influencers, 100)
    deep_url, deep_first = directory_page(deep)
    _first_url, first = directory_page(1)
    largest = (
        directory_order(F("audience").desc(nulls_last=True), "name_lower", "pk").values_list("pk", flat=True).first()
    )
    person_name = Influencer.objects.values_list("name", flat=True).get(pk=person)
    campaign_name = Campaign.objects.values_list("name", flat=True).get(pk=campaign)

    def mine(name: str, url: str, **options) -> Page:
        return Page(f"UI {name} (marketer)", url, marketer, "ui", **options)

    directory_sizes = ("/influencers/?per_page=25", "/influencers/?per_page=100")
    pages = [
        mine("Today", "/"),
        mine(
            "Influencers",
            "/influencers/",
            is_list=True,
            check=lists(first),
            sizes=directory_sizes,
            size_checks=(lists(first, rows=min(everyone, 25)), lists(first, rows=everyone)),
        ),
        mine(
            "Influencers, filtered",
            f"/influencers/?region=Bretagne&tier=micro&topic={topic}&overdue=on",
            is_list=True,
            check=lists(),
        ),
        mine("Influencers, search", "/influencers/?q=martin", is_list=True, check=lists()),
        mine("Influencers, sorted by audience", "/influencers/?sort=audience", is_list=True, check=lists(largest)),
        # Followed by its cursor (the directory pages with `after=`, and ignores `page=`).
        mine(f"Influencers, page {deep}", deep_url, is_list=True, check=lists(deep_first)),
        mine("Person, long timeline", f"/influencers/{person}/", check=shows(person_name)),
        mine("Campaigns", "/campaigns/", is_list=True),
        mine("Campaign board, big", f"/campaigns/{campaign}/", check=shows(campaign_name)),
        mine("Dialog: log a contact", f"/contacts/log/?influencer={person}", check=shows(person_name)),
        mine("Dialog: follow-up", f"/influencers/{person}/follow-ups/new/", check=shows(person_name)),
        # The navigation bar's search (its full page: 25 a group, where the box shows 8), a name's part and the
        # two letters the box starts searching at, which no trigram index helps.
        mine("Search", "/search/?q=martin"),
        mine("Search, two letters", "/search/?q=ma"),
        mine("Messages", "/messages/"),
        mine("Messages, sent", "/messages/?status=sent"),
    ]
    for stage, verb in [
        (Stage.SHORTLISTED, "pitch"),
        (Stage.PITCHED, "accept"),
        (Stage.ACTIVE, "deliver"),
        (Stage.DELIVERED, "close"),
    ]:
        if at.get(stage):
            pages.append(mine(f"Dialog: {verb}", f"/campaigns/relationships/{at[stage]}/{verb}/"))

    # A manager sees the same UI pages; Today and the directory are the ones that depend on who looks.
    pages += [
        Page("UI Today (manager)", "/", manager, "ui"),
        Page("UI Influencers (manager)", "/influencers/", manager, "ui", True, check=lists(first)),
    ]

    pages.append(Page("Admin index", "/admin/", manager, "admin"))
    manager_user = get_user_model().objects.get(username=manager)
    for model, _model_admin in sorted(admin.site._registry.items(), key=lambda kv: kv[0]._meta.label):
        opts = model._meta
        # The reports have their own pages below; a list the manager role may not see is not one of its pages.
        if opts.label == "reports.Report" or not manager_user.has_perm(f"{opts.app_label}.view_{opts.model_name}"):
            continue
        if opts.label == "core.TeamRules":  # one row: its list opens its page
            pages.append(Page("Admin team rules", reverse("admin:core_teamrules_change", args=[1]), manager, "admin"))
            continue
        try:
            url = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
        except NoReverseMatch:
            continue
        pages.append(Page(f"Admin {opts.verbose_name_plural} list", url, manager, "admin", True))
    # The admin numbers MAX_PAGES pages of a big list, no more (core.admin.paging): a deeper page shows the last one.
    per_page = admin.site.get_model_admin(Influencer).list_per_page
    admin_deep = min(MAX_PAGES, math.ceil(built.sizes.influencers / per_page))
    pages += [
        Page(
            f"Admin influencers list, page {admin_deep}",
            f"/admin/crm/influencer/?p={admin_deep}",
            manager,
            "admin",
            True,
            check=admin_page(admin_deep),
        ),
        Page("Admin influencers, search", "/admin/crm/influencer/?q=martin", manager, "admin", True),
        Page("Admin person (change page)", f"/admin/crm/influencer/{person}/change/", manager, "admin"),
        Page("Reports overview", "/admin/reports/report/", manager, "report"),
    ]
    from reports.registry import REPORTS

    for slug, kind in REPORTS.items():
        url = f"/admin/reports/report/{slug}/"
        pages.append(Page(f"Report {kind.title}", url, manager, "report", check=shows(str(kind.title))))
    # The overview's cards, when it loads each report's figures on their own.
    try:
        for slug, kind in REPORTS.items():
            url = reverse("admin:reports_report_figures", args=[slug])
            pages.append(Page(f"Report {kind.title}, overview card", url, manager, "report"))
    except NoReverseMatch:
        pass
    return pages


def measure_pages(
    *, built: Built, requests: int = 50, only: str = "", log=print, checkpoint=lambda results: None
) -> list[Result]:
    """Measure every page; `checkpoint` gets the results so far after each page (a long run keeps what it did)."""
    users = {u.username: u for u in get_user_model().objects.filter(username__in=[built.manager, *built.marketers])}
    big_tables = _big_tables(built)
    # Reports kept by an earlier run (or by beat) would make the first view a read: each report is computed here.
    caches["reports"].clear()
    results: list[Result] = []
    clients: dict[str, Client] = {}
    # Production runs with DEBUG off: no query log kept in memory, no debug pages.
    with override_settings(DEBUG=False, ALLOWED_HOSTS=["testserver"]):
        for page in pages_for(built):
            if only and only.lower() not in page.name.lower():
                continue
            if page.user not in clients:
                # A page that fails is a figure (its status), not the end of the run.
                clients[page.user] = Client(raise_request_exception=False)
                clients[page.user].force_login(users[page.user])
            measured = _measure(clients[page.user], page, requests=requests, big_tables=big_tables)
            log(
                f"  {page.name:<55} {measured.status} {measured.queries:>3} q  "
                f"median {measured.median_ms:7.1f} ms  p95 {measured.p95_ms:7.1f} ms  floor {measured.floor_ms:6.1f} ms"
            )
            results += _results(measured)
            checkpoint(results)
    return results


def _big_tables(built: Built) -> set[str]:
    """Tables with at least a tenth as many rows as there are people: where a full COUNT costs."""
    floor = max(1, built.sizes.influencers // 10)
    return {table for table, rows in built.rows.items() if rows >= floor}


def _measure(client: Client, page: Page, *, requests: int, big_tables: set[str]) -> Measured:
    # The warm-up fills what a process fills once (the content-type cache, the first compile of templates): the
    # SQL is captured on the request after it, the statements every later request runs. Captured on the warm-up,
    # the person page counted 13 queries on SQLite for the 10 it runs.
    t = time.perf_counter()
    response = client.get(page.url)
    first_ms = (time.perf_counter() - t) * 1000
    status = response.status_code
    if status != 200:  # reported as such; its timings would mean nothing
        return Measured(page=page, status=status, queries=0, times_ms=[0.0], floor_ms=0.0, skipped_statements=0)
    check_page(page.check, page.name, page.url, response)
    with CaptureQueriesContext(connection) as captured:
        client.get(page.url)
    statements = [q["sql"] for q in captured.captured_queries]
    times = []
    spent = time.monotonic()
    for n in range(requests):
        t = time.perf_counter()
        client.get(page.url)
        times.append((time.perf_counter() - t) * 1000)
        if n + 1 >= MIN_REQUESTS and time.monotonic() - spent > PAGE_BUDGET_SECONDS:
            break
    floor, skipped, slowest = _floor(statements, runs=max(MIN_REQUESTS, min(len(times), 20)))
    counts_by_size = None
    if page.sizes:
        counts = []
        for url, check in zip(page.sizes, page.size_checks or (None, None), strict=True):
            with CaptureQueriesContext(connection) as c:
                response = client.get(url)
            check_page(check, page.name, url, response)
            counts.append(len(c.captured_queries))
        counts_by_size = (counts[0], counts[1])
    return Measured(
        page=page,
        status=status,
        queries=len(statements),
        times_ms=times,
        floor_ms=floor,
        skipped_statements=skipped,
        slowest=slowest,
        full_counts=_full_counts(statements, big_tables),
        deep_offsets=_deep_offsets(statements),
        counts_by_size=counts_by_size,
        first_ms=first_ms,
    )


def _floor(statements: list[str], *, runs: int) -> tuple[float, int, list[tuple[float, str]]]:
    """Median time, over `runs`, of running the page's read statements bare (cursor, fetch all rows).

    Also the three slowest statements with their median time, to say where a slow page's database time goes.
    """
    reads = [s for s in statements if s and s.lstrip().upper().startswith(("SELECT", "WITH"))]
    skipped = len(statements) - len(reads)
    totals = []
    each: list[list[float]] = [[] for _ in reads]
    with connection.cursor() as cursor:
        for run in range(runs + 1):
            total = 0.0
            for n, sql in enumerate(reads):
                t = time.perf_counter()
                cursor.execute(sql)
                cursor.fetchall()
                spent = (time.perf_counter() - t) * 1000
                total += spent
                if run:
                    each[n].append(spent)
            if run:  # the first run warms the caches, as the page's warm-up request did
                totals.append(total)
    slowest = sorted(((statistics.median(t), sql) for t, sql in zip(each, reads, strict=True) if t), reverse=True)
    return statistics.median(totals), skipped, [(round(ms, 1), sql[:1500]) for ms, sql in slowest[:3]]


def _full_counts(statements: list[str], big_tables: set[str]) -> list[str]:
    """COUNT(*) over a big table with no WHERE and no LIMIT: a scan of the whole table on every page view."""
    found = []
    for sql in statements:
        match = COUNT_FROM.search(sql)
        if not match or match.group(1) not in big_tables:
            continue
        upper = sql.upper()
        if " WHERE " not in upper and " LIMIT " not in upper:
            found.append(match.group(1))
    return found


def _deep_offsets(statements: list[str]) -> list[int]:
    return [
        int(offset)
        for statement in statements
        for limit, offset in OFFSET.findall(statement)
        if int(offset) > FEW_PAGES * int(limit)
    ]


def _where_time_goes(m: Measured) -> str:
    """Why a page takes its time: its raw SQL (the database) against the rest (Python: ORM, forms, templates)."""
    python_ms = max(0.0, m.median_ms - m.floor_ms)
    bound = "the database" if m.floor_ms >= python_ms else "Python (ORM rows, forms, templates)"
    return f"raw SQL {m.floor_ms:.1f} ms, the rest {python_ms:.1f} ms: bound by {bound}"


def _results(m: Measured) -> list[Result]:
    page = m.page
    extra = {"url": page.url, "user": page.user, "status": m.status, "requests": len(m.times_ms)}
    if m.status != 200:
        return [
            Result(
                "pages",
                f"{page.name} · status",
                m.status,
                "HTTP",
                "200",
                False,
                f"GET {page.url} answered {m.status}",
                extra,
            )
        ]
    ratio = m.median_ms / m.floor_ms if m.floor_ms else 0.0
    rows = [
        Result(
            "pages",
            f"{page.name} · queries",
            m.queries,
            "queries",
            f"<= {MAX_QUERIES}",
            m.queries <= MAX_QUERIES,
            "" if m.queries <= MAX_QUERIES else f"{m.queries - MAX_QUERIES} over",
            extra,
        ),
        Result(
            "pages",
            f"{page.name} · p95",
            round(m.p95_ms, 1),
            "ms",
            f"<= {MAX_P95_MS:.0f} ms",
            m.p95_ms <= MAX_P95_MS,
            f"median {m.median_ms:.1f} ms over {len(m.times_ms)} requests; {_where_time_goes(m)}",
            extra | {"median_ms": round(m.median_ms, 2), "times_ms": [round(t, 2) for t in m.times_ms]},
        ),
        Result(
            "pages",
            f"{page.name} · page/floor",
            round(ratio, 2),
            "ratio",
            f"<= {MAX_RATIO}",
            ratio <= MAX_RATIO,
            f"median {m.median_ms:.1f} ms vs raw SQL {m.floor_ms:.1f} ms"
            + ("" if ratio <= MAX_RATIO else f": {_where_time_goes(m)}"),
            extra
            | {
                "median_ms": round(m.median_ms, 2),
                "floor_ms": round(m.floor_ms, 2),
                "non_select_statements": m.skipped_statements,
                "slowest_sql": m.slowest,
            },
        ),
    ]
    # The overview's cards read what their report's page kept: only the pages compute.
    if page.area == "report" and page.name.startswith("Report ") and "/figures/" not in page.url:
        rows.append(
            Result(
                "pages",
                f"{page.name} · computed (first view)",
                round(m.first_ms, 1),
                "ms",
                "(figure)",
                True,
                "the report's own SQL and rows, then kept (reports.cache): later views read it, and beat computes "
                "the default range again every REPORTS_REFRESH_SECONDS",
                extra,
            )
        )
    if m.counts_by_size:
        at25, at100 = m.counts_by_size
        rows.append(
            Result(
                "pages",
                f"{page.name} · queries at 25 and 100 per page",
                at100 - at25,
                "queries",
                "same (difference 0)",
                at25 == at100,
                f"{at25} at 25, {at100} at 100",
                extra,
            )
        )
    if page.area == "admin" and page.is_list:
        rows.append(
            Result(
                "pages",
                f"{page.name} · full COUNT(*) over a big table",
                len(m.full_counts),
                "queries",
                "none",
                not m.full_counts,
                ("COUNT(*) over " + ", ".join(sorted(set(m.full_counts)))) if m.full_counts else "",
                extra,
            )
        )
    if page.is_list:
        deepest = max(m.deep_offsets, default=0)
        rows.append(
            Result(
                "pages",
                f"{page.name} · deep OFFSET",
                deepest,
                "rows",
                f"none beyond {FEW_PAGES} pages",
                not m.deep_offsets,
                f"OFFSET {deepest}: keyset pagination would not scan the rows before" if m.deep_offsets else "",
                extra,
            )
        )
    return rows
