"""Reciprocity ("plus on donne, plus on obtient"): what was given (count, value) against what was got (content, reach).

Got counts the content kinds only: posts, mentions, stories and videos, and their reach.
"""

from decimal import Decimal

from django.db.models import Count, DecimalField, Q, Sum, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from crm.models import Exchange
from reports.filters import ReportFilters
from reports.selectors.base import ReportResult, Table, number

CONTENT = [Exchange.Kind.POST, Exchange.Kind.MENTION, Exchange.Kind.STORY, Exchange.Kind.VIDEO]
CENTS = Decimal("0.01")
GIVE, GET = Exchange.Direction.GIVE, Exchange.Direction.GET


def ledger_totals() -> dict:
    got = Q(direction=GET, kind__in=CONTENT)
    return {
        "given": Count("pk", filter=Q(direction=GIVE)),
        "given_value": Coalesce(
            Sum("value", filter=Q(direction=GIVE)), Value(Decimal("0.00")), output_field=DecimalField()
        ),
        "got": Count("pk", filter=got),
        "reach": Coalesce(Sum("reach", filter=got), 0),
    }


def reciprocity_report(filters: ReportFilters, *, limit: int | None = None) -> ReportResult:
    exchanges = Exchange.objects.filter(occurred_on__gte=filters.date_from, occurred_on__lte=filters.date_to).filter(
        filters.campaign_q("relationship__")
    )
    if filters.owner_id:
        exchanges = exchanges.filter(influencer__owner_id=filters.owner_id)
    # The figures over everyone; the per-person table is long (one row per person of the range): a page has its
    # first rows only, with how many people there are.
    totals = exchanges.order_by().aggregate(**ledger_totals(), people=Count("influencer_id", distinct=True))
    per_person = (
        exchanges.order_by()
        .values("influencer_id", "influencer__name")
        .annotate(**ledger_totals())
        .order_by("influencer__name", "influencer_id")
    )
    per_person = list(per_person[:limit] if limit is not None else per_person)
    per_campaign = list(
        exchanges.order_by()
        .values("relationship__campaign_id", "relationship__campaign__name", "relationship__campaign__brand__name")
        .annotate(**ledger_totals())
    )
    # In Python: the backends disagree on where NULL (no campaign) sorts, and it belongs last.
    per_campaign.sort(
        key=lambda r: (
            r["relationship__campaign_id"] is None,
            r["relationship__campaign__brand__name"] or "",
            r["relationship__campaign__name"] or "",
        )
    )
    for r in [*per_person, *per_campaign, totals]:
        r["given_value"] = Decimal(r["given_value"]).quantize(CENTS)  # SQLite drops the trailing zeros
    keys = ("given", "given_value", "got", "reach")
    person_rows = [[r["influencer__name"], *(r[k] for k in keys)] for r in per_person]
    campaign_rows = [  # a few hundred at most: sorted here, cut to a page below
        [
            f"{r['relationship__campaign__brand__name']} · {r['relationship__campaign__name']}"
            if r["relationship__campaign_id"]
            else _("(no campaign)"),
            *(r[k] for k in keys),
        ]
        for r in per_campaign
    ]
    columns = [_("given"), _("value given (€)"), _("content got"), _("reach")]
    return ReportResult(
        figures=[
            (_("given"), totals["given"]),
            (_("value given (€)"), totals["given_value"]),
            (_("content got"), totals["got"]),
            (_("reach"), totals["reach"]),
        ],
        tables=[
            Table(_("Per person"), [_("person"), *columns], person_rows, total=totals["people"]),
            Table(_("Per campaign"), [_("campaign"), *columns], campaign_rows[:limit], total=len(campaign_rows)),
        ],
        chart={
            "type": "bar",
            "labels": [str(row[0]) for row in campaign_rows[:limit]],
            "datasets": [
                {"label": str(_("value given (€)")), "data": [number(row[2]) for row in campaign_rows[:limit]]},
                {"label": str(_("content got")), "data": [row[3] for row in campaign_rows[:limit]]},
            ],
        },
    )
