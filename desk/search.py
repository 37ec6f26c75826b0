"""The navigation bar's search: people, campaigns and brands whose text contains what was typed.

People are found by the directory's own rule (crm.selectors.matching_people: name, e-mail, a channel's handle), so
the box and the directory's search never disagree, and PostgreSQL answers both from the same trigram indexes.
Each group is one query whatever the number of matches: its first rows, and how many there are in all (a window
COUNT over the whole match, taken before the LIMIT).
"""

from dataclasses import dataclass, field

from django.db.models import Case, Count, IntegerField, OuterRef, Q, QuerySet, Subquery, Value, When, Window
from django.db.models.functions import Lower

from campaigns.models import Brand, Campaign
from crm.models import Channel, Influencer
from crm.selectors import matching_people

SHORTEST = 2  # one letter matches most of the directory: it says nothing about whom you are looking for


@dataclass(frozen=True)
class Group:
    """The first rows of one group, and how many matched in all."""

    rows: list = field(default_factory=list)
    total: int = 0

    @property
    def more(self) -> int:
        return self.total - len(self.rows)


@dataclass(frozen=True)
class Found:
    """What a search found; a group is None where the member may not see it (their role does not give it)."""

    people: Group | None
    campaigns: Group | None
    brands: Group | None

    @property
    def nothing(self) -> bool:
        return not any(group and group.total for group in (self.people, self.campaigns, self.brands))


def _group(queryset: QuerySet, limit: int) -> Group:
    rows = list(queryset.annotate(matched=Window(Count("pk")))[:limit])
    return Group(rows=rows, total=rows[0].matched if rows else 0)


def people_found(text: str, *, limit: int) -> Group:
    """People whose name, e-mail or handle contains `text`, names that begin with it first; each with the channel to
    show beside them (`channel_platform`, `channel_handle`: a handle that matched, else their first one)."""
    channel = Channel.objects.filter(influencer_id=OuterRef("pk")).order_by(
        Case(When(handle__icontains=text, then=Value(0)), default=Value(1), output_field=IntegerField()),
        "platform",
        "handle",
    )
    people = (
        Influencer.objects.filter(pk__in=matching_people(text))
        .annotate(
            channel_platform=Subquery(channel.values("platform")[:1]),
            channel_handle=Subquery(channel.values("handle")[:1]),
        )
        .only("name", "email")
        .order_by(_begins_first("name", text), Lower("name"), "pk")
    )
    group = _group(people, limit)
    labels = dict(Channel.Platform.choices)
    for person in group.rows:
        person.channel_platform_label = labels.get(person.channel_platform, "")
    return group


def campaigns_found(text: str, *, limit: int) -> Group:
    """Campaigns whose name or brand's name contains `text`: running ones first, then drafts, then finished."""
    campaigns = (
        Campaign.objects.filter(Q(name__icontains=text) | Q(brand__name__icontains=text))
        .select_related("brand")
        .only("name", "status", "brand__name")
        .order_by(
            Case(
                When(status=Campaign.Status.RUNNING, then=Value(0)),
                When(status=Campaign.Status.DRAFT, then=Value(1)),
                default=Value(2),
                output_field=IntegerField(),
            ),
            _begins_first("name", text),
            Lower("name"),
            "pk",
        )
    )
    return _group(campaigns, limit)


def brands_found(text: str, *, limit: int) -> Group:
    brands = Brand.objects.filter(name__icontains=text).order_by(_begins_first("name", text), Lower("name"), "pk")
    return _group(brands, limit)


def search(text: str, *, user, limit: int) -> Found:
    """Each group the member's role lets them see (a viewer sees all three, read-only), at most `limit` rows each."""
    return Found(
        people=people_found(text, limit=limit) if user.has_perm("crm.view_influencer") else None,
        campaigns=campaigns_found(text, limit=limit) if user.has_perm("campaigns.view_campaign") else None,
        brands=brands_found(text, limit=limit) if user.has_perm("campaigns.view_brand") else None,
    )


def _begins_first(name: str, text: str) -> Case:
    return Case(When(**{f"{name}__istartswith": text}, then=Value(0)), default=Value(1), output_field=IntegerField())
