"""Read queries on the outbox that more than one page needs."""

from datetime import timedelta

from django.db.models import QuerySet
from django.utils import timezone

from campaigns.models import Relationship
from messaging.models import Message

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


def thank_you_queued(*, relationship: Relationship) -> Message | None:
    """The relationship's thank-you while it waits to leave (it can still be edited or cancelled); else None."""
    return relationship.messages.filter(kind=Message.Kind.THANK_YOU, status=Message.Status.SCHEDULED).first()
