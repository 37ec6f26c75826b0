"""Endings: closed relationships thanked, skipped (and why) or left without a thank-you; failed messages.

A relationship's thank-you is sent when a thank_you Message for it went out; pending while one is still
scheduled or sending; skipped when the closing said so with a reason; missing otherwise (none, failed, cancelled).
"""

from django.db.models import Count, Exists, FilteredRelation, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from campaigns.models import Outcome, Relationship, Stage, ThankYou
from messaging.models import Message
from reports.filters import ReportFilters
from reports.selectors.base import ReportResult, Table, head, share

UNANSWERED = [Outcome.DECLINED, Outcome.NO_REPLY]


def closed_relationships(filters: ReportFilters):
    relationships = Relationship.objects.filter(
        stage=Stage.CLOSED, closed_at__gte=filters.start, closed_at__lt=filters.end
    )
    return filters.relationships(relationships)


def _counted(q: Q | None = None) -> Count:
    # Distinct: the relationships are joined to their messages, one row per message.
    return Count("pk", distinct=True, filter=q)


def endings_report(filters: ReportFilters, *, limit: int | None = None) -> ReportResult:
    closed = closed_relationships(filters)
    # One pass over the closed relationships joined to their thank-yous, counted per campaign: an EXISTS per state
    # and per relationship was several index probes for each of tens of thousands of rows. Sets: S thanked (a
    # thank-you went out), P a thank-you still scheduled or sending, K skipped at closing. Then
    # pending = P \ S \ K = |(P ∪ S) \ K| - |S \ K|, skipped = K \ S = |K| - |K ∩ S|.
    sent = Q(thank_yous__status=Message.Status.SENT)
    sent_or_pending = Q(thank_yous__status__in=[Message.Status.SENT, Message.Status.SCHEDULED, Message.Status.SENDING])
    skipped_at_closing = Q(thank_you=ThankYou.SKIPPED)
    per_campaign = list(
        closed.order_by()
        # Joined to the thank-yous only (the condition is in the JOIN): the other messages are not read.
        .alias(thank_yous=FilteredRelation("messages", condition=Q(messages__kind=Message.Kind.THANK_YOU)))
        .values("campaign_id", "campaign__name", "campaign__brand__name")
        .annotate(
            closed=_counted(),
            sent=_counted(sent),
            sent_or_pending_unskipped=_counted(sent_or_pending & ~skipped_at_closing),
            sent_unskipped=_counted(sent & ~skipped_at_closing),
            skipped_at_closing=_counted(skipped_at_closing),
            skipped_and_sent=_counted(skipped_at_closing & sent),
            thanked_anyway=_counted(sent & Q(outcome__in=UNANSWERED)),
        )
        .order_by("campaign__brand__name", "campaign__name")
    )
    for c in per_campaign:
        c["pending"] = c["sent_or_pending_unskipped"] - c["sent_unskipped"]
        c["skipped"] = c["skipped_at_closing"] - c["skipped_and_sent"]
        c["missing"] = c["closed"] - c["sent"] - c["pending"] - c["skipped"]
    skipped = Q(thank_you=ThankYou.SKIPPED) & ~Exists(
        Message.objects.filter(relationship_id=OuterRef("pk"), kind=Message.Kind.THANK_YOU, status=Message.Status.SENT)
    )
    # The skipped ones are counted per campaign above: their list is cut to a page without a count of its own.
    reasons = closed.filter(skipped).select_related("influencer", "campaign", "campaign__brand")
    reasons = list(
        reasons.order_by("closed_at", "pk")[:limit] if limit is not None else reasons.order_by("closed_at", "pk")
    )
    failed = Message.objects.filter(status=Message.Status.FAILED, send_at__gte=filters.start, send_at__lt=filters.end)
    if filters.scoped_to_campaigns or filters.owner_id:
        failed = filters.relationships(failed, prefix="relationship__")
    failed, failed_total = head(failed.select_related("influencer").order_by("send_at", "pk"), limit)

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
            (_("failed messages"), failed_total),
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
                total=total["skipped"],
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
                total=failed_total,
            ),
        ],
        chart={
            "type": "bar",
            "counts": True,
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
