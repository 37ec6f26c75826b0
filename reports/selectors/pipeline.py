"""Pipeline: per campaign, relationships per stage and outcome, pitched → active conversion, days in each stage."""

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from campaigns.models import Outcome, Relationship, Stage, StageChange
from reports.filters import ReportFilters
from reports.selectors.base import DaysBetween, ReportResult, Table, medians, share


def relationships_in_range(filters: ReportFilters) -> QuerySet[Relationship]:
    """Relationships that were open at some moment of the range: shortlisted before its end, not closed before it."""
    relationships = Relationship.objects.annotate(_began=Coalesce("shortlisted_at", "created_at")).filter(
        _began__lt=filters.end
    )
    relationships = relationships.filter(Q(closed_at__isnull=True) | Q(closed_at__gte=filters.start))
    return filters.relationships(relationships)


def stage_stays(relationships: QuerySet[Relationship]) -> QuerySet[StageChange]:
    """Each finished stay in a stage: from the change that entered it to the next one (kept on the row: left_at)."""
    return StageChange.objects.filter(relationship__in=relationships.values("pk"), left_at__isnull=False).exclude(
        to_stage=Stage.CLOSED
    )


def pipeline_report(filters: ReportFilters, *, limit: int | None = None) -> ReportResult:
    relationships = relationships_in_range(filters)
    counts = {f"stage_{stage}": Count("pk", filter=Q(stage=stage)) for stage in Stage.values}
    counts |= {f"outcome_{outcome}": Count("pk", filter=Q(outcome=outcome)) for outcome in Outcome.values}
    per_campaign = list(
        relationships.order_by()
        .values("campaign_id", "campaign__name", "campaign__brand__name")
        .annotate(
            total=Count("pk"),
            pitched=Count("pk", filter=Q(pitched_at__isnull=False)),
            accepted=Count("pk", filter=Q(pitched_at__isnull=False, accepted_at__isnull=False)),
            **counts,
        )
        .order_by("campaign__brand__name", "campaign__name")
    )
    stays = medians(stage_stays(relationships), DaysBetween("left_at", "changed_at"), group="to_stage")

    rows = []
    for c in per_campaign:
        rows.append(
            [f"{c['campaign__brand__name']} · {c['campaign__name']}", c["total"]]
            + [c[f"stage_{s}"] for s in Stage.values]
            + [c[f"outcome_{o}"] for o in Outcome.values]
            + [c["pitched"], c["accepted"], share(c["accepted"], c["pitched"])]
        )
    # A page shows the first `limit` campaigns (and draws them); the figures and the downloads count every one.
    shown = per_campaign if limit is None else per_campaign[:limit]
    pitched = sum(c["pitched"] for c in per_campaign)
    accepted = sum(c["accepted"] for c in per_campaign)
    total = sum(c["total"] for c in per_campaign)
    open_stages = [s for s in Stage.values if s != Stage.CLOSED]
    return ReportResult(
        figures=[
            (_("relationships"), total),
            (_("pitched → active (%)"), share(accepted, pitched)),
            *[(_("median days %(stage)s") % {"stage": Stage(s).label}, stays.get(s)) for s in open_stages],
        ],
        tables=[
            Table(
                _("Relationships per campaign"),
                [_("campaign"), _("relationships")]
                + [Stage(s).label for s in Stage.values]
                + [Outcome(o).label for o in Outcome.values]
                # "ever pitched", not "pitched": the stage columns already have a "pitched" (those there now).
                + [_("ever pitched"), _("accepted"), _("pitched → active (%)")],
                rows[: len(shown)],
                total=None if limit is None else len(rows),
            ),
            Table(
                _("Median days in each stage"),
                [_("stage"), _("median days")],
                [[Stage(s).label, stays.get(s)] for s in open_stages],
            ),
        ],
        chart={
            "type": "bar",
            "stacked": True,
            "counts": True,
            "labels": [row[0] for row in rows[: len(shown)]],
            "datasets": [
                {"label": str(Stage(s).label), "data": [c[f"stage_{s}"] for c in shown]} for s in Stage.values
            ],
        },
    )
