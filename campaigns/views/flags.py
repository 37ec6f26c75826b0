"""The pitch guardrails of every shortlisted card on a board, in a constant number of queries.

campaigns.services.pitch_checks runs per relationship (three queries each); a board of 30 shortlisted people
would run 90. This computes the same four checks (B4, B1, opt-out, M3) for all of them at once. The dialog
still calls pitch_checks, and the service is what decides: these are the warnings on the cards.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from campaigns.models import Campaign, Relationship
from crm.models import Influencer


@dataclass(frozen=True)
class CardFlag:
    label: str  # short, on the card
    detail: str = ""  # longer, for the title/tooltip and screen readers
    blocking: bool = False  # cannot be overridden: the brief, an opt-out


def board_pitch_flags(
    *, campaign: Campaign, relationships: list[Relationship], topic_ids: list[int] | None = None
) -> dict[int, list[CardFlag]]:
    """Flags of each relationship (by pk), as pitch_checks would raise them if it were pitched now.

    Three queries whatever the number of cards: the campaign's topics (none when the caller has them already,
    as `topic_ids`), the cards' people sharing one of them, and those people's pitches within the guardrail
    window.
    """
    if not relationships:
        return {}
    campaign_topics = list(campaign.topics.values_list("pk", flat=True)) if topic_ids is None else topic_ids
    people = {relationship.influencer_id for relationship in relationships}
    on_topic = set(
        Influencer.topics.through.objects.filter(influencer_id__in=people, topic_id__in=campaign_topics).values_list(
            "influencer_id", flat=True
        )
    )

    since = timezone.now() - timedelta(days=settings.GUARDRAIL_WINDOW_DAYS)
    shares_a_topic = Exists(
        Campaign.topics.through.objects.filter(campaign_id=OuterRef("campaign_id"), topic_id__in=campaign_topics)
    )
    # pitch_checks leaves out the relationship being pitched; one per person and campaign, so: this campaign.
    recent = (
        Relationship.objects.filter(influencer_id__in=people, pitched_at__gte=since)
        .exclude(campaign_id=campaign.pk)
        .annotate(shares_a_topic=shares_a_topic)
        .values_list("influencer_id", "shares_a_topic")
    )
    pitches: dict[int, int] = defaultdict(int)
    unrelated: dict[int, int] = defaultdict(int)
    for influencer_id, related in recent:
        pitches[influencer_id] += 1
        if not related:
            unrelated[influencer_id] += 1

    brief_missing = campaign.brief_missing()
    flags: dict[int, list[CardFlag]] = {}
    for relationship in relationships:
        person = relationship.influencer_id
        card: list[CardFlag] = []
        if brief_missing:
            card.append(CardFlag(_("brief incomplete"), _("Missing: %s") % ", ".join(brief_missing), blocking=True))
        if relationship.influencer.is_opted_out:
            card.append(CardFlag(_("opted out"), _("They opted out of contact: they cannot be pitched."), True))
        if person not in on_topic:
            card.append(CardFlag(_("off-topic"), _("No topic in common with the campaign: a pitch needs a reason.")))
        if unrelated[person]:
            card.append(
                CardFlag(
                    _("pitched on unrelated topics"),
                    ngettext(
                        "Pitched on %(count)d unrelated campaign in the last %(days)d days.",
                        "Pitched on %(count)d unrelated campaigns in the last %(days)d days.",
                        unrelated[person],
                    )
                    % {"count": unrelated[person], "days": settings.GUARDRAIL_WINDOW_DAYS},
                )
            )
        if pitches[person] + 1 > settings.GUARDRAIL_MAX_PITCHES:
            card.append(
                CardFlag(
                    _("pitched %(count)d times lately") % {"count": pitches[person]},
                    _("Across all campaigns and brands in the last %(days)d days; the limit is %(limit)d.")
                    % {"days": settings.GUARDRAIL_WINDOW_DAYS, "limit": settings.GUARDRAIL_MAX_PITCHES},
                )
            )
        flags[relationship.pk] = card
    return flags
