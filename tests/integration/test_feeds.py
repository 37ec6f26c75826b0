"""Feeds polled by a real worker process from a real HTTP server on loopback: beat's scan fans out, each platform's
feed becomes its posts, and polls repeated by two beats add nothing twice; a sponsored post is matched to its
campaign and its missing disclosure flagged, then cleared."""

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.utils import timezone

from campaigns.models import ContentMatch, GuardrailEvent, Stage
from campaigns.tasks import poll_feeds
from crm.models import Exchange, Feed, Post
from messaging.models import Message
from tests.crm.feeds.web import Server, answer
from tests.factories import (
    CampaignFactory,
    ChannelFactory,
    InfluencerFactory,
    RelationshipFactory,
    disclosure_markers,
)
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


def sponsored_feed(extra: str = "") -> bytes:
    now = timezone.now().strftime("%a, %d %b %Y %H:%M:%S +0000")
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel>
<title>Les Carnets de Camille</title><link>https://carnets.example/</link>
<item><title>Ma routine du matin</title><link>https://carnets.example/routine/</link><guid>routine</guid>
<pubDate>{now}</pubDate><description>Trois savons.</description>
<content:encoded><![CDATA[<p>Avec le code <b>CAMILLE10</b> chez
<a href="https://savonnerie-lu.example/printemps">Savonnerie Lu</a>.{extra}</p>]]></content:encoded></item>
<item><title>Annecy</title><link>https://carnets.example/annecy/</link><guid>annecy</guid>
<pubDate>{now}</pubDate><description>Le lac.</description></item>
</channel></rss>""".encode()


def test_a_real_worker_records_a_sponsored_post_flags_its_missing_disclosure_then_clears_it(
    web, transactional_db, tmp_path, bob
):
    disclosure_markers()
    camille = InfluencerFactory(name="Camille Martin")
    campaign = CampaignFactory(
        brand__name="Savonnerie Lu",
        content_links="https://savonnerie-lu.example/printemps",
        sponsored=True,
        disclosure="#ad",
    )
    relationship = RelationshipFactory(influencer=camille, campaign=campaign, owner=bob, stage=Stage.ACTIVE)
    web.routes["/feed"] = answer(200, sponsored_feed(), Content_Type="application/rss+xml")
    feed = Feed.objects.create(channel=ChannelFactory(influencer=camille, platform="blog"), url=web.url("/feed"))

    queue = f"test-feeds-{uuid.uuid4().hex[:10]}"
    env = configured_broker_env() | {"CELERY_DEFAULT_QUEUE": queue, "FEED_ALLOWED_NETWORKS": "127.0.0.0/8"}
    worker = Worker(queue=queue, env=env, log_path=tmp_path / "worker.log").start()
    try:
        poll_feeds.apply_async(queue=queue)
        assert wait_for(lambda: ContentMatch.objects.exists(), timeout=60), f"worker log:\n{worker.log()[-3000:]}"
        content = ContentMatch.objects.get()
        assert (content.status, content.exact, content.disclosure) == ("recorded", True, "missing")
        assert GuardrailEvent.objects.filter(relationship=relationship, rule="disclosure").count() == 1
        assert Message.objects.filter(to_user=bob, relationship=relationship).count() == 1

        # They add the disclosure; the next poll (once this one let go of its lease) reads the post again and the
        # flag goes.
        assert wait_for(lambda: not Feed.objects.exclude(claim="").exists(), timeout=30)
        web.routes["/feed"] = answer(200, sponsored_feed(" Collaboration commerciale."), Content_Type="text/xml")
        Feed.objects.filter(pk=feed.pk).update(next_poll_at=None)
        poll_feeds.apply_async(queue=queue)
        cleared = wait_for(lambda: ContentMatch.objects.filter(disclosure="present").exists(), timeout=60)
        assert cleared, f"worker log:\n{worker.log()[-3000:]}"
    finally:
        worker.stop()

    assert Exchange.objects.get(relationship=relationship).url == "https://carnets.example/routine/"
    assert ContentMatch.objects.count() == 1 and Post.objects.filter(channel=feed.channel).count() == 2
    assert Message.objects.filter(to_user=bob).count() == 1
