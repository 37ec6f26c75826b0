"""The reports, in the order the overview shows them."""

from collections.abc import Callable
from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from reports.selectors.audience import audience_report
from reports.selectors.base import ReportResult
from reports.selectors.endings import endings_report
from reports.selectors.followups import followups_report
from reports.selectors.guardrails import guardrails_report
from reports.selectors.pipeline import pipeline_report
from reports.selectors.reciprocity import reciprocity_report
from reports.selectors.responsiveness import responsiveness_report
from reports.selectors.spread import spread_report


@dataclass(frozen=True)
class ReportKind:
    slug: str
    title: Promise
    question: Promise
    build: Callable[..., ReportResult]  # (filters, *, limit=None): `limit` rows of each long table, None for all


REPORTS: dict[str, ReportKind] = {
    kind.slug: kind
    for kind in [
        ReportKind(
            "pipeline",
            _("Pipeline"),
            _("Where each campaign's relationships are, how many pitches turn active, how long each stage lasts."),
            pipeline_report,
        ),
        ReportKind(
            "followups",
            _("Follow-up discipline"),
            _("Who is overdue, how long since the last contact, who keeps the cadence, the longest silences."),
            followups_report,
        ),
        ReportKind(
            "responsiveness",
            _("Responsiveness"),
            _("How many outbound contacts get an answer within a week, and how fast the first reply comes."),
            responsiveness_report,
        ),
        ReportKind(
            "endings",
            _("Endings"),
            _("Whether closed relationships were thanked, skipped with a reason, or left without a word."),
            endings_report,
        ),
        ReportKind(
            "guardrails",
            _("Guardrails"),
            _("Off-topic pitches and their reasons, consistency and frequency flags, incomplete briefs."),
            guardrails_report,
        ),
        ReportKind(
            "spread",
            _("Spread"),
            _("How concentrated the community is: Paris, big accounts, bloggers, a few topics."),
            spread_report,
        ),
        ReportKind(
            "reciprocity",
            _("Reciprocity"),
            _("What was given against what was got back, per person and per campaign."),
            reciprocity_report,
        ),
        ReportKind(
            "audience",
            _("Audience"),
            _("How the followers of each channel grew over the range."),
            audience_report,
        ),
    ]
}
