"""Guardrails: what the pitch rules stopped, and what went through with a reason or an acknowledgement."""

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from campaigns.models import ContentMatch, GuardrailEvent
from reports.filters import ReportFilters
from reports.selectors.base import ReportResult, Table

Rule, Result = GuardrailEvent.Rule, GuardrailEvent.Result


def guardrails_report(filters: ReportFilters, *, limit: int | None = None) -> ReportResult:
    events = filters.relationships(
        GuardrailEvent.objects.filter(occurred_at__gte=filters.start, occurred_at__lt=filters.end),
        prefix="relationship__",
    )
    per_rule = {
        row["rule"]: row
        for row in events.order_by()
        .values("rule")
        .annotate(**{result: Count("pk", filter=Q(result=result)) for result in Result.values})
    }
    brief_blocks = events.filter(rule=Rule.BRIEF_INCOMPLETE, result=Result.BLOCKED).aggregate(
        pitches=Count("pk"), relationships=Count("relationship_id", distinct=True)
    )
    # Counted per rule above: the list is cut to a page without a count of its own.
    overrides = (
        events.filter(rule=Rule.OFF_TOPIC, result=Result.OVERRIDDEN)
        .select_related("relationship__influencer", "relationship__campaign__brand", "by")
        .order_by("occurred_at", "pk")
    )
    overrides = list(overrides[:limit] if limit is not None else overrides)
    undisclosed = (
        filters.relationships(
            ContentMatch.objects.filter(
                found_at__gte=filters.start, found_at__lt=filters.end, disclosure=ContentMatch.Disclosure.MISSING
            ).exclude(status=ContentMatch.Status.DISMISSED),
            prefix="relationship__",
        )
        .select_related("relationship__influencer", "relationship__campaign__brand", "post")
        .order_by("found_at", "pk")
    )
    undisclosed = list(undisclosed[:limit] if limit is not None else undisclosed)
    rule_rows = [
        [label, *(per_rule.get(rule, {}).get(result, 0) for result in Result.values)] for rule, label in Rule.choices
    ]

    def count(rule, result):
        return per_rule.get(rule, {}).get(result, 0)

    return ReportResult(
        figures=[
            (_("off-topic pitches overridden"), count(Rule.OFF_TOPIC, Result.OVERRIDDEN)),
            (_("consistency flags"), sum(count(Rule.CONSISTENCY, r) for r in Result.values)),
            (_("frequency flags"), sum(count(Rule.FREQUENCY, r) for r in Result.values)),
            (_("sponsored posts found without their disclosure"), count(Rule.DISCLOSURE, Result.FLAGGED)),
            (_("pitches blocked by an incomplete brief"), brief_blocks["pitches"]),
            (_("relationships held back by an incomplete brief"), brief_blocks["relationships"]),
        ],
        tables=[
            Table(_("Per rule"), [_("rule"), *Result.labels], rule_rows),
            Table(
                _("Off-topic pitches and their reasons"),
                [_("when"), _("person"), _("campaign"), _("by"), _("reason")],
                [
                    [
                        timezone.localdate(e.occurred_at),
                        e.relationship.influencer.name,
                        str(e.relationship.campaign),
                        (e.by.get_full_name() or e.by.username) if e.by else "",
                        e.detail,
                    ]
                    for e in overrides
                ],
                total=count(Rule.OFF_TOPIC, Result.OVERRIDDEN),
            ),
            Table(
                _("Sponsored posts still without their disclosure"),
                [_("found"), _("person"), _("campaign"), _("post")],
                [
                    [
                        timezone.localdate(m.found_at),
                        m.relationship.influencer.name,
                        str(m.relationship.campaign),
                        m.post.url or m.post.title,
                    ]
                    for m in undisclosed
                ],
            ),
        ],
        chart={
            "type": "bar",
            "counts": True,
            "stacked": True,
            "labels": [str(row[0]) for row in rule_rows],
            "datasets": [
                {"label": str(label), "data": [row[1 + i] for row in rule_rows]}
                for i, label in enumerate(Result.labels)
            ],
        },
    )
