"""Celery tasks for what campaigns receive: a channel's feed polled, and its new posts matched to the campaigns
their author is on (campaigns.services.content). Polling is crm's; the matching needs campaigns, so the task that
chains the two lives here."""

from celery import shared_task

from campaigns.services import posts_match
from crm.feeds.polling import feed_poll, feeds_due


@shared_task
def poll_feeds() -> int:
    """Beat, every FEED_SCAN_SECONDS: hand each feed due for a poll to poll_feed. Run twice or from two beats, a
    feed is polled once: its lease, which also wants it due, decides (crm.feeds.polling)."""
    due = feeds_due()
    for feed_id in due:
        poll_feed.delay(feed_id)
    return len(due)


@shared_task
def poll_feed(feed_id: int) -> int | None:
    """Poll one feed and match what it added or saw change to its author's campaigns, in the transaction that saves
    the posts; the number of new posts, or None when it was not due or another worker is at it."""
    result = feed_poll(feed_id=feed_id, then=lambda post_ids: posts_match(post_ids=post_ids))
    return len(result.new_posts) if result is not None else None
