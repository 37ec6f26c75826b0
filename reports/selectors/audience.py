"""Audience: followers growth per channel from the snapshots: the first and the last figure in the range."""

from django.db.models import Exists, F, OuterRef, Subquery
from django.utils.translation import gettext_lazy as _

from campaigns.models import Relationship
from crm.models import AudienceSnapshot, Channel
from reports.filters import ReportFilters
from reports.selectors.base import ReportResult, Table, share

CHART_CHANNELS = 20


def audience_report(filters: ReportFilters) -> ReportResult:
    in_range = AudienceSnapshot.objects.filter(
        channel_id=OuterRef("pk"), taken_on__gte=filters.date_from, taken_on__lte=filters.date_to
    )
    channels = Channel.objects.filter(Exists(in_range))
    if filters.owner_id:
        channels = channels.filter(influencer__owner_id=filters.owner_id)
    if filters.scoped_to_campaigns:
        channels = channels.filter(
            Exists(Relationship.objects.filter(filters.campaign_q(), influencer_id=OuterRef("influencer_id")))
        )
    first, last = in_range.order_by("taken_on"), in_range.order_by("-taken_on")
    channels = list(
        channels.annotate(
            first_on=Subquery(first.values("taken_on")[:1]),
            first=Subquery(first.values("followers")[:1]),
            last_on=Subquery(last.values("taken_on")[:1]),
            last=Subquery(last.values("followers")[:1]),
        )
        .annotate(growth=F("last") - F("first"))
        .select_related("influencer")
        .order_by(F("growth").desc(), "influencer__name", "pk")
    )
    rows = [
        [
            c.influencer.name,
            c.get_platform_display(),
            c.handle,
            c.first_on,
            c.first,
            c.last_on,
            c.last,
            c.growth,
            share(c.growth, c.first),
        ]
        for c in channels
    ]
    first_total, last_total = sum(c.first for c in channels), sum(c.last for c in channels)
    return ReportResult(
        figures=[
            (_("channels measured"), len(channels)),
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
            )
        ],
        chart={
            "type": "bar",
            "horizontal": True,
            "labels": [f"{row[0]} · {row[1]}" for row in rows[:CHART_CHANNELS]],
            "datasets": [{"label": str(_("growth (%)")), "data": [row[8] for row in rows[:CHART_CHANNELS]]}],
        },
    )
