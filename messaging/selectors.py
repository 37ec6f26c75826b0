"""Read queries on the outbox that more than one page needs."""

from collections.abc import Sequence
from datetime import timedelta

from django.db.models import F, Func, QuerySet, Subquery
from django.utils import timezone

from campaigns.models import STAGES_WITH_A_CLOCK, Relationship
from crm.models import Contact, Influencer
from messaging.models import Message

# The columns a row of "my messages" shows (Today's lists, the failed messages' page).
MESSAGE_FIELDS = ("kind", "influencer__name", "subject", "send_at", "updated_at", "last_error")
MESSAGE_FIELDS += ("relationship__campaign__name", "relationship__campaign__brand__name")
WHOSE = ("created_by", "relationship__owner", "influencer__owner")


def my_messages(
    user, *, order: list[str], limit: int | None = None, counted: bool = False, **conditions
) -> QuerySet[Message]:
    """The follow-ups and thank-yous in `order` that are mine (and meet `conditions`): I wrote them, or the person
    or the relationship is mine; with `limit`, the first `limit` of them.

    Not one OR across three joins, which no index could serve (0.8 s of SQL for a manager at 200,000 messages):
    each of the three is searched through its own index (and cut to its own first `limit`), and the rows are the
    union of those few ids (at most 3 × `limit`: the database never matches against thousands).
    Stand-in for the set reminders.digests_queue reads for the morning digest.
    With `counted`, each row carries `total`: how many there are in all, not only the `limit` shown (in the same
    query, which Today's budget of queries needs).
    """
    mine = Message.objects.filter(kind__in=Message.TO_INFLUENCERS, **conditions).order_by(*order)
    every = [mine.filter(**{whose: user}).values("pk") for whose in WHOSE]
    ids = every if limit is None else [each[:limit] for each in every]
    rows = (
        Message.objects.filter(pk__in=_union(ids))
        .select_related("influencer", "relationship__campaign__brand")
        .only(*MESSAGE_FIELDS)
        .order_by(*order)
    )
    if counted:
        # COUNT as a plain function, not an aggregate: no GROUP BY, one row, a scalar subquery.
        count = Message.objects.filter(pk__in=_union(every)).order_by().annotate(n=Func(F("pk"), function="COUNT"))
        rows = rows.annotate(total=Subquery(count.values("n")))
    return rows if limit is None else rows[:limit]


def _union(ids: list[QuerySet]) -> QuerySet:
    # Each one wrapped in an IN of its own: SQLite refuses a LIMIT directly inside a UNION.
    first = [Message.objects.filter(pk__in=each).order_by().values("pk") for each in ids]
    return first[0].union(*first[1:], all=True)


FAILED_DAYS = 14  # how far back "my failed messages" look (Today, the failed messages' page)


def my_failed_messages(user, *, limit: int | None = None, counted: bool = False) -> QuerySet[Message]:
    """My follow-ups and thank-yous that failed in the last FAILED_DAYS days, the latest first."""
    since = timezone.now() - timedelta(days=FAILED_DAYS)
    return my_messages(
        user,
        order=["-updated_at", "-pk"],
        limit=limit,
        counted=counted,
        status=Message.Status.FAILED,
        updated_at__gte=since,
    )


def thank_you_queued(*, relationship: Relationship) -> Message | None:
    """The relationship's thank-you while it waits to leave (it can still be edited or cancelled); else None."""
    return relationship.messages.filter(kind=Message.Kind.THANK_YOU, status=Message.Status.SCHEDULED).first()


def outbox_ids(ids: Sequence[str]) -> list[str]:
    """Normalised Message-IDs (messaging.mailbox.headers) as the outbox may hold them: it keeps the ids it wrote
    with their angle brackets (make_msgid), while a mail's headers are compared without them."""
    return [form for i in ids if i for form in (i, f"<{i}>")]


def mail_relationship(*, influencer: Influencer, thread_ids: Sequence[str]) -> Relationship | None:
    """The relationship a mail with this person belongs to: by its thread first (`thread_ids`, its In-Reply-To
    then References, normalised: the outbox's messages and the mails already logged with them), else the person's
    one relationship they know of (pitched, active or delivered), else None."""
    ids = [i for i in thread_ids if i]
    if ids:
        for candidates in (
            Message.objects.filter(message_id__in=outbox_ids(ids), relationship__influencer=influencer).order_by(
                "-send_at"
            ),
            Contact.objects.filter(message_id__in=ids, influencer=influencer, relationship__isnull=False).order_by(
                "-occurred_at"
            ),
        ):
            found = candidates.values_list("relationship_id", flat=True).first()
            if found:
                return Relationship.objects.get(pk=found)
    open_ones = list(Relationship.objects.filter(influencer=influencer, stage__in=STAGES_WITH_A_CLOCK)[:2])
    return open_ones[0] if len(open_ones) == 1 else None
