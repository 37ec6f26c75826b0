"""Endings: closed relationships thanked, skipped (and why) or left without a thank-you; failed messages.

A relationship's thank-you is sent when a thank_you Message for it went out; pending while one is still
scheduled or sending; skipped when the closing said so with a reason; missing otherwise (none, failed, cancelled).
"""

from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from campaigns.models import Outcome, Relationship, Stage, ThankYou
from messaging.models import Message
from reports.filters import ReportFilters
from reports.selectors.base import ReportResult, Table, share

UNANSWERED = [Outcome.DECLINED, Outcome.NO_REPLY]


def closed_relationships(filters: ReportFilters):
    thank_yous = Message.objects.filter(relationship_id=OuterRef("pk"), kind=Message.Kind.THANK_YOU)
    relationships = Relationship.objects.filter(
        stage=Stage.CLOSED, closed_at__gte=filters.start, closed_at__lt=filters.end
    )
    return filters.relationships(relationships).annotate(
        thanked=Exists(thank_yous.filter(status=Message.Status.SENT)),
        thank_you_pending=Exists(thank_yous.filter(status__in=[Message.Status.SCHEDULED, Message.Status.SENDING])),
    )


def endings_report(filters: ReportFilters) -> ReportResult:
    closed = closed_relationships(filters)
    skipped = Q(thanked=False, thank_you=ThankYou.SKIPPED)
    pending = Q(thanked=False, thank_you_pending=True) & ~Q(thank_you=ThankYou.SKIPPED)
    per_campaign = list(
        closed.order_by()
        .values("campaign_id", "campaign__name", "campaign__brand__name")
        .annotate(
            closed=Count("pk"),
            sent=Count("pk", filter=Q(thanked=True)),
            pending=Count("pk", filter=pending),
            skipped=Count("pk", filter=skipped),
            thanked_anyway=Count("pk", filter=Q(thanked=True, outcome__in=UNANSWERED)),
        )
        .order_by("campaign__brand__name", "campaign__name")
    )
    for c in per_campaign:
        c["missing"] = c["closed"] - c["sent"] - c["pending"] - c["skipped"]
    reasons = list(
        closed.filter(skipped).select_related("influencer", "campaign", "campaign__brand").order_by("closed_at", "pk")
    )
    failed = Message.objects.filter(status=Message.Status.FAILED, send_at__gte=filters.start, send_at__lt=filters.end)
    if filters.scoped_to_campaigns or filters.owner_id:
        failed = filters.relationships(failed, prefix="relationship__")
    failed = list(failed.select_related("influencer").order_by("send_at", "pk"))

    total = {key: sum(c[key] for c in per_campaign) for key in ("closed", "sent", "pending", "skipped", "missing")}
    thanked_anyway = sum(c["thanked_anyway"] for c in per_campaign)
    campaign_rows = [
        [
            f"{c['campaign__brand__name']} · {c['campaign__name']}",
            c["closed"],
            c["sent"],
            c["pending"],
            c["skipped"],
            c["missing"],
            c["thanked_anyway"],
        ]
        for c in per_campaign
    ]
    return ReportResult(
        figures=[
            (_("closed relationships"), total["closed"]),
            (_("thank-you sent (%)"), share(total["sent"], total["closed"])),
            (_("thank-you skipped"), total["skipped"]),
            (_("thank-you missing"), total["missing"]),
            (_("failed messages"), len(failed)),
            (_("declined or no reply, and still thanked"), thanked_anyway),
        ],
        tables=[
            Table(
                _("Endings per campaign"),
                [
                    _("campaign"),
                    _("closed"),
                    _("thank-you sent"),
                    _("thank-you pending"),
                    _("thank-you skipped"),
                    _("thank-you missing"),
                    _("declined or no reply, still thanked"),
                ],
                campaign_rows,
            ),
            Table(
                _("Thank-yous skipped, and why"),
                [_("person"), _("campaign"), _("outcome"), _("closed on"), _("reason")],
                [
                    [
                        r.influencer.name,
                        str(r.campaign),
                        r.get_outcome_display(),
                        timezone.localdate(r.closed_at),
                        r.thank_you_skip_reason,
                    ]
                    for r in reasons
                ],
            ),
            Table(
                _("Failed messages"),
                [_("kind"), _("recipient"), _("send at"), _("attempts"), _("last error")],
                [
                    [
                        m.get_kind_display(),
                        m.recipient,
                        timezone.localtime(m.send_at).replace(tzinfo=None),
                        m.attempts,
                        m.last_error,
                    ]
                    for m in failed
                ],
            ),
        ],
        chart={
            "type": "bar",
            "stacked": True,
            "labels": [row[0] for row in campaign_rows],
            "datasets": [
                {"label": str(_("thank-you sent")), "data": [c["sent"] for c in per_campaign]},
                {"label": str(_("thank-you pending")), "data": [c["pending"] for c in per_campaign]},
                {"label": str(_("thank-you skipped")), "data": [c["skipped"] for c in per_campaign]},
                {"label": str(_("thank-you missing")), "data": [c["missing"] for c in per_campaign]},
            ],
        },
    )
