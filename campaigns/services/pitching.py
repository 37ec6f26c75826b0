"""What a pitch must clear, and what it carries: the guardrails preview (B4, B1, opt-out, M3) and the brief (B2)."""

from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.db.models import Exists, OuterRef
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from campaigns.models import Campaign, GuardrailEvent, Relationship

Rule = GuardrailEvent.Rule


@dataclass
class PitchChecks:
    """What stands between a relationship and its pitch; read-only, for the UI and the admin to show."""

    brief_missing: list[str] = field(default_factory=list)
    off_topic: bool = False
    opted_out: bool = False
    flags: list[str] = field(default_factory=list)  # M3: need an acknowledgement
    flag_rules: list[str] = field(default_factory=list)  # the GuardrailEvent.Rule of each flag, same order

    @property
    def clear(self) -> bool:
        """Nothing to fix, override or acknowledge."""
        return not (self.brief_missing or self.off_topic or self.opted_out or self.flags)


def _topic_ids(obj) -> set[int]:
    return set(obj.topics.values_list("pk", flat=True))


def pitch_checks(*, relationship: Relationship) -> PitchChecks:
    """Run the pitch guardrails (B4, B1, opt-out, M3) on a relationship without changing anything."""
    campaign = relationship.campaign
    influencer = relationship.influencer
    campaign_topics = _topic_ids(campaign)
    checks = PitchChecks(
        brief_missing=campaign.brief_missing(),
        off_topic=not (campaign_topics & _topic_ids(influencer)),
        opted_out=influencer.is_opted_out,
    )

    since = timezone.now() - timedelta(days=settings.GUARDRAIL_WINDOW_DAYS)
    recent = (
        Relationship.objects.filter(influencer_id=influencer.pk, pitched_at__gte=since)
        .exclude(pk=relationship.pk)
        .select_related("campaign__brand")
    )
    # M3, consistency: pitched on a campaign with no topic in common with this one.
    shares_a_topic = Exists(
        Campaign.topics.through.objects.filter(campaign_id=OuterRef("campaign_id"), topic_id__in=campaign_topics)
    )
    unrelated = [str(other.campaign) for other in recent.exclude(shares_a_topic).order_by("-pitched_at")]
    if unrelated:
        checks.flags.append(
            _(
                "%(person)s was pitched on unrelated topics in the last %(days)s days (%(campaigns)s): "
                "check this pitch is consistent for them."
            )
            % {"person": influencer, "days": settings.GUARDRAIL_WINDOW_DAYS, "campaigns": ", ".join(unrelated)}
        )
        checks.flag_rules.append(Rule.CONSISTENCY)
    # M3, frequency: this pitch would make more than GUARDRAIL_MAX_PITCHES in the window, all brands together.
    earlier = recent.count()
    if earlier + 1 > settings.GUARDRAIL_MAX_PITCHES:
        checks.flags.append(
            _(
                "%(person)s was already pitched %(count)s times in the last %(days)s days, across all campaigns "
                "and brands (the limit is %(limit)s)."
            )
            % {
                "person": influencer,
                "count": earlier,
                "days": settings.GUARDRAIL_WINDOW_DAYS,
                "limit": settings.GUARDRAIL_MAX_PITCHES,
            }
        )
        checks.flag_rules.append(Rule.FREQUENCY)
    return checks


def pitch_text(*, campaign: Campaign) -> str:
    """The real brief a pitch carries (B2): what is asked, what is offered, dates, sponsored or not."""

    def day(value) -> str:
        return formats.date_format(value, "DATE_FORMAT") if value else _("to be set")

    lines = [
        str(campaign),
        _("Objective: %(text)s") % {"text": campaign.objective.strip()},
        _("What we ask: %(text)s") % {"text": campaign.ask.strip()},
        _("Deliverables: %(text)s") % {"text": campaign.deliverables.strip()},
        _("What we offer: %(text)s") % {"text": campaign.offer.strip()},
        _("Dates: from %(start)s to %(end)s") % {"start": day(campaign.starts_on), "end": day(campaign.ends_on)},
    ]
    if campaign.sponsored:
        lines.append(
            _("Sponsored: this is paid content, and it must carry the disclosure “%(disclosure)s”.")
            % {"disclosure": campaign.disclosure.strip()}
        )
    else:
        lines.append(_("Organic: no paid content is asked for; you post only if you want to."))
    return "\n".join(lines)
