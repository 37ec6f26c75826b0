"""Follow-up discipline: who is overdue, how long since the last contact, who keeps the cadence, the longest silences.

Clocks are read at the end of the range (now, when the range reaches today). Overdue is the same overdue the
Today page and the reminders use: the shared "who needs news" selectors.
"""

from django.db.models import Count, F, Q, Value
from django.db.models.fields import DateTimeField
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from campaigns.models import STAGES_WITH_A_CLOCK, Relationship, Stage
from crm.selectors import is_overdue, people_needing_news
from reports.filters import ReportFilters
from reports.selectors.base import DaysBetween, ReportResult, Table, medians, person, share

LONGEST = 10
OWNER = ("owner_id", "owner__first_name", "owner__last_name", "owner__username")


def followups_report(filters: ReportFilters, *, limit: int | None = None) -> ReportResult:
    moment = filters.moment
    as_of = timezone.localdate(moment)
    overdue_people = people_needing_news(today=as_of, soon_days=0).filter(is_overdue=True).order_by()
    if filters.owner_id:
        overdue_people = overdue_people.filter(owner_id=filters.owner_id)
    if filters.scoped_to_campaigns:
        scope = Relationship.objects.filter(filters.campaign_q())
        overdue_people = overdue_people.filter(pk__in=scope.values("influencer_id"))

    silence = DaysBetween(Value(moment, output_field=DateTimeField()), Coalesce("last_contact_at", "pitched_at"))
    # The relationships with a clock, and among them the overdue ones of "who needs news" (the same is_overdue
    # as Today and the reminders), counted per owner in one query.
    with_a_clock = filters.relationships(Relationship.objects.filter(stage__in=STAGES_WITH_A_CLOCK)).annotate(
        silence=silence, is_overdue=is_overdue(as_of)
    )
    per_owner = {
        row["owner_id"]: row
        for row in with_a_clock.order_by()
        .values(*OWNER)
        .annotate(
            open=Count("pk"),
            active=Count("pk", filter=Q(stage=Stage.ACTIVE)),
            kept=Count("pk", filter=Q(stage=Stage.ACTIVE, silence__lte=F("cadence_days"))),
            late=Count("pk", filter=Q(is_overdue=True)),
        )
    }
    late_people = {row["owner_id"]: row for row in overdue_people.values(*OWNER).annotate(n=Count("pk"))}
    names = {pk: _owner_name(row) for rows in (per_owner, late_people) for pk, row in rows.items()}
    median_by_owner = medians(with_a_clock, F("silence"), group="owner_id")
    median_all = medians(with_a_clock, F("silence")).get(None)
    longest = list(
        with_a_clock.select_related("influencer", "campaign", "campaign__brand", "owner").order_by(
            F("silence").desc(nulls_last=True), "pk"
        )[:LONGEST]
    )

    rows = []
    for pk in sorted(names, key=lambda pk: (pk is None, names[pk])):
        counts = per_owner.get(pk, {})
        rows.append(
            [
                names[pk],
                counts.get("late", 0),
                late_people.get(pk, {}).get("n", 0),
                counts.get("open", 0),
                median_by_owner.get(pk),
                share(counts.get("kept"), counts.get("active")),
            ]
        )
    active = sum(c["active"] for c in per_owner.values())
    kept = sum(c["kept"] for c in per_owner.values())
    return ReportResult(
        figures=[
            (_("overdue relationships"), sum(r["late"] for r in per_owner.values())),
            (_("overdue people"), sum(r["n"] for r in late_people.values())),
            (_("median days since last contact"), median_all),
            (_("active relationships contacted within their cadence (%)"), share(kept, active)),
        ],
        tables=[
            Table(
                _("Per owner"),
                [
                    _("owner"),
                    _("overdue relationships"),
                    _("overdue people"),
                    _("open relationships"),
                    _("median days since last contact"),
                    _("active within cadence (%)"),
                ],
                rows,
            ),
            Table(
                _("Longest silences"),
                [_("person"), _("campaign"), _("owner"), _("stage"), _("last contact"), _("days without news")],
                [
                    [
                        r.influencer.name,
                        str(r.campaign),
                        r.owner.get_full_name() or r.owner.username if r.owner else _("(no owner)"),
                        r.get_stage_display(),
                        timezone.localdate(r.last_contact_at) if r.last_contact_at else None,
                        round(r.silence, 1) if r.silence is not None else None,
                    ]
                    for r in longest
                ],
            ),
        ],
        chart={
            "type": "bar",
            "counts": True,
            "labels": [row[0] for row in rows],
            "datasets": [
                {"label": str(_("overdue relationships")), "data": [row[1] for row in rows]},
                {"label": str(_("overdue people")), "data": [row[2] for row in rows]},
            ],
        },
    )


def _owner_name(row: dict) -> str:
    return person(row.get("owner__first_name"), row.get("owner__last_name"), row.get("owner__username"))
