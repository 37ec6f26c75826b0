"""Read queries on the outbox that more than one page needs."""

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.contrib.auth import get_user_model
from django.db.models import Count, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import JSONObject
from django.utils import timezone

from campaigns.models import STAGES_WITH_A_CLOCK, Relationship
from crm.models import Contact, Influencer
from crm.selectors import JSONArrayAgg, bouncing_people
from messaging.mailbox.selectors import my_stale_mailbox
from messaging.models import Mailbox, Message, UnknownSender

# The columns a row of "my messages" shows (Today's lists, the failed messages' page).
MESSAGE_FIELDS = ("kind", "influencer__name", "subject", "send_at", "updated_at", "last_error")
MESSAGE_FIELDS += ("relationship__campaign__name", "relationship__campaign__brand__name")
WHOSE = ("created_by", "relationship__owner", "influencer__owner")


def my_messages(user, *, order: list[str], limit: int | None = None, **conditions) -> QuerySet[Message]:
    """The follow-ups and thank-yous in `order` that are mine (and meet `conditions`): I wrote them, or the person
    or the relationship is mine; with `limit`, the first `limit` of them.

    Not one OR across three joins, which no index could serve (0.8 s of SQL for a manager at 200,000 messages):
    each of the three is searched through its own index (and cut to its own first `limit`), and the rows are the
    union of those few ids (at most 3 × `limit`: the database never matches against thousands).
    Stand-in for the set reminders.digests_queue reads for the morning digest.
    """
    mine = Message.objects.filter(kind__in=Message.TO_INFLUENCERS, **conditions).order_by(*order)
    ids = [mine.filter(**{whose: user}).values("pk") for whose in WHOSE]
    if limit is not None:
        ids = [each[:limit] for each in ids]
    first = [
        # Each cut wrapped in an IN of its own: SQLite refuses a LIMIT directly inside a UNION.
        Message.objects.filter(pk__in=each).order_by().values("pk")
        for each in ids
    ]
    rows = (
        Message.objects.filter(pk__in=first[0].union(*first[1:], all=True))
        .select_related("influencer", "relationship__campaign__brand")
        .only(*MESSAGE_FIELDS)
        .order_by(*order)
    )
    return rows if limit is None else rows[:limit]


FAILED_DAYS = 14  # how far back "my failed messages" look (Today, the failed messages' page)


def my_failed_messages(user, *, limit: int | None = None) -> QuerySet[Message]:
    """My follow-ups and thank-yous that failed in the last FAILED_DAYS days, the latest first."""
    since = timezone.now() - timedelta(days=FAILED_DAYS)
    return my_messages(
        user, order=["-updated_at", "-pk"], limit=limit, status=Message.Status.FAILED, updated_at__gte=since
    )


# The tabs of the messages' page: the statuses each shows and its order. "Sending" rides with the scheduled ones: it
# has not gone yet, and would otherwise vanish from every tab for the minute it is in flight.
MESSAGE_TABS: dict[str, tuple[tuple[str, ...], list[str]]] = {
    "scheduled": ((Message.Status.SCHEDULED, Message.Status.SENDING), ["send_at", "pk"]),
    "sent": ((Message.Status.SENT,), ["-sent_at", "-pk"]),
    "failed": ((Message.Status.FAILED,), ["-updated_at", "-pk"]),
    "cancelled": ((Message.Status.CANCELLED,), ["-updated_at", "-pk"]),
}
# What a row of the messages' page reads besides MESSAGE_FIELDS: without them each row would load them one by one.
MESSAGE_LIST_FIELDS = (*MESSAGE_FIELDS, "status", "sent_at", "cancel_if_reply", "influencer_id")


def _message_filters(kind: str = "", name: str = "") -> dict:
    conditions = {}
    if kind:
        conditions["kind"] = kind
    if name:
        conditions["influencer__name__icontains"] = name
    return conditions


def my_message_list(user, *, tab: str, kind: str = "", name: str = "") -> QuerySet[Message]:
    """My follow-ups and thank-yous in one tab of the messages' page (MESSAGE_TABS), of one `kind` if given, to the
    people whose name contains `name`; "mine" as for Today (my_messages)."""
    statuses, order = MESSAGE_TABS[tab]
    rows = my_messages(user, order=order, status__in=statuses, **_message_filters(kind, name))
    return rows.only(*MESSAGE_LIST_FIELDS)


def my_message_counts(user, *, kind: str = "", name: str = "") -> dict[str, int]:
    """How many of my messages each tab holds under the same filters, in one query."""
    mine = my_messages(user, order=["pk"], **_message_filters(kind, name))
    counts = mine.order_by().aggregate(
        **{tab: Count("pk", filter=Q(status__in=statuses)) for tab, (statuses, _order) in MESSAGE_TABS.items()}
    )
    return {tab: counts[tab] or 0 for tab in MESSAGE_TABS}


def my_message(user, pk: int) -> Message | None:
    """One of my follow-ups and thank-yous (as my_messages decides), with its person whole, or None when it is not
    mine or not one."""
    mine = my_messages(user, order=["pk"], pk=pk).values("pk")
    return Message.objects.select_related("influencer", "relationship__campaign__brand").filter(pk__in=mine).first()


def thank_you_queued(*, relationship: Relationship) -> Message | None:
    """The relationship's thank-you while it waits to leave (it can still be edited or cancelled); else None."""
    return relationship.messages.filter(kind=Message.Kind.THANK_YOU, status=Message.Status.SCHEDULED).first()


def outbox_ids(ids: Sequence[str]) -> list[str]:
    """Normalised Message-IDs (messaging.mailbox.headers) as the outbox may hold them: it keeps the ids it wrote
    with their angle brackets (make_msgid), while a mail's headers are compared without them."""
    return [form for i in ids if i for form in (i, f"<{i}>")]


def mail_relationship(*, influencer: Influencer, thread_ids: Sequence[str]) -> Relationship | None:
    """The relationship a mail with this person belongs to: by its thread first (`thread_ids`, its In-Reply-To
    then References, normalised: the outbox's messages, then the mails already logged with them, the latest
    first), else the person's one relationship they know of (pitched, active or delivered), else None.

    One query: the person's relationships (a few), each with the latest of its thread's outbox messages and
    logged mails."""
    ids = [i for i in thread_ids if i]
    rows = Relationship.objects.filter(influencer=influencer)
    if ids:
        sent = Message.objects.filter(relationship=OuterRef("pk"), message_id__in=outbox_ids(ids))
        logged = Contact.objects.filter(relationship=OuterRef("pk"), influencer=influencer, message_id__in=ids)
        rows = rows.annotate(
            sent_at=Subquery(sent.order_by("-send_at").values("send_at")[:1]),
            logged_at=Subquery(logged.order_by("-occurred_at").values("occurred_at")[:1]),
        )
    else:
        rows = rows.filter(stage__in=STAGES_WITH_A_CLOCK)
    rows = list(rows)
    for moment in ("sent_at", "logged_at"):
        threaded = [r for r in rows if getattr(r, moment, None) is not None]
        if threaded:
            return max(threaded, key=lambda r: (getattr(r, moment), r.pk))
    open_ones = [r for r in rows if r.stage in STAGES_WITH_A_CLOCK]
    return open_ones[0] if len(open_ones) == 1 else None


@dataclass(frozen=True)
class Attention:
    """What Today asks its marketer to look at besides who needs news: failed messages, bouncing people, mail from
    unknown senders, and their own mailbox when it has not been read lately."""

    failed_total: int  # my failed messages of the last FAILED_DAYS days
    unknown_total: int  # mail from unknown senders in the shared mailboxes I own
    bouncing: list[Influencer]  # my people whose primary address bounces (at most `limit`), with the bounce
    stale_mailbox: Mailbox | None = None  # messaging.mailbox.selectors.my_stale_mailbox


def _count(rows: QuerySet) -> Subquery:
    # A COUNT with no GROUP BY (the constant is left out of it): one row, 0 when nothing matches.
    return Subquery(rows.order_by().annotate(one=Value(1)).values("one").annotate(n=Count("pk")).values("n"))


def attention_for(user, *, limit: int = 10) -> Attention:
    """Today's counts and bouncing people in one query: the page's budget is ten (tests/test_query_counts.py)."""
    bouncing = bouncing_people(owner=user)
    first = Influencer.objects.filter(pk__in=bouncing.values("pk")[:limit])
    rows = Subquery(
        bouncing.filter(pk__in=first.values("pk"))
        .order_by()
        .annotate(one=Value(1))
        .values("one")
        .annotate(
            rows=JSONArrayAgg(
                JSONObject(
                    id="id",
                    name="name",
                    email="email",
                    bounce_email="bounce_email",
                    bounce_status="bounce_status",
                    bounce_diagnostic="bounce_diagnostic",
                    bounce_since="bounce_since",
                )
            )
        )
        .values("rows")
    )
    unknown = UnknownSender.objects.filter(mailbox__shared=True, mailbox__owner=user)
    stale = Subquery(my_stale_mailbox(user).values(row=JSONObject(**{f: f for f in STALE_FIELDS}))[:1])
    found = (
        get_user_model()
        .objects.filter(pk=user.pk)
        .annotate(failed=_count(my_failed_messages(user)), unknown=_count(unknown), bouncing=rows, stale=stale)
        .values("failed", "unknown", "bouncing", "stale")
        .first()
    ) or {}
    people = []
    for row in found.get("bouncing") or []:
        since = row.pop("bounce_since")
        person = Influencer(pk=row.pop("id"), name=row.pop("name"), email=row.pop("email"))
        for name, value in row.items():
            setattr(person, name, value)
        person.bounce_since = _moment(since)
        people.append(person)
    people.sort(key=lambda person: (-person.bounce_since.timestamp(), person.pk))
    return Attention(
        failed_total=found.get("failed") or 0,
        unknown_total=found.get("unknown") or 0,
        bouncing=people,
        stale_mailbox=_stale_mailbox(found.get("stale")),
    )


STALE_FIELDS = ("id", "address", "last_sync_at", "last_error", "last_error_at")


def _stale_mailbox(row) -> Mailbox | None:
    if isinstance(row, str):  # SQLite gives the JSON as text
        row = json.loads(row)
    if not row:
        return None
    for name in ("last_sync_at", "last_error_at"):
        row[name] = _moment(row[name]) if row[name] else None
    return Mailbox(**row)


def _moment(value) -> datetime:
    # Read through JSON: ISO text (PostgreSQL with its offset, SQLite without: UTC).
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    return moment if timezone.is_aware(moment) else timezone.make_aware(moment, UTC)
