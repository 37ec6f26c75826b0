"""Read queries on people that views, admin, reports and reminders share, computed in SQL."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from django.db.models import (
    Aggregate,
    BooleanField,
    Case,
    Count,
    Exists,
    F,
    JSONField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import JSONObject
from django.utils import timezone

from campaigns.models import STAGES_WITH_A_CLOCK, Relationship
from crm.addresses import email_key
from crm.models import (
    AudienceSnapshot,
    BouncingAddress,
    Channel,
    Exchange,
    Feed,
    Influencer,
    InfluencerAddress,
    Post,
    Topic,
)


def is_overdue(today: date) -> Case:
    """Annotation on a model with next_contact_due: past the due day (due today is due, not yet overdue)."""
    return Case(When(next_contact_due__lt=today, then=Value(True)), default=Value(False), output_field=BooleanField())


def next_due_before(day: date) -> Q:
    """People whose soonest clock (their own, or an open relationship's) falls before `day`.

    The directory's `next_due` (the LEAST of the person's clock and their relationships') is a correlated
    subquery per person: filtering on it computed it for the whole directory. The same set, said as "their own
    clock is before `day`, or one of their relationships' is", reads both clocks through their indexes.
    """
    relationships_due = Relationship.objects.filter(stage__in=STAGES_WITH_A_CLOCK, next_contact_due__lt=day)
    return Q(next_contact_due__lt=day) | Q(pk__in=relationships_due.values("influencer_id"))


def posted_since(since: datetime) -> Exists:
    """Annotation or filter on people: one of their channels has a post published since `since` (a post whose date
    its feed does not give counts from when it was found). Said as two ranges rather than a COALESCE, so that the
    index on (channel, published) serves the first."""
    dated = Q(published_at__gte=since) | Q(published_at__isnull=True, found_at__gte=since)
    return Exists(Post.objects.filter(dated, channel__influencer_id=OuterRef("pk")))


def has_a_feed() -> Exists:
    """Filter on people: one of their channels has a feed (what they post is read)."""
    return Exists(Feed.objects.filter(channel__influencer_id=OuterRef("pk")))


def people_with_email(address: str, *, besides: Influencer | None = None) -> QuerySet[Influencer]:
    """Who has this e-mail address, however it is spelt (crm.addresses), other than `besides`; nobody for none."""
    key = email_key(address)
    if not key:
        return Influencer.objects.none()
    # Their primary address or one of their other ones: a key belongs to one person across both.
    others = InfluencerAddress.objects.filter(email_key=key).values("influencer_id")
    people = Influencer.objects.filter(Q(email_key=key) | Q(pk__in=others))
    return people.exclude(pk=besides.pk) if besides is not None and besides.pk is not None else people


def bouncing_people(*, owner) -> QuerySet[Influencer]:
    """The owner's people whose primary address bounces, the latest bounce first, each with `bounce_email`,
    `bounce_status`, `bounce_diagnostic` and `bounce_since` (Today's list, the morning digest)."""
    bounce = BouncingAddress.objects.filter(email_key=OuterRef("email_key"))
    return (
        Influencer.objects.filter(owner=owner)
        .exclude(email_key="")
        .filter(Exists(bounce))
        .annotate(
            bounce_email=Subquery(bounce.values("email")[:1]),
            bounce_status=Subquery(bounce.values("status")[:1]),
            bounce_diagnostic=Subquery(bounce.values("diagnostic")[:1]),
            bounce_since=Subquery(bounce.values("since")[:1]),
        )
        .only("name", "email")
        .order_by("-bounce_since", "pk")
    )


def matching_people(text: str) -> QuerySet:
    """The ids of people whose name, e-mail or a channel's handle contains `text` (any case; an e-mail as compared,
    crm.addresses).

    Three searches joined by UNION rather than one OR: each is `UPPER(column) LIKE '%TEXT%'` (the e-mail's,
    `email_key LIKE '%key%'`), which PostgreSQL answers from its trigram index (migrations crm 0006, 0011); an OR
    across the person and their channels could only be checked row by row over the whole directory. SQLite has no
    such index and scans, as before.
    """
    return (
        Influencer.objects.filter(name__icontains=text)
        .order_by()
        .values("pk")
        .union(
            # Blank text has a blank key, which every key contains: searched as typed.
            Influencer.objects.filter(email_key__contains=email_key(text) or text).order_by().values("pk"),
            InfluencerAddress.objects.filter(email_key__contains=email_key(text) or text)
            .order_by()
            .values("influencer_id"),
            Channel.objects.filter(handle__icontains=text).order_by().values("influencer_id"),
        )
    )


def people_needing_news(*, owner=None, today: date | None = None, soon_days: int = 7) -> QuerySet[Influencer]:
    """People between campaigns whose own stay-in-touch cadence is due within `soon_days` (or overdue).

    "Between campaigns": no relationship with a clock (pitched, active, delivered) — those are reminded
    through relationships_needing_news, so a person is never listed twice. People who opted out are left
    out: news between campaigns is exactly the unsolicited mail they asked to stop.
    """
    today = today or timezone.localdate()
    on_a_campaign = Exists(Relationship.objects.filter(influencer_id=OuterRef("pk"), stage__in=STAGES_WITH_A_CLOCK))
    people = Influencer.objects.filter(
        cadence_days__isnull=False, next_contact_due__lte=today + timedelta(days=soon_days)
    ).exclude(consent=Influencer.Consent.OPTED_OUT)
    if owner is not None:
        people = people.filter(owner=owner)
    return (
        people.exclude(on_a_campaign)
        .annotate(is_overdue=is_overdue(today))
        .select_related("owner")
        .order_by("next_contact_due", "name", "pk")
    )


class JSONArrayAgg(Aggregate):
    """The grouped values as one JSON array, so that a person's few topics or channels come in the person's row.

    jsonb on PostgreSQL: Django reads jsonb back as text and decodes it like any JSONField (a json value would
    arrive decoded already). No order is promised inside the array: callers sort.
    """

    function = "JSON_GROUP_ARRAY"
    output_field = JSONField()

    def as_postgresql(self, compiler, connection, **extra):
        return self.as_sql(compiler, connection, function="JSONB_AGG", **extra)


def _json_rows(queryset: QuerySet, link: str, **fields) -> Subquery:
    """`fields` of the rows of `queryset` that belong to the outer person through `link`, as a JSON array."""
    return Subquery(
        queryset.filter(**{link: OuterRef("pk")})
        .order_by()
        .values(link)
        .annotate(rows=JSONArrayAgg(JSONObject(**fields)))
        .values("rows")
    )


@dataclass(frozen=True)
class SnapshotPoint:
    taken_on: date
    followers: int


def _sum_of(direction: str, field: str) -> Subquery:
    return Subquery(
        Exchange.objects.filter(influencer_id=OuterRef("pk"), direction=direction)
        .order_by()
        .values("influencer_id")
        .annotate(total=Sum(field) if field != "pk" else Count("pk"))
        .values("total")
    )


def _bounce_rows() -> Subquery:
    """The bouncing rows of the outer person's addresses, main and other ones, as one JSON array.

    Aggregated with no GROUP BY (the grouping value is a constant, which Django leaves out): one row, whatever
    matches.
    """
    theirs = InfluencerAddress.objects.filter(influencer_id=OuterRef(OuterRef("pk"))).values("email_key")
    return Subquery(
        BouncingAddress.objects.filter(Q(email_key=OuterRef("email_key")) | Q(email_key__in=theirs))
        .exclude(email_key="")
        .order_by()
        .annotate(one=Value(1))
        .values("one")
        .annotate(
            rows=JSONArrayAgg(
                JSONObject(id="id", email="email", status="status", diagnostic="diagnostic", since="since")
            )
        )
        .values("rows")
    )


def _datetime(value) -> datetime:
    # A date read through JSON comes back as ISO text (PostgreSQL with its offset, SQLite without: UTC).
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    return moment if timezone.is_aware(moment) else timezone.make_aware(moment, UTC)


def influencer_profile(*, pk: int) -> Influencer:
    """A person with everything their page shows about them in one query (the page's budget is ten in all).

    On the returned person: `topic_names` (sorted), `channel_list` (Channel rows, by platform and handle, each
    with its `series` of SnapshotPoint oldest first), `given` and `got`, the ledger's totals
    ({count, value, reach}), `other_emails` (sorted) and `bounces` (BouncingAddress rows of any of their
    addresses, the latest first).
    Raises Influencer.DoesNotExist.
    """
    given, got = Exchange.Direction.GIVE, Exchange.Direction.GET
    person = (
        Influencer.objects.select_related("owner")
        .annotate(
            topic_rows=_json_rows(Topic.objects.all(), "influencers", name="name"),
            channel_rows=_json_rows(
                Channel.objects.all(),
                "influencer",
                id="id",
                platform="platform",
                handle="handle",
                url="url",
                followers="followers",
            ),
            snapshot_rows=_json_rows(
                AudienceSnapshot.objects.all(),
                "channel__influencer",
                channel="channel_id",
                taken_on="taken_on",
                followers="followers",
            ),
            address_rows=_json_rows(InfluencerAddress.objects.all(), "influencer", email="email"),
            bounce_rows=_bounce_rows(),
            given_count=_sum_of(given, "pk"),
            given_value=_sum_of(given, "value"),
            got_count=_sum_of(got, "pk"),
            got_value=_sum_of(got, "value"),
            got_reach=_sum_of(got, "reach"),
        )
        .get(pk=pk)
    )
    person.other_emails = sorted((row["email"] for row in person.address_rows or []), key=str.casefold)
    person.bounces = sorted(
        (
            BouncingAddress(
                pk=row["id"],
                email=row["email"],
                status=row["status"],
                diagnostic=row["diagnostic"],
                since=_datetime(row["since"]),
            )
            for row in person.bounce_rows or []
        ),
        key=lambda bounce: bounce.since,
        reverse=True,
    )
    person.topic_names = sorted((row["name"] for row in person.topic_rows or []), key=str.casefold)
    series: dict[int, list[SnapshotPoint]] = {}
    for row in sorted(person.snapshot_rows or [], key=lambda row: row["taken_on"]):
        series.setdefault(row["channel"], []).append(
            SnapshotPoint(taken_on=date.fromisoformat(row["taken_on"][:10]), followers=row["followers"])
        )
    channels = []
    for row in person.channel_rows or []:
        channel = Channel(influencer=person, **row)
        channel.series = series.get(channel.pk, [])
        channels.append(channel)
    person.channel_list = sorted(channels, key=lambda channel: (channel.platform, channel.handle))
    person.given = {"count": person.given_count or 0, "value": _decimal(person.given_value)}
    person.got = {"count": person.got_count or 0, "value": _decimal(person.got_value), "reach": person.got_reach}
    return person


def _decimal(value) -> Decimal | None:
    # A money sum read through a subquery may come back as a float on SQLite.
    return None if value is None else Decimal(str(value)).quantize(Decimal("0.01"))


def people_by_email_keys(keys: Iterable[str]) -> dict[str, Influencer]:
    """{address key: person} for the keys (crm.addresses.email_key) that are someone's address, primary or other;
    erased people are no one's. One query: a person's other addresses come on the same rows (a LEFT JOIN), and each
    row says which of its two keys matched."""
    keys = {key for key in keys if key}
    if not keys:
        return {}
    rows = (
        Influencer.objects.filter(Q(email_key__in=keys) | Q(addresses__email_key__in=keys), erased_at__isnull=True)
        .annotate(other_key=F("addresses__email_key"))
        .order_by("pk")
    )
    people: dict[str, Influencer] = {}
    for person in rows:
        for key in (person.email_key, person.other_key):
            if key in keys:
                people.setdefault(key, person)
    return people
