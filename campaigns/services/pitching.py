"""What a pitch must clear, and what it carries: the guardrails preview (B4, B1, opt-out, M3) and the brief (B2)."""

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import timedelta

from django.db.models import Exists, OuterRef
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from campaigns.models import Campaign, GuardrailEvent, Relationship
from core.rules import team_rules
from crm.models import Influencer
from messaging.emails import language_for

Rule = GuardrailEvent.Rule


@dataclass
class PitchChecks:
    """What stands between a relationship and its pitch; read-only, for the UI and the admin to show."""

    brief_missing: list[str] = field(default_factory=list)
    off_topic: bool = False
    opted_out: bool = False
    flags: list[str] = field(default_factory=list)  # M3: need an acknowledgement
    flag_rules: list[str] = field(default_factory=list)  # the GuardrailEvent.Rule of each flag, same order
    # What the M3 flags are made of, for a page to word them its own way (the board's cards).
    unrelated: list[str] = field(default_factory=list)  # campaigns pitched lately with no topic in common, latest first
    earlier_pitches: int = 0  # pitches of the person in the window, on other campaigns

    @property
    def clear(self) -> bool:
        """Nothing to fix, override or acknowledge."""
        return not (self.brief_missing or self.off_topic or self.opted_out or self.flags)


def pitch_checks(*, relationship: Relationship) -> PitchChecks:
    """Run the pitch guardrails (B4, B1, opt-out, M3) on a relationship without changing anything."""
    return pitch_checks_for(relationships=[relationship], campaign=relationship.campaign)[relationship.pk]


def pitch_checks_for(*, relationships: Sequence[Relationship], campaign: Campaign) -> dict[int, PitchChecks]:
    """The pitch guardrails of each of `relationships` (all on `campaign`), by relationship id; changes nothing.

    The one home of the pitch rules, for one card (the dialog, the admin, the pitch itself) and for a board's
    column alike, in three queries whatever their number: the campaign's topics (none when they are prefetched),
    the people sharing one of them, and those people's pitches within the guardrail window. Each person is read
    from their relationship: load them with it (select_related), or each costs a query.
    """
    if not relationships:
        return {}
    campaign_topics = [topic.pk for topic in campaign.topics.all()]
    people = {relationship.influencer_id for relationship in relationships}
    on_topic = set(
        Influencer.topics.through.objects.filter(influencer_id__in=people, topic_id__in=campaign_topics).values_list(
            "influencer_id", flat=True
        )
    )

    since = timezone.now() - timedelta(days=team_rules().guardrail_window_days)
    # M3, consistency: pitched on a campaign with no topic in common with this one.
    shares_a_topic = Exists(
        Campaign.topics.through.objects.filter(campaign_id=OuterRef("campaign_id"), topic_id__in=campaign_topics)
    )
    # Leaving out the relationship being pitched: one per person and campaign, so this campaign's.
    recent = (
        Relationship.objects.filter(influencer_id__in=people, pitched_at__gte=since)
        .exclude(campaign_id=campaign.pk)
        .annotate(shares_a_topic=shares_a_topic)
        .select_related("campaign__brand")
        .only("influencer_id", "pitched_at", "campaign__name", "campaign__brand__name")
        .order_by("-pitched_at", "-pk")
    )
    pitches: dict[int, int] = defaultdict(int)
    unrelated: dict[int, list[str]] = defaultdict(list)
    for other in recent:
        pitches[other.influencer_id] += 1
        if not other.shares_a_topic:
            unrelated[other.influencer_id].append(str(other.campaign))

    brief_missing = campaign.brief_missing()
    return {
        relationship.pk: _checks(
            relationship.influencer,
            brief_missing=brief_missing,
            on_topic=relationship.influencer_id in on_topic,
            unrelated=unrelated[relationship.influencer_id],
            earlier=pitches[relationship.influencer_id],
        )
        for relationship in relationships
    }


def _checks(
    influencer: Influencer, *, brief_missing: list[str], on_topic: bool, unrelated: list[str], earlier: int
) -> PitchChecks:
    checks = PitchChecks(
        brief_missing=list(brief_missing),
        off_topic=not on_topic,
        opted_out=influencer.is_opted_out,
        unrelated=unrelated,
        earlier_pitches=earlier,
    )
    if unrelated:
        checks.flags.append(
            _(
                "%(person)s was pitched on unrelated topics in the last %(days)s days (%(campaigns)s): "
                "check this pitch is consistent for them."
            )
            % {"person": influencer, "days": team_rules().guardrail_window_days, "campaigns": ", ".join(unrelated)}
        )
        checks.flag_rules.append(Rule.CONSISTENCY)
    # M3, frequency: this pitch would make more than GUARDRAIL_MAX_PITCHES in the window, all brands together.
    if earlier + 1 > team_rules().guardrail_max_pitches:
        checks.flags.append(
            _(
                "%(person)s was already pitched %(count)s times in the last %(days)s days, across all campaigns "
                "and brands (the limit is %(limit)s)."
            )
            % {
                "person": influencer,
                "count": earlier,
                "days": team_rules().guardrail_window_days,
                "limit": team_rules().guardrail_max_pitches,
            }
        )
        checks.flag_rules.append(Rule.FREQUENCY)
    return checks


def pitch_text(*, campaign: Campaign, influencer: Influencer | None = None) -> str:
    """The real brief a pitch carries (B2): what is asked, what is offered, dates, sponsored or not; in the
    person's language when given (as the thank-you), else in the reader's."""
    with translation.override(language_for(influencer) if influencer is not None else translation.get_language()):
        return _pitch_text(campaign)


def _pitch_text(campaign: Campaign) -> str:
    lines = [
        str(campaign),
        _("Objective: %(text)s") % {"text": campaign.objective.strip()},
        _("What we ask: %(text)s") % {"text": campaign.ask.strip()},
        _("Deliverables: %(text)s") % {"text": campaign.deliverables.strip()},
        _("What we offer: %(text)s") % {"text": campaign.offer.strip()},
        _dates(campaign),
    ]
    if campaign.sponsored:
        lines.append(
            _("Sponsored: this is paid content, and it must carry the disclosure “%(disclosure)s”.")
            % {"disclosure": campaign.disclosure.strip()}
        )
    else:
        lines.append(_("Organic: no paid content is asked for; you post only if you want to."))
    return "\n".join(lines)


def _dates(campaign: Campaign) -> str:
    """The campaign's dates as a sentence, whichever of them are set."""
    start, end = campaign.starts_on, campaign.ends_on
    day = {"start": _day(start), "end": _day(end)}
    if start and end:
        return _("Dates: from %(start)s to %(end)s") % day
    if start:
        return _("Dates: from %(start)s; the end is still to be set") % day
    if end:
        return _("Dates: until %(end)s; the start is still to be set") % day
    return _("Dates: still to be set")


def _day(value) -> str:
    return formats.date_format(value, "DATE_FORMAT") if value else ""
