"""Audience: followers growth per channel from the snapshots: the first and the last figure in the range."""

import datetime

from django.db.models import (
    BigIntegerField,
    Count,
    Exists,
    ExpressionWrapper,
    F,
    Func,
    IntegerField,
    Max,
    Min,
    OuterRef,
    Sum,
)
from django.utils.translation import gettext_lazy as _

from campaigns.models import Relationship
from crm.models import AudienceSnapshot, Channel
from reports.filters import ReportFilters
from reports.selectors.base import ReportResult, Table, share

CHART_CHANNELS = 20
# A snapshot's key is its day number times DAY plus its followers: followers (a PositiveIntegerField) stay below DAY.
DAY = 2**31
EPOCH = datetime.date(1970, 1, 1)
NAMED = ("channel__influencer__name", "channel__platform", "channel__handle")


class DayNumber(Func):
    """Days since 1970-01-01 as an integer: date subtraction on PostgreSQL, julianday() on SQLite."""

    output_field = IntegerField()
    template = "(%(expressions)s - DATE '1970-01-01')"

    def as_sqlite(self, compiler, connection, **extra):
        return super().as_sql(compiler, connection, template="CAST(julianday(%(expressions)s) - 2440587.5 AS INTEGER)")


def _day_and_followers(key: int) -> tuple[datetime.date, int]:
    return EPOCH + datetime.timedelta(days=key // DAY), key % DAY


def audience_report(filters: ReportFilters, *, limit: int | None = None) -> ReportResult:
    snapshots = AudienceSnapshot.objects.filter(taken_on__gte=filters.date_from, taken_on__lte=filters.date_to)
    if filters.owner_id:
        snapshots = snapshots.filter(channel__influencer__owner_id=filters.owner_id)
    if filters.scoped_to_campaigns:
        snapshots = snapshots.filter(
            Exists(Relationship.objects.filter(filters.campaign_q(), influencer_id=OuterRef("channel__influencer_id")))
        )
    # One GROUP BY over the range's snapshots, no sort: each snapshot is keyed (its day, then its followers) in one
    # number, so a channel's MIN key is its first snapshot and its MAX key its last, both read back from the key.
    # (A window per channel sorted 360,000 snapshots; a subquery per channel and figure was 600,000 index probes.)
    key = ExpressionWrapper(DayNumber("taken_on") * DAY + F("followers"), output_field=BigIntegerField())
    measured = snapshots.values("channel_id").annotate(first_key=Min(key), last_key=Max(key))
    # The figures over every channel; the table (one row per channel: a six-figure count) is cut to a page.
    totals = measured.aggregate(
        channels=Count("channel_id"), first_total=Sum(F("first_key") % DAY), last_total=Sum(F("last_key") % DAY)
    )
    growth = F("last_key") % DAY - F("first_key") % DAY
    if limit is None:
        # A download: every channel, named in the same query.
        channels = list(
            snapshots.values("channel_id", *NAMED)
            .annotate(first_key=Min(key), last_key=Max(key))
            .annotate(growth=growth)
            .order_by(F("growth").desc(), "channel__influencer__name", "channel_id")
        )
    else:
        # A page: the channels that grew most, then their names (grouping by names too sorted every channel's row).
        # Among channels tied at the page's edge, the first ids are shown; the page's rows are in the download's order.
        channels = list(measured.annotate(growth=growth).order_by(F("growth").desc(), "channel_id")[:limit])
        named = Channel.objects.filter(pk__in=[c["channel_id"] for c in channels])
        names = {pk: row for pk, *row in named.values_list("pk", "influencer__name", "platform", "handle")}
        for c in channels:
            c.update(zip(NAMED, names[c["channel_id"]], strict=True))
        channels.sort(key=lambda c: (-c["growth"], c["channel__influencer__name"], c["channel_id"]))
    for c in channels:
        (c["first_on"], c["first"]), (c["last_on"], c["last"]) = (
            _day_and_followers(c["first_key"]),
            _day_and_followers(c["last_key"]),
        )
    platforms = dict(Channel.Platform.choices)
    rows = [
        [
            c["channel__influencer__name"],
            platforms.get(c["channel__platform"], c["channel__platform"]),
            c["channel__handle"],
            c["first_on"],
            c["first"],
            c["last_on"],
            c["last"],
            c["growth"],
            share(c["growth"], c["first"]),
        ]
        for c in channels
    ]
    first_total, last_total = totals["first_total"] or 0, totals["last_total"] or 0
    return ReportResult(
        figures=[
            (_("channels measured"), totals["channels"]),
            (_("followers at the start"), first_total),
            (_("followers at the end"), last_total),
            (_("growth"), last_total - first_total),
            (_("growth (%)"), share(last_total - first_total, first_total)),
        ],
        tables=[
            Table(
                _("Per channel"),
                [
                    _("person"),
                    _("platform"),
                    _("handle"),
                    _("first snapshot"),
                    _("followers at the start"),
                    _("last snapshot"),
                    _("followers at the end"),
                    _("growth"),
                    _("growth (%)"),
                ],
                rows,
                total=totals["channels"],
            )
        ],
        chart={
            "type": "bar",
            "horizontal": True,
            "labels": [f"{row[0]} · {row[1]}" for row in rows[:CHART_CHANNELS]],
            "datasets": [{"label": str(_("growth (%)")), "data": [row[8] for row in rows[:CHART_CHANNELS]]}],
        },
    )
