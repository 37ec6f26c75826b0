"""Feeds polled by a real worker process from a real HTTP server on loopback: beat's scan fans out, each platform's
feed becomes its posts, and polls repeated by two beats add nothing twice."""

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from campaigns.tasks import poll_feeds
from crm.models import Feed, Post
from tests.crm.feeds.web import Server, answer
from tests.factories import ChannelFactory
from tests.integration.conftest import Worker, configured_broker_env, wait_for

pytestmark = pytest.mark.integration

FEEDS = Path(__file__).parents[1] / "crm" / "feeds" / "feeds"
# Each platform's feed, its type as served, and how many posts it holds (tests/crm/feeds/test_parsing.py).
PLATFORMS = {
    "wordpress.rss": ("application/rss+xml; charset=UTF-8", 6),
    "blogger.atom": ("application/atom+xml; charset=UTF-8", 5),
    "youtube.atom": ("text/xml; charset=UTF-8", 5),
    "substack.rss": ("application/xml; charset=utf-8", 5),
    "podcast.rss": ("application/rss+xml", 5),
    "jsonfeed.json": ("application/feed+json", 6),
}


@pytest.fixture
def web() -> Iterator[Server]:
    server = Server()
    yield server
    server.stop()


def test_a_real_worker_polls_every_kind_of_feed_once(web, transactional_db, tmp_path):
    feeds = {}
    for name, (content_type, _count) in PLATFORMS.items():
        body = (FEEDS / name).read_bytes()
        web.routes[f"/{name}"] = answer(200, body, Content_Type=content_type, ETag=f'"{name}"')
        feeds[name] = Feed.objects.create(channel=ChannelFactory(), url=web.url(f"/{name}"))
    web.routes["/page"] = answer(200, b"<!DOCTYPE html><html><body>Not a feed</body></html>", Content_Type="text/html")
    page = Feed.objects.create(channel=ChannelFactory(), url=web.url("/page"))

    queue = f"test-feeds-{uuid.uuid4().hex[:10]}"
    env = configured_broker_env() | {"CELERY_DEFAULT_QUEUE": queue, "FEED_ALLOWED_NETWORKS": "127.0.0.0/8"}
    worker = Worker(queue=queue, env=env, log_path=tmp_path / "worker.log").start()
    try:
        poll_feeds.apply_async(queue=queue)
        done = wait_for(lambda: not Feed.objects.filter(last_poll_at__isnull=True).exists(), timeout=60)
        done = done and wait_for(lambda: not Feed.objects.exclude(claim="").exists(), timeout=30)
        assert done, f"worker log:\n{worker.log()[-3000:]}"
        first = dict(Post.objects.order_by("key").values_list("key", "pk"))

        # Two beats at once, with every feed due again: each feed is polled once more, by one of them.
        Feed.objects.update(next_poll_at=None)
        poll_feeds.apply_async(queue=queue)
        poll_feeds.apply_async(queue=queue)
        again = wait_for(lambda: not Feed.objects.filter(next_poll_at__isnull=True).exists(), timeout=60)
        again = again and wait_for(lambda: not Feed.objects.exclude(claim="").exists(), timeout=30)
        assert again, f"worker log:\n{worker.log()[-3000:]}"
    finally:
        worker.stop()

    for name, (_type, count) in PLATFORMS.items():
        feed = Feed.objects.get(pk=feeds[name].pk)
        assert (feed.failures, feed.last_error, feed.etag) == (0, "", f'"{name}"'), name
        assert Post.objects.filter(channel=feed.channel).count() == count, name
    assert dict(Post.objects.order_by("key").values_list("key", "pk")) == first, "no post added twice or replaced"
    page.refresh_from_db()
    assert (page.failures, page.last_error) == (2, "This address gives a web page, not a feed.")
    conditional = [r for r in web.requests if r["path"] == "/wordpress.rss"]
    assert [r.get("if-none-match") for r in conditional] == [None, '"wordpress.rss"']
