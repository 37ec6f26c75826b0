"""One timeline of everything with a person, across all campaigns and brands, newest first.

Each kind of event comes from a *source*: a function that returns the person's newest `limit` entries of that
kind, in one query. The timeline asks every source for `limit` entries and keeps the newest `limit` of the merge,
so the page costs one query per source whatever the person's history. A new kind of event (the messages of the
outbox, say) is one more source appended to SOURCES, with its template in templates/desk/timeline/.

The person's relationships (with their campaign and brand) are read once, by `relationships_of`, and handed to
every source: an entry's relationship is put on it from them rather than joined in each source's query. Four
joins through the relationships table cost PostgreSQL far more to plan than to run where the table had many dead
rows (docs/PERFORMANCE.md, "Figures behind the code"), and a person has a few relationships, not thousands.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, time
from heapq import merge
from itertools import islice

from django.db.models.functions import Coalesce
from django.utils import timezone

from campaigns.models import Relationship, StageChange
from campaigns.selectors import content_proposed, disclosure_missing
from crm.models import Contact, Exchange, Influencer, Post
from crm.selectors import post_shown_at
from messaging.models import Message


@dataclass(frozen=True)
class TimelineEntry:
    kind: str  # "contact", "exchange", "post"…, also the template's name: desk/timeline/<kind>.html
    at: datetime  # what the timeline sorts on
    obj: object
    all_day: bool = False  # dated by a day, not a time (an exchange): shown without an hour

    @property
    def template(self) -> str:
        return f"desk/timeline/{self.kind}.html"


Relationships = dict[int, Relationship]
Source = Callable[[Influencer, int, Relationships], list[TimelineEntry]]


def relationships_of(influencer: Influencer) -> Relationships:
    """Every relationship of the person, any stage, with its campaign, brand and owner, by id; and whether a post
    of theirs waits to be confirmed on it, or lacks its disclosure."""
    rows = (
        Relationship.objects.filter(influencer=influencer)
        .select_related("campaign__brand", "owner")
        .annotate(content_proposed=content_proposed(), disclosure_missing=disclosure_missing())
    )
    found = {}
    for relationship in rows:
        relationship.influencer = influencer
        found[relationship.pk] = relationship
    return found


def _with_relationships(rows: Iterable, relationships: Relationships) -> Iterable:
    for row in rows:
        # A row whose relationship is another person's (it should not happen) reads it on its own, as before.
        if row.relationship_id in relationships:
            row.relationship = relationships[row.relationship_id]
        yield row


def _start_of(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def contacts(influencer: Influencer, limit: int, relationships: Relationships) -> list[TimelineEntry]:
    rows = Contact.objects.filter(influencer=influencer).select_related("logged_by").order_by("-occurred_at", "-pk")
    return [TimelineEntry("contact", row.occurred_at, row) for row in _with_relationships(rows[:limit], relationships)]


def stage_changes(influencer: Influencer, limit: int, relationships: Relationships) -> list[TimelineEntry]:
    # By the relationships' ids, which are known: no join to find them.
    rows = (
        StageChange.objects.filter(relationship_id__in=list(relationships))
        .select_related("changed_by")
        .order_by("-changed_at", "-pk")[:limit]
    )
    return [TimelineEntry("stage_change", row.changed_at, row) for row in _with_relationships(rows, relationships)]


def exchanges(influencer: Influencer, limit: int, relationships: Relationships) -> list[TimelineEntry]:
    rows = Exchange.objects.filter(influencer=influencer).select_related("recorded_by").order_by("-occurred_on", "-pk")
    return [
        TimelineEntry("exchange", _start_of(row.occurred_on), row, all_day=True)
        for row in _with_relationships(rows[:limit], relationships)
    ]


# The outbox rows about a person: what was (or will be) sent to them, and the reminders to their owner.
TIMELINE_MESSAGE_KINDS = (Message.Kind.FOLLOW_UP, Message.Kind.THANK_YOU, Message.Kind.REMINDER)


def messages(influencer: Influencer, limit: int, relationships: Relationships) -> list[TimelineEntry]:
    """Dated when they went, or else when they are (were) due to go: a scheduled one sits ahead of today."""
    rows = (
        Message.objects.filter(influencer=influencer, kind__in=TIMELINE_MESSAGE_KINDS)
        .select_related("created_by", "to_user")
        .defer("body", "claim", "claimed_at")
        .annotate(shown_at=Coalesce("sent_at", "send_at"))
        .order_by("-shown_at", "-pk")[:limit]
    )
    return [TimelineEntry("message", row.shown_at, row) for row in _with_relationships(rows, relationships)]


def post_entries(rows: Iterable[Post]) -> list[TimelineEntry]:
    """Posts (with their `channel` and `shown_at`: crm.selectors.post_shown_at) as the timeline's entries."""
    return [TimelineEntry("post", row.shown_at, row) for row in rows]


def posts(influencer: Influencer, limit: int, relationships: Relationships) -> list[TimelineEntry]:
    """What the person published on their channels (read from their feeds): no relationship, their own."""
    rows = (
        Post.objects.filter(channel__influencer=influencer)
        .select_related("channel")
        .defer("text", "links", "digest", "key")
        .annotate(shown_at=post_shown_at())
        .order_by("-shown_at", "-pk")[:limit]
    )
    return post_entries(rows)


SOURCES: list[Source] = [contacts, stage_changes, exchanges, messages, posts]


def already_read(entries: list[TimelineEntry]) -> Source:
    """A source over entries the page read already (its ledger is the newest exchanges): no second query."""
    return lambda influencer, limit, relationships: entries[:limit]


@dataclass(frozen=True)
class Timeline:
    entries: list[TimelineEntry]
    has_more: bool


def influencer_timeline(
    *,
    influencer: Influencer,
    limit: int = 20,
    sources: list[Source] | None = None,
    relationships: Relationships | None = None,
) -> Timeline:
    """The person's newest `limit` events of every kind, merged newest first; `has_more` if older ones exist.

    Asking each source for limit + 1 rows tells whether anything is left beyond the page without a count query.
    `relationships`: the person's, from relationships_of, when the caller has read them already.
    """
    if relationships is None:
        relationships = relationships_of(influencer)
    streams = [source(influencer, limit + 1, relationships) for source in (sources or SOURCES)]
    merged = merge(*streams, key=lambda entry: entry.at, reverse=True)
    entries = list(islice(merged, limit + 1))
    return Timeline(entries=entries[:limit], has_more=len(entries) > limit)
