"""A channel's feed: given, changed or taken away (crm.feeds.polling reads it)."""

from django.db import transaction

from crm.models import Channel, Feed


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
