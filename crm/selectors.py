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
    Max,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, JSONObject, Least
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


def broken_feeds(*, owner) -> QuerySet[Feed]:
    """The feeds of the owner's people that are broken (crm.feeds.polling), the latest broken first, with their
    channel and person (the morning digest)."""
    return (
        Feed.objects.filter(channel__influencer__owner=owner, broken_at__isnull=False)
        .select_related("channel__influencer")
        .only("url", "broken_at", "last_error", "channel__platform", "channel__handle", "channel__influencer__name")
        .order_by("-broken_at", "pk")
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


# A channel's posting rhythm is read over this many days (the person's page, the directory's "silent" filter).
RHYTHM_DAYS = 90


def post_shown_at():
    """When a post is dated on the timeline and in lists: published, else found; never later than found (an item a
    feed dates in the future would otherwise stay on top for years)."""
    return Least(Coalesce("published_at", "found_at"), F("found_at"))


@dataclass(frozen=True)
class FeedState:
    """How a channel's feed is read (crm.feeds.polling keeps it)."""

    url: str
    interval_minutes: int
    last_success_at: datetime | None
    broken_at: datetime | None
    last_error: str

    @property
    def interval_hours(self) -> int:
        return round(self.interval_minutes / 60)


@dataclass(frozen=True)
class Rhythm:
    """A channel's posts over the last RHYTHM_DAYS: how many, and the usual gap between two (their span over the
    gaps between them), in days; None with fewer than two."""

    count: int
    first: datetime | None
    last: datetime | None

    @property
    def gap_days(self) -> float | None:
        if self.count < 2 or self.first is None or self.last is None:
            return None
        return (self.last - self.first).total_seconds() / 86400 / (self.count - 1)

    @property
    def every_days(self) -> int | None:
        """The gap in whole days (at least 1); None when there is no gap to speak of."""
        gap = self.gap_days
        return None if gap is None else max(1, round(gap))

    @property
    def several_a_day(self) -> bool:
        gap = self.gap_days
        return gap is not None and gap < 0.5


class JSONRowsOfSlice(Subquery):
    """The rows of a sliced queryset (its `.values(*names)`, each an annotation of that name) as one JSON array.

    `_json_rows` aggregates every matching row; a LIMIT applies to what is aggregated only from a derived table:
    `(SELECT JSON_GROUP_ARRAY(JSON_OBJECT('name', r.name, …)) FROM (<the sliced query>) r)`. The outer person's
    columns are read from inside the derived table (a correlated subquery one level down), which SQLite and
    PostgreSQL both allow. The array's order is not promised: callers sort.
    """

    output_field = JSONField()

    def __init__(self, queryset: QuerySet, names: Iterable[str]):
        super().__init__(queryset)
        self.names = list(names)

    def as_sql(self, compiler, connection, template=None, **extra_context):
        sql, params = super().as_sql(compiler, connection, **extra_context)
        quote = connection.ops.quote_name
        pairs = ", ".join(f"'{name}', r.{quote(name)}" for name in self.names)
        if connection.vendor == "postgresql":
            return f"(SELECT JSONB_AGG(JSONB_BUILD_OBJECT({pairs})) FROM {sql} r)", params
        return f"(SELECT JSON_GROUP_ARRAY(JSON_OBJECT({pairs})) FROM {sql} r)", params


POST_FIELDS = ("post_id", "post_channel", "post_url", "post_title", "post_excerpt", "post_published", "post_shown")


def _latest_posts(count: int) -> JSONRowsOfSlice:
    """The outer person's newest `count` posts, across their channels (see post_shown_at)."""
    rows = (
        Post.objects.filter(channel__influencer_id=OuterRef("pk"))
        .annotate(
            post_id=F("pk"),
            post_channel=F("channel_id"),
            post_url=F("url"),
            post_title=F("title"),
            post_excerpt=F("excerpt"),
            post_published=F("published_at"),
            post_shown=post_shown_at(),
        )
        .order_by("-post_shown", "-pk")
        .values(*POST_FIELDS)[:count]
    )
    return JSONRowsOfSlice(rows, POST_FIELDS)


def _posts_of_channel(since: datetime, until: datetime) -> QuerySet:
    return (
        Post.objects.filter(channel_id=OuterRef("id"), published_at__gte=since, published_at__lte=until)
        .order_by()
        .values("channel_id")
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


def influencer_profile(*, pk: int, posts: int = 5) -> Influencer:
    """A person with everything their page shows about them in one query (the page's budget is ten in all).

    On the returned person: `topic_names` (sorted), `channel_list` (Channel rows, by platform and handle, each
    with its `series` of SnapshotPoint oldest first, its `feed_state` (FeedState, None without a feed) and its
    `rhythm` (Rhythm)), `broken_feeds` (those of the channels whose feed is broken), `latest_posts` (their newest
    `posts` Post rows across their channels, newest first, each with its `channel` and `shown_at`), `given` and
    `got`, the ledger's totals ({count, value, reach}), `other_emails` (sorted) and `bounces` (BouncingAddress
    rows of any of their addresses, the latest first).
    Raises Influencer.DoesNotExist.
    """
    given, got = Exchange.Direction.GIVE, Exchange.Direction.GET
    now = timezone.now()
    recent = _posts_of_channel(now - timedelta(days=RHYTHM_DAYS), now)
    channels = Channel.objects.annotate(
        recent_count=Subquery(recent.annotate(n=Count("pk")).values("n")),
        recent_first=Subquery(recent.annotate(at=Min("published_at")).values("at")),
        recent_last=Subquery(recent.annotate(at=Max("published_at")).values("at")),
    )
    person = (
        Influencer.objects.select_related("owner")
        .annotate(
            topic_rows=_json_rows(Topic.objects.all(), "influencers", name="name"),
            channel_rows=_json_rows(
                channels,
                "influencer",
                id="id",
                platform="platform",
                handle="handle",
                url="url",
                followers="followers",
                feed_url="feed__url",
                feed_interval="feed__interval_minutes",
                feed_read_at="feed__last_success_at",
                feed_broken_at="feed__broken_at",
                feed_error="feed__last_error",
                recent_count="recent_count",
                recent_first="recent_first",
                recent_last="recent_last",
            ),
            post_rows=_latest_posts(max(posts, 1)),
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
        feed_url, feed_interval = row.pop("feed_url"), row.pop("feed_interval")
        feed_read_at, feed_broken_at, feed_error = (
            row.pop("feed_read_at"),
            row.pop("feed_broken_at"),
            row.pop("feed_error"),
        )
        count, first, last = row.pop("recent_count"), row.pop("recent_first"), row.pop("recent_last")
        channel = Channel(influencer=person, **row)
        channel.series = series.get(channel.pk, [])
        channel.feed_state = (
            FeedState(
                url=feed_url,
                interval_minutes=feed_interval or 0,
                last_success_at=_datetime(feed_read_at) if feed_read_at else None,
                broken_at=_datetime(feed_broken_at) if feed_broken_at else None,
                last_error=feed_error or "",
            )
            if feed_url
            else None
        )
        channel.rhythm = Rhythm(
            count=count or 0,
            first=_datetime(first) if first else None,
            last=_datetime(last) if last else None,
        )
        channels.append(channel)
    person.channel_list = sorted(channels, key=lambda channel: (channel.platform, channel.handle))
    person.broken_feeds = [
        channel for channel in person.channel_list if channel.feed_state and channel.feed_state.broken_at
    ]
    by_id = {channel.pk: channel for channel in channels}
    latest = []
    for row in person.post_rows or []:
        post = Post(
            pk=row["post_id"],
            channel_id=row["post_channel"],
            url=row["post_url"] or "",
            title=row["post_title"] or "",
            excerpt=row["post_excerpt"] or "",
            published_at=_datetime(row["post_published"]) if row["post_published"] else None,
        )
        post.channel = by_id[post.channel_id]
        post.shown_at = _datetime(row["post_shown"])
        latest.append(post)
    person.latest_posts = sorted(latest, key=lambda post: (post.shown_at, post.pk), reverse=True)[:posts]
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
