"""Polling a channel's feed: what is new becomes its posts, once, and the feed's state says how the reading goes.

One poll of a feed at a time: a lease on the row (claim, claimed_at), taken with a conditional UPDATE that also
requires the feed to be due, so a second worker, a second beat or a task run twice returns at once, and a task that
arrives after a poll finished finds the feed no longer due. The fetch happens outside any transaction; the new posts
and the feed's new state (its ETag, when to poll next) are written in one, so a worker killed in between polls again
and finds the same posts already there (unique per channel and key): nothing is added twice, nothing is skipped.

When to poll next: FEED_POLL_MINUTES after a poll that found something new; twice as long after each quiet poll,
up to FEED_POLL_MAX_MINUTES; after a failure, FEED_POLL_MINUTES × 2^(failures - 1), up to the same maximum. A feed
is broken when the server said twice in a row that it is gone (404, 410), or when it has failed for
FEED_BROKEN_AFTER_DAYS; it is still polled (at the longest interval) and mends at the first good read.
"""

import hashlib
import json
import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from crm.feeds.fetch import FeedUnavailable, FetchLimits, feed_fetch
from crm.feeds.parsing import FeedItem, UnreadableFeed, feed_read
from crm.models import Feed, Post

logger = logging.getLogger(__name__)

# A poll holding its lease longer than this is taken for dead: the fetch's own bound is far below it.
LEASE = timedelta(minutes=5)
LAST_ERROR_MAX = 500


@dataclass
class PollResult:
    """What one poll did: the posts it added (ids), whether the server said nothing changed, or why it failed."""

    new_posts: list[int] = field(default_factory=list)
    changed_posts: list[int] = field(default_factory=list)  # read before, and the feed now says something else
    not_modified: bool = False
    error: str = ""


def feeds_due(*, now: datetime | None = None, limit: int | None = None) -> list[int]:
    """Ids of the feeds to poll now, the longest overdue first: due, and not being polled under a live lease."""
    now = now or timezone.now()
    due = (
        Feed.objects.filter(Q(next_poll_at__isnull=True) | Q(next_poll_at__lte=now))
        .filter(Q(claim="") | Q(claimed_at__lt=now - LEASE))
        .order_by(F("next_poll_at").asc(nulls_first=True), "pk")  # a feed never polled first, on both databases
        .values_list("pk", flat=True)
    )
    return list(due[:limit] if limit else due)


def feed_poll(
    *, feed_id: int, limits: FetchLimits | None = None, then: Callable[[list[int]], object] | None = None
) -> PollResult | None:
    """Poll one feed (see the module's docstring); None when it is not due, gone, or polled by another worker.

    `then` is given the ids of the posts the poll added or saw change, inside the transaction that saves them: what
    a higher layer does with them (campaigns match them) commits with them, or a killed worker's next poll redoes
    both. A fault in it is logged and costs those posts their matching, not the feed its poll."""
    token = _claim(feed_id)
    if token is None:
        return None
    try:
        feed = Feed.objects.filter(pk=feed_id).first()
        if feed is None:
            return None
        return _poll(feed, token, limits, then)
    finally:
        Feed.objects.filter(pk=feed_id, claim=token).update(claim="", claimed_at=None)


def _claim(feed_id: int) -> str | None:
    token = uuid.uuid4().hex
    now = timezone.now()
    won = (
        Feed.objects.filter(pk=feed_id)
        .filter(Q(next_poll_at__isnull=True) | Q(next_poll_at__lte=now))
        .filter(Q(claim="") | Q(claimed_at__lt=now - LEASE))
        .update(claim=token, claimed_at=now, last_poll_at=now)
    )
    return token if won == 1 else None


def _poll(feed: Feed, token: str, limits: FetchLimits | None, then: Callable[[list[int]], object] | None) -> PollResult:
    try:
        fetched = feed_fetch(feed.url, etag=feed.etag, last_modified=feed.last_modified, limits=limits)
        parsed = None
        if not fetched.not_modified:
            parsed = feed_read(fetched.body, content_type=fetched.content_type, url=fetched.url)
    except FeedUnavailable as error:
        _failed(feed, token, error.reason, gone=error.gone)
        return PollResult(error=error.reason)
    except UnreadableFeed as error:
        _failed(feed, token, error.reason)
        return PollResult(error=error.reason)
    except Exception as error:
        # A fault of ours: said on the feed and backed off like any other, not retried every minute in silence.
        logger.exception("feed %s: the poll stopped", feed.pk)
        reason = f"The poll stopped on an unexpected error ({type(error).__name__})."
        _failed(feed, token, reason)
        return PollResult(error=reason)

    now = timezone.now()
    with transaction.atomic():
        new, changed = _posts_save(feed.channel_id, parsed.items) if parsed is not None else ([], [])
        if then is not None and (new or changed):
            try:
                with transaction.atomic():
                    then([*new, *changed])
            except Exception:
                logger.exception("feed %s: what follows the poll stopped", feed.pk)
        # A quiet feed is asked half as often each time; a failure's backoff is not a quiet streak to build on.
        quiet = feed.interval_minutes if feed.failures == 0 else 0
        interval = settings.FEED_POLL_MINUTES if new or not quiet else min(quiet * 2, settings.FEED_POLL_MAX_MINUTES)
        fields = {
            "interval_minutes": interval,
            "next_poll_at": now + timedelta(minutes=interval),
            "last_success_at": now,
            "failures": 0,
            "failing_since": None,
            "broken_at": None,
            "last_error": "",
        }
        if new:
            fields["last_post_at"] = now
        if not fetched.not_modified:
            fields.update(etag=fetched.etag, last_modified=fetched.last_modified)
        if parsed is not None and parsed.title:
            fields["title"] = parsed.title
        if fetched.moved_to and len(fetched.moved_to) <= Feed._meta.get_field("url").max_length:
            fields["url"] = fetched.moved_to  # moved for good: asked there from now on
        Feed.objects.filter(pk=feed.pk, claim=token).update(**fields)
    return PollResult(new_posts=new, changed_posts=changed, not_modified=fetched.not_modified)


def _posts_save(channel_id: int, items: list[FeedItem]) -> tuple[list[int], list[int]]:
    """Add the items the channel has no post for yet, and read again those whose content changed (a disclosure
    added after the fact); returns the new posts' ids and the changed ones'. The unique (channel, key) keeps a
    second copy out even if two polls of one feed ever raced past the lease."""
    digests = {item.key: _digest(item) for item in items}
    known = dict(Post.objects.filter(channel_id=channel_id, key__in=list(digests)).values_list("key", "digest"))
    fresh = [item for item in items if item.key not in known]
    changed = [item for item in items if item.key in known and known[item.key] != digests[item.key]]
    changed_ids = []
    for item in changed:
        fields = _post_fields(item)
        del fields["published_at"]  # the date it was first read with stays: a re-dated post is not a new post
        post = Post.objects.filter(channel_id=channel_id, key=item.key)
        post.update(digest=digests[item.key], **fields)
        changed_ids.extend(post.values_list("pk", flat=True))
    if not fresh:
        return [], changed_ids
    Post.objects.bulk_create(
        [Post(channel_id=channel_id, key=item.key, digest=digests[item.key], **_post_fields(item)) for item in fresh],
        ignore_conflicts=True,
    )
    new_ids = Post.objects.filter(channel_id=channel_id, key__in=[item.key for item in fresh])
    return list(new_ids.values_list("pk", flat=True)), changed_ids


def _post_fields(item: FeedItem) -> dict:
    return {
        "url": item.url,
        "title": item.title,
        "published_at": item.published,
        "excerpt": item.excerpt,
        "text": item.text,
        "links": list(item.links),
    }


def _digest(item: FeedItem) -> str:
    read = json.dumps([item.url, item.title, item.excerpt, item.text, item.links], ensure_ascii=False)
    return hashlib.sha256(read.encode("utf-8", "surrogatepass")).hexdigest()


def _failed(feed: Feed, token: str, reason: str, *, gone: bool = False) -> None:
    now = timezone.now()
    failures = feed.failures + 1  # the lease makes this poll the only writer of the row's state
    failing_since = feed.failing_since or now
    minutes = min(settings.FEED_POLL_MINUTES * 2 ** min(failures - 1, 20), settings.FEED_POLL_MAX_MINUTES)
    broken = (gone and failures >= 2) or failing_since <= now - timedelta(days=settings.FEED_BROKEN_AFTER_DAYS)
    Feed.objects.filter(pk=feed.pk, claim=token).update(
        failures=failures,
        failing_since=failing_since,
        broken_at=(feed.broken_at or now) if broken else None,
        last_error=reason[:LAST_ERROR_MAX],
        interval_minutes=minutes,
        next_poll_at=now + timedelta(minutes=minutes),
    )
