"""Read queries on campaigns and relationships that views, admin, reports and reminders share.

Computed in SQL: each returns a queryset (or a handful of them) whose query count does not grow with rows.
"""

from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Subquery, Window
from django.db.models.functions import RowNumber
from django.utils import timezone

from campaigns.models import STAGES_WITH_A_CLOCK, Campaign, Relationship, Stage
from crm.models import Influencer
from crm.selectors import is_overdue, people_needing_news


def relationships_needing_news(*, owner=None, today: date | None = None, soon_days: int = 7) -> QuerySet[Relationship]:
    """Open relationships whose next contact is due within `soon_days` (or overdue), soonest first."""
    today = today or timezone.localdate()
    relationships = Relationship.objects.filter(
        stage__in=STAGES_WITH_A_CLOCK, next_contact_due__lte=today + timedelta(days=soon_days)
    )
    if owner is not None:
        relationships = relationships.filter(owner=owner)
    return (
        relationships.annotate(is_overdue=is_overdue(today))
        .select_related("influencer", "campaign", "campaign__brand", "owner")
        .order_by("next_contact_due", "influencer__name", "pk")
    )


@dataclass(frozen=True)
class NewsToGive:
    """Who needs news: relationships on campaigns, and people between campaigns (their own cadence)."""

    relationships: QuerySet[Relationship]
    people: QuerySet[Influencer]


def who_needs_news(
    *, owner=None, today: date | None = None, soon_days: int = 7, limit: int | None = None
) -> NewsToGive:
    """The one "who needs news" that the UI, the admin and the reminders read: two queries, whatever the size.

    With `limit`, each of the two holds at most `limit` overdue rows and `limit` rows due soon (the first ones, in
    their order), and every row carries `section_total`: how many of its source are in its section (overdue or
    not), counted in the same query before the cut. Today shows 25 of a marketer's 28,000 that way.
    """
    today = today or timezone.localdate()
    relationships = relationships_needing_news(owner=owner, today=today, soon_days=soon_days)
    people = people_needing_news(owner=owner, today=today, soon_days=soon_days)
    if limit is not None:
        relationships = _first_of_each_section(relationships, ["next_contact_due", "influencer__name", "pk"], limit)
        people = _first_of_each_section(people, ["next_contact_due", "name", "pk"], limit)
    return NewsToGive(relationships=relationships, people=people)


def _first_of_each_section(rows: QuerySet, order: list[str], limit: int) -> QuerySet:
    """The first `limit` overdue rows and the first `limit` others, each with its section's full count."""
    section = {"partition_by": [F("is_overdue")]}
    return rows.annotate(
        position=Window(RowNumber(), order_by=[F(name) for name in order], **section),
        section_total=Window(Count("pk"), **section),
    ).filter(position__lte=limit)


def brief_complete() -> Q:
    """Campaign.brief_complete in SQL: objective, ask, deliverables, offer and dates; the disclosure if sponsored."""
    filled = Q(starts_on__isnull=False, ends_on__isnull=False)
    for name in ("objective", "ask", "deliverables", "offer"):
        filled &= ~Q(**{f"{name}__regex": r"^\s*$"})
    return filled & (Q(sponsored=False) | ~Q(disclosure__regex=r"^\s*$"))


def campaigns_that_fit(*, influencer: Influencer, exclude=None, outreach: bool = False) -> QuerySet[Campaign]:
    """Open campaigns that fit a person (E2): not finished, not ended, a topic in common, not already on it.

    `exclude`: a campaign (or its id), or several, to leave out — typically the one being closed.
    `outreach`: only what may be told to the person — running, with a complete brief (B4: no outreach before
    the brief is complete). Without it, drafts are listed too, for the team to plan with.
    """
    today = timezone.localdate()
    shares_a_topic = Exists(
        Campaign.topics.through.objects.filter(campaign_id=OuterRef("pk"), topic__influencers=influencer.pk)
    )
    already_on_it = Exists(Relationship.objects.filter(campaign_id=OuterRef("pk"), influencer_id=influencer.pk))
    campaigns = (
        Campaign.objects.exclude(status=Campaign.Status.FINISHED)
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=today))
        .filter(shares_a_topic)
        .exclude(already_on_it)
    )
    if outreach:
        campaigns = campaigns.filter(brief_complete(), status=Campaign.Status.RUNNING)
    if exclude is not None:
        items = exclude if isinstance(exclude, list | tuple | set | QuerySet) else [exclude]
        campaigns = campaigns.exclude(pk__in=[getattr(item, "pk", item) for item in items])
    return campaigns.select_related("brand").distinct().order_by("ends_on", "name")


def pipeline(*, campaign: Campaign, per_stage: int | None = None) -> dict[str, list[Relationship]]:
    """The campaign's board: every stage, in lifecycle order, with its relationships by name (one query).

    With `per_stage`, each column holds its first `per_stage` cards only (ROW_NUMBER() over the stage, filtered in
    SQL: a column of 5,000 is not fetched to show 50). Every card carries `stage_total`, its column's full count,
    counted in the same query before the cut.
    """
    board: dict[str, list[Relationship]] = {stage: [] for stage in Stage.values}
    relationships = _cards(campaign).order_by("influencer__name", "pk")
    if per_stage is not None:
        in_stage = {"partition_by": [F("stage")]}
        relationships = relationships.annotate(
            position=Window(RowNumber(), order_by=[F("influencer__name"), F("pk")], **in_stage),
            stage_total=Window(Count("pk"), **in_stage),
        ).filter(position__lte=per_stage)
    for relationship in relationships:
        board[relationship.stage].append(relationship)
    return board


def pipeline_after(*, campaign: Campaign, stage: str, after: int, limit: int) -> list[Relationship]:
    """The cards of one column that come after the card `after` (its relationship id), in the board's order.

    Keyset on (name, id): the next page of a long column costs what the first did. A card that is gone (or not on
    this campaign) gives nothing to follow, hence no cards.
    """
    name = Subquery(Relationship.objects.filter(pk=after, campaign_id=campaign.pk).values("influencer__name")[:1])
    return list(
        _cards(campaign)
        .filter(stage=stage)
        .filter(Q(influencer__name__gt=name) | Q(influencer__name=name, pk__gt=after))
        .order_by("influencer__name", "pk")[:limit]
    )


def _cards(campaign: Campaign) -> QuerySet[Relationship]:
    """What a card shows: the person, the owner, and whether the next contact is overdue."""
    return campaign.relationships.select_related("influencer", "owner").annotate(
        is_overdue=is_overdue(timezone.localdate())
    )
