"""One timeline of everything with a person, across all campaigns and brands, newest first.

Each kind of event comes from a *source*: a function that returns the person's newest `limit` entries of that
kind, in one query. The timeline asks every source for `limit` entries and keeps the newest `limit` of the merge,
so the page costs one query per source whatever the person's history. A new kind of event (the messages of the
outbox, say) is one more source appended to SOURCES, with its template in templates/crm/timeline/.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time
from heapq import merge
from itertools import islice

from django.db.models.functions import Coalesce
from django.utils import timezone

from campaigns.models import StageChange
from crm.models import Contact, Exchange, Influencer
from messaging.models import Message


@dataclass(frozen=True)
class TimelineEntry:
    kind: str  # "contact", "stage_change", "exchange", "message"… also the template's name: crm/timeline/<kind>.html
    at: datetime  # what the timeline sorts on
    obj: object
    all_day: bool = False  # dated by a day, not a time (an exchange): shown without an hour

    @property
    def template(self) -> str:
        return f"crm/timeline/{self.kind}.html"


Source = Callable[[Influencer, int], list[TimelineEntry]]


def _start_of(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def contacts(influencer: Influencer, limit: int) -> list[TimelineEntry]:
    rows = (
        Contact.objects.filter(influencer=influencer)
        .select_related("logged_by", "relationship__campaign__brand")
        .order_by("-occurred_at", "-pk")[:limit]
    )
    return [TimelineEntry("contact", row.occurred_at, row) for row in rows]


def stage_changes(influencer: Influencer, limit: int) -> list[TimelineEntry]:
    rows = (
        StageChange.objects.filter(relationship__influencer=influencer)
        .select_related("changed_by", "relationship__campaign__brand")
        .order_by("-changed_at", "-pk")[:limit]
    )
    return [TimelineEntry("stage_change", row.changed_at, row) for row in rows]


def exchanges(influencer: Influencer, limit: int) -> list[TimelineEntry]:
    rows = (
        Exchange.objects.filter(influencer=influencer)
        .select_related("recorded_by", "relationship__campaign__brand")
        .order_by("-occurred_on", "-pk")[:limit]
    )
    return [TimelineEntry("exchange", _start_of(row.occurred_on), row, all_day=True) for row in rows]


# The outbox rows about a person: what was (or will be) sent to them, and the reminders to their owner.
TIMELINE_MESSAGE_KINDS = (Message.Kind.FOLLOW_UP, Message.Kind.THANK_YOU, Message.Kind.REMINDER)


def messages(influencer: Influencer, limit: int) -> list[TimelineEntry]:
    """Dated when they went, or else when they are (were) due to go: a scheduled one sits ahead of today."""
    rows = (
        Message.objects.filter(influencer=influencer, kind__in=TIMELINE_MESSAGE_KINDS)
        .select_related("created_by", "to_user", "relationship__campaign__brand")
        .defer("body", "claim", "claimed_at")
        .annotate(shown_at=Coalesce("sent_at", "send_at"))
        .order_by("-shown_at", "-pk")[:limit]
    )
    return [TimelineEntry("message", row.shown_at, row) for row in rows]


SOURCES: list[Source] = [contacts, stage_changes, exchanges, messages]


def already_read(entries: list[TimelineEntry]) -> Source:
    """A source over entries the page read already (its ledger is the newest exchanges): no second query."""
    return lambda influencer, limit: entries[:limit]


@dataclass(frozen=True)
class Timeline:
    entries: list[TimelineEntry]
    has_more: bool


def influencer_timeline(*, influencer: Influencer, limit: int = 20, sources: list[Source] | None = None) -> Timeline:
    """The person's newest `limit` events of every kind, merged newest first; `has_more` if older ones exist.

    Asking each source for limit + 1 rows tells whether anything is left beyond the page without a count query.
    """
    streams = [source(influencer, limit + 1) for source in (sources or SOURCES)]
    merged = merge(*streams, key=lambda entry: entry.at, reverse=True)
    entries = list(islice(merged, limit + 1))
    return Timeline(entries=entries[:limit], has_more=len(entries) > limit)
