"""Audience: followers growth per channel from the snapshots: the first and the last figure in the range."""

from django.db.models import Count, Exists, F, OuterRef, RowRange, Sum, Window
from django.db.models.functions import FirstValue, LastValue, RowNumber
from django.utils.translation import gettext_lazy as _

from campaigns.models import Relationship
from crm.models import AudienceSnapshot, Channel
from reports.filters import ReportFilters
from reports.selectors.base import ReportResult, Table, share

CHART_CHANNELS = 20


def audience_report(filters: ReportFilters, *, limit: int | None = None) -> ReportResult:
    snapshots = AudienceSnapshot.objects.filter(taken_on__gte=filters.date_from, taken_on__lte=filters.date_to)
    if filters.owner_id:
        snapshots = snapshots.filter(channel__influencer__owner_id=filters.owner_id)
    if filters.scoped_to_campaigns:
        snapshots = snapshots.filter(
            Exists(Relationship.objects.filter(filters.campaign_q(), influencer_id=OuterRef("channel__influencer_id")))
        )
    # One pass over the range's snapshots, numbered per channel by date: each channel's first row carries its first
    # and last figures (a subquery per channel and per figure was 600,000 index probes at 150,000 channels).
    per_channel = {
        "partition_by": [F("channel_id")],
        "order_by": [F("taken_on").asc()],
        "frame": RowRange(start=None, end=None),
    }
    measured = snapshots.annotate(
        _n=Window(RowNumber(), partition_by=[F("channel_id")], order_by=[F("taken_on").asc()]),
        first_on=Window(FirstValue("taken_on"), **per_channel),
        first=Window(FirstValue("followers"), **per_channel),
        last_on=Window(LastValue("taken_on"), **per_channel),
        last=Window(LastValue("followers"), **per_channel),
    ).filter(_n=1)
    # The figures over every channel; the table (one row per channel: a six-figure count) is cut to a page.
    totals = measured.aggregate(channels=Count("pk"), first_total=Sum("first"), last_total=Sum("last"))
    channels = (
        measured.annotate(growth=F("last") - F("first"))
        .values(
            "channel_id",
            "channel__influencer__name",
            "channel__platform",
            "channel__handle",
            "first_on",
            "first",
            "last_on",
            "last",
            "growth",
        )
        .order_by(F("growth").desc(), "channel__influencer__name", "channel_id")
    )
    channels = list(channels[:limit] if limit is not None else channels)
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
                    _("followers"),
                    _("last snapshot"),
                    _("followers"),
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
