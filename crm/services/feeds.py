"""A channel's feed: given, changed or taken away (crm.feeds.polling reads it), and found by itself from the
channel's own address when nobody gave one (`channel_feed_look_up`, which the beat's `find_feeds` runs)."""

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Exists, F, OuterRef, Q
from django.utils import timezone

from crm.feeds.fetch import FetchLimits
from crm.feeds.finding import FeedNotFound, feed_find
from crm.models import Channel, Feed

logger = logging.getLogger(__name__)

# The platforms whose pages lead to a feed (a blog's RSS, a YouTube channel's, a podcast's, a newsletter's archive):
# only their channels are looked up. An Instagram or TikTok page has none to find.
PLATFORMS_WITH_FEEDS = (
    Channel.Platform.BLOG,
    Channel.Platform.YOUTUBE,
    Channel.Platform.PODCAST,
    Channel.Platform.NEWSLETTER,
)
# Channels handed to workers per beat pass: the rest wait for the next pass, so a directory imported at once is
# looked up over a few hours rather than in one burst of requests.
LOOKUPS_PER_PASS = 500


@transaction.atomic
def channel_feed_set(*, channel: Channel, url: str) -> Feed | None:
    """Give the channel the feed at `url`, read from scratch at the next scan when the address is new; "" takes the
    feed away (the posts read from it stay on the channel). Returns the channel's feed, None when it has none."""
    url = url.strip()
    feed = Feed.objects.select_for_update().filter(channel=channel).first()
    if not url:
        if feed is not None:
            feed.delete()
        return None
    if feed is None:
        return Feed.objects.create(channel=channel, url=url)
    if feed.url != url:
        # Another feed: nothing of the old one's state (its ETag, its failures) says anything about this one.
        Feed.objects.filter(pk=feed.pk).update(
            url=url,
            title="",
            etag="",
            last_modified="",
            interval_minutes=0,
            next_poll_at=None,
            failures=0,
            failing_since=None,
            broken_at=None,
            last_error="",
        )
        feed.refresh_from_db()
    return feed


def channel_feed_edit(*, channel: Channel, feed_url: str, feed_changed: bool, address_changed: bool) -> bool:
    """What a person's form says of a saved channel's feed: `feed_url` its address ("" none), given or taken away
    when `feed_changed`; `address_changed`, that the channel's own address is new (its page is then worth
    searching at once, however lately it was searched). True when the channel is to be searched for a feed (it has
    none, and an address on a platform that publishes feeds): the caller hands it to crm.tasks.find_feed once
    committed."""
    if feed_changed:
        channel_feed_set(channel=channel, url=feed_url)
    if address_changed and channel.feed_looked_up_at is not None:
        Channel.objects.filter(pk=channel.pk).update(feed_looked_up_at=None)
        channel.feed_looked_up_at = None
    return not feed_url.strip() and may_have_a_feed_found(channel)


def may_have_a_feed_found(channel: Channel) -> bool:
    """Whether the channel's own address is worth searching for a feed: it has one, on a platform that publishes
    feeds."""
    return bool(channel.url) and channel.platform in PLATFORMS_WITH_FEEDS


def _to_look_up(now: datetime):
    """Channels whose page may lead to a feed, without one, never searched or not for FEED_LOOKUP_DAYS."""
    stale = now - timedelta(days=settings.FEED_LOOKUP_DAYS)
    # NOT EXISTS rather than a join: the claim's UPDATE then has every condition on the row it updates, which
    # PostgreSQL checks again once a concurrent claim of the same row commits (a join's IN (…) would not be).
    return (
        Channel.objects.filter(platform__in=PLATFORMS_WITH_FEEDS)
        .exclude(url="")
        .exclude(Exists(Feed.objects.filter(channel_id=OuterRef("pk"))))
        .filter(Q(feed_looked_up_at__isnull=True) | Q(feed_looked_up_at__lt=stale))
    )


def channels_to_look_up(*, now: datetime | None = None, limit: int = LOOKUPS_PER_PASS) -> list[int]:
    """Ids of the channels to search for a feed now, those never searched first, then the longest ago."""
    rows = _to_look_up(now or timezone.now()).order_by(F("feed_looked_up_at").asc(nulls_first=True), "pk")
    return list(rows.values_list("pk", flat=True)[:limit])


def channel_feed_look_up(*, channel_id: int, limits: FetchLimits | None = None) -> Feed | None:
    """Search the channel's page for its feed and give it the one found; None when none was, or when the channel
    is not to be searched now (it has a feed, no address, or was searched lately, by this call's twin too).

    The claim (feed_looked_up_at, set by a conditional UPDATE that wants the channel still due) comes first and
    is committed at once: two workers, two beats or a task run twice never search one page twice. The search runs
    outside any transaction; the feed is given only if the channel still has none and still has the address that
    was searched (a marketer may have typed one meanwhile)."""
    now = timezone.now()
    if _to_look_up(now).filter(pk=channel_id).update(feed_looked_up_at=now) != 1:
        return None
    channel = Channel.objects.filter(pk=channel_id).only("url").first()
    if channel is None:
        return None
    try:
        found = feed_find(channel.url, limits=limits)
    except FeedNotFound as not_found:
        logger.info("channel %s: no feed found (%s)", channel_id, not_found.reason)
        return None
    if len(found.url) > Feed._meta.get_field("url").max_length:
        return None
    try:
        with transaction.atomic():
            locked = Channel.objects.select_for_update().filter(pk=channel_id, url=channel.url).first()
            if locked is None or Feed.objects.filter(channel=locked).exists():
                return None
            return channel_feed_set(channel=locked, url=found.url)
    except IntegrityError:
        return None  # a feed given to it at the same moment (the form, the admin): theirs stands
