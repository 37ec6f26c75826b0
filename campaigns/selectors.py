"""Read queries on campaigns and relationships that views, admin, reports and reminders share.

Computed in SQL: each returns a queryset (or a handful of them) whose query count does not grow with rows.
"""

from dataclasses import dataclass
from datetime import date, timedelta

from django.contrib.auth import get_user_model
from django.db.models import Case, Count, Exists, F, OuterRef, Q, QuerySet, Subquery, When, Window
from django.db.models.functions import RowNumber
from django.utils import timezone

from campaigns.models import STAGES_WITH_A_CLOCK, Campaign, ContentMatch, Relationship, Stage
from crm.models import Influencer, tier_bounds
from crm.selectors import is_overdue, matching_people, people_needing_news


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


@dataclass(frozen=True)
class BoardFilters:
    """What the board is narrowed to (campaigns.forms.BoardFilterForm gives it, valid values only)."""

    owner_id: int | None = None
    region: str = ""
    tier: str = ""
    flag: str = ""  # one of BOARD_FLAGS
    text: str = ""  # a name, e-mail or handle: the directory's search (crm.selectors.matching_people)


# The cards' flags a board can be narrowed to: each is the very annotation the card shows (see _cards), so a card
# listed under a flag always shows it. Flags worked out in Python (the pitch checks) are not offered.
BOARD_FLAGS = {
    "overdue": lambda: is_overdue(timezone.localdate()),
    "content_proposed": lambda: content_proposed(),
    "disclosure_missing": lambda: disclosure_missing(),
}


def _narrowed(relationships: QuerySet[Relationship], filters: BoardFilters | None) -> QuerySet[Relationship]:
    if filters is None:
        return relationships
    if filters.owner_id is not None:
        relationships = relationships.filter(owner_id=filters.owner_id)
    if filters.region:
        relationships = relationships.filter(influencer__region__iexact=filters.region)
    if filters.tier:
        low, high = tier_bounds(filters.tier)
        relationships = relationships.filter(influencer__audience__gte=low)
        if high is not None:
            relationships = relationships.filter(influencer__audience__lt=high)
    if filters.flag in BOARD_FLAGS:
        relationships = relationships.alias(board_flag=BOARD_FLAGS[filters.flag]()).filter(board_flag=True)
    if filters.text:
        relationships = relationships.filter(influencer_id__in=matching_people(filters.text))
    return relationships


def board_owners(*, campaign: Campaign) -> QuerySet:
    """The team members who own a relationship on the campaign, by name: whom the board can be narrowed to."""
    return (
        get_user_model()
        .objects.filter(Exists(Relationship.objects.filter(campaign_id=campaign.pk, owner_id=OuterRef("pk"))))
        .only("pk", "username", "first_name", "last_name")
        .order_by("first_name", "last_name", "username")
    )


def pipeline(
    *, campaign: Campaign, per_stage: int | None = None, filters: BoardFilters | None = None
) -> dict[str, list[Relationship]]:
    """The campaign's board: every stage, in lifecycle order, with its relationships by name (one query).

    With `per_stage`, each column holds its first `per_stage` cards only, and every card carries `stage_total`, its
    column's full count (two queries: which cards, then the cards). Which ones is decided on narrow rows: the
    ranking reads the id, stage and name of every relationship of the campaign (5,000 on a big board), and only
    the cards shown are read, by id, with their person and owner. Ranking the whole rows sorted 5,000 rows of 60
    columns to keep 125, at five times the SQL time of now (docs/PERFORMANCE.md, "Figures behind the code"); most
    of what is left is the join that gives each relationship its person's name: the order is the person's, so no
    index of the relationships can give it.

    `filters` narrow every column and its count alike.
    """
    board: dict[str, list[Relationship]] = {stage: [] for stage in Stage.values}
    relationships = _cards(_narrowed(campaign.relationships.all(), filters))
    totals: dict[int, int] = {}
    if per_stage is not None:
        totals = _first_of_each_stage(campaign, per_stage, filters)
        # By id alone: with the campaign's filter as well, PostgreSQL may read the campaign's 5,000 rows through
        # its index and test each against the list, instead of fetching the 125 by primary key.
        relationships = _cards(Relationship.objects.filter(pk__in=list(totals)))
    for relationship in relationships.order_by("influencer__name", "pk"):
        if per_stage is not None:
            relationship.stage_total = totals[relationship.pk]
        board[relationship.stage].append(relationship)
    return board


def _first_of_each_stage(campaign: Campaign, per_stage: int, filters: BoardFilters | None = None) -> dict[int, int]:
    """{relationship id: its stage's full count} of the first `per_stage` relationships of each stage, by name.

    ROW_NUMBER() over the stage, filtered in SQL: a column of 5,000 is not fetched to show 25.
    """
    in_stage = {"partition_by": [F("stage")]}
    ranked = (
        _narrowed(Relationship.objects.filter(campaign_id=campaign.pk), filters)
        .annotate(
            position=Window(RowNumber(), order_by=[F("influencer__name"), F("pk")], **in_stage),
            stage_total=Window(Count("pk"), **in_stage),
        )
        .filter(position__lte=per_stage)
        .order_by()
        .values_list("pk", "stage_total")
    )
    return dict(ranked)


def pipeline_after(
    *, campaign: Campaign, stage: str, after: int, limit: int, filters: BoardFilters | None = None
) -> list[Relationship]:
    """The cards of one column that come after the card `after` (its relationship id), in the board's order.

    Keyset on (name, id): the next page of a long column costs what the first did. A card that is gone (or not on
    this campaign) gives nothing to follow, hence no cards.
    """
    name = Subquery(Relationship.objects.filter(pk=after, campaign_id=campaign.pk).values("influencer__name")[:1])
    return list(
        _cards(_narrowed(campaign.relationships.filter(stage=stage), filters))
        .filter(Q(influencer__name__gt=name) | Q(influencer__name=name, pk__gt=after))
        .order_by("influencer__name", "pk")[:limit]
    )


# What a card reads (campaigns.views.board and its flags), and nothing else: the whole rows of a relationship, its
# person and its owner are 60 columns (timestamps, notes, a password hash), and reading them for 125 cards cost
# ten times the query itself. A field left out here and read by a card costs a query per card: the board's
# query-count tests catch it.
CARD_FIELDS = [
    "campaign_id",  # read back by Django on rows reached through campaign.relationships
    "influencer_id",
    "owner_id",
    "stage",
    "outcome",
    "next_contact_due",
    "thank_you",
    "thank_you_skip_reason",
    "influencer__name",
    "influencer__audience",
    "influencer__region",
    "influencer__city",
    "influencer__consent",
    "owner__username",
    "owner__first_name",
    "owner__last_name",
]


def _cards(relationships: QuerySet[Relationship]) -> QuerySet[Relationship]:
    """What a card shows: the person, the owner, and whether the next contact is overdue."""
    return (
        relationships.select_related("influencer", "owner")
        .only(*CARD_FIELDS)
        .annotate(
            is_overdue=is_overdue(timezone.localdate()),
            disclosure_missing=disclosure_missing(),
            content_proposed=content_proposed(),
        )
    )


# --- Content read from feeds -----------------------------------------------------------------------------------


def disclosure_missing() -> Exists:
    """Whether a relationship has a post that needs its disclosure (a sponsored campaign's, not dismissed)."""
    return Exists(
        ContentMatch.objects.filter(relationship=OuterRef("pk"), disclosure=ContentMatch.Disclosure.MISSING).exclude(
            status=ContentMatch.Status.DISMISSED
        )
    )


def content_proposed() -> Exists:
    """Whether a relationship has a post proposed as its content, waiting for the owner."""
    return Exists(ContentMatch.objects.filter(relationship=OuterRef("pk"), status=ContentMatch.Status.PROPOSED))


def content_matches(*, relationship: Relationship | None = None, influencer=None, limit: int = 20) -> list:
    """A relationship's (or a person's) posts matched to campaigns: to confirm first, then the newest."""
    matches = ContentMatch.objects.select_related("post__channel", "relationship__campaign__brand")
    if relationship is not None:
        matches = matches.filter(relationship=relationship)
    if influencer is not None:
        matches = matches.filter(relationship__influencer=influencer)
    proposed_first = Case(When(status=ContentMatch.Status.PROPOSED, then=0), default=1)
    return list(matches.order_by(proposed_first, "-found_at", "-pk")[:limit])
