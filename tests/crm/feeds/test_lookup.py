"""A channel's feed found by itself (crm.services.feeds, crm.tasks.find_feeds and find_feed): which channels are
searched, once, against a real HTTP server on loopback."""

import datetime as dt

import pytest

from crm.models import Channel, Feed
from crm.services import feeds as feed_services
from crm.tasks import find_feed, find_feeds
from tests.crm.feeds.web import answer
from tests.factories import ChannelFactory

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
ATOM = (
    b'<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom"><title>Carnet de Sophie</title>'
    b"<id>tag:carnet.example,2024:feed</id><updated>2024-10-14T08:00:00Z</updated></feed>"
)
PAGE = b'<html><head><link rel="alternate" type="application/atom+xml" href="/atom.xml"></head><body></body></html>'


@pytest.fixture(autouse=True)
def now(time_machine, settings):
    time_machine.move_to(NOW, tick=False)
    settings.FEED_ALLOWED_NETWORKS = ["127.0.0.0/8"]
    settings.FEED_LOOKUP_DAYS = 30
    return NOW


@pytest.fixture
def blog(server) -> Channel:
    server.routes["/"] = answer(200, PAGE, Content_Type="text/html; charset=utf-8")
    server.routes["/atom.xml"] = answer(200, ATOM, Content_Type="application/atom+xml")
    return ChannelFactory(platform="blog", handle="carnet", url=server.url("/"))


def test_a_blog_without_a_feed_is_given_the_one_its_page_links(server, blog):
    assert find_feed(blog.pk) is True

    blog.refresh_from_db()
    assert blog.feed.url == server.url("/atom.xml")
    assert blog.feed_looked_up_at == NOW


def test_a_page_is_searched_once_however_often_the_task_runs(server, blog):
    assert find_feed(blog.pk) is True
    assert find_feed(blog.pk) is False

    assert [r["path"] for r in server.requests] == ["/", "/atom.xml"]
    assert Feed.objects.filter(channel=blog).count() == 1


def test_a_page_without_a_feed_is_searched_again_after_feed_lookup_days(server, time_machine):
    server.routes["/"] = answer(200, b"<html><head></head><body>Rien</body></html>", Content_Type="text/html")
    channel = ChannelFactory(platform="podcast", url=server.url("/"))

    assert find_feed(channel.pk) is False
    assert find_feed(channel.pk) is False
    time_machine.move_to(NOW + dt.timedelta(days=29), tick=False)
    assert find_feed(channel.pk) is False
    assert len(server.requests) == 1, "searched once within FEED_LOOKUP_DAYS"

    time_machine.move_to(NOW + dt.timedelta(days=31), tick=False)
    assert find_feed(channel.pk) is False
    assert len(server.requests) == 2
    assert not Feed.objects.filter(channel=channel).exists()


def test_a_youtube_channel_gets_its_feed_without_a_request(server):
    channel = ChannelFactory(platform="youtube", url="https://www.youtube.com/channel/UCabc123")

    assert find_feed(channel.pk) is True

    assert Feed.objects.get(channel=channel).url == "https://www.youtube.com/feeds/videos.xml?channel_id=UCabc123"
    assert server.requests == []


def test_a_feed_given_while_the_page_was_searched_is_kept(server, blog, monkeypatch):
    real = feed_services.feed_find

    def typed_meanwhile(url, **kwargs):
        found = real(url, **kwargs)
        feed_services.channel_feed_set(channel=blog, url="https://carnet.example/typed.xml")
        return found

    monkeypatch.setattr(feed_services, "feed_find", typed_meanwhile)

    assert find_feed(blog.pk) is False
    assert Feed.objects.get(channel=blog).url == "https://carnet.example/typed.xml"


def test_a_channel_whose_address_changed_during_the_search_waits_for_its_next_search(server, blog, monkeypatch):
    real = feed_services.feed_find

    def moved_meanwhile(url, **kwargs):
        found = real(url, **kwargs)
        Channel.objects.filter(pk=blog.pk).update(url="https://elsewhere.example/")
        return found

    monkeypatch.setattr(feed_services, "feed_find", moved_meanwhile)

    assert find_feed(blog.pk) is False
    assert not Feed.objects.filter(channel=blog).exists()


def test_beat_hands_out_the_channels_whose_page_may_have_a_feed_never_searched_first(monkeypatch):
    searched_long_ago = ChannelFactory(
        platform="blog", url="https://old.example/", feed_looked_up_at=NOW - dt.timedelta(days=40)
    )
    never = ChannelFactory(platform="newsletter", url="https://lettre.example/")
    ChannelFactory(platform="blog", url="https://recent.example/", feed_looked_up_at=NOW - dt.timedelta(days=10))
    ChannelFactory(platform="instagram", url="https://instagram.com/someone")
    ChannelFactory(platform="blog", url="")
    with_feed = ChannelFactory(platform="blog", url="https://has.example/")
    Feed.objects.create(channel=with_feed, url="https://has.example/feed")
    handed: list[int] = []
    monkeypatch.setattr(find_feed, "delay", handed.append)

    assert find_feeds() == 2
    assert handed == [never.pk, searched_long_ago.pk]


def test_two_passes_of_beat_and_their_tasks_search_each_page_once(server, blog, monkeypatch):
    handed: list[int] = []
    monkeypatch.setattr(find_feed, "delay", handed.append)

    find_feeds()
    find_feeds()  # a second beat, before the first pass's task ran
    results = [find_feed(channel_id) for channel_id in handed]

    assert handed == [blog.pk, blog.pk]
    assert results == [True, False]
    assert [r["path"] for r in server.requests] == ["/", "/atom.xml"]
    assert find_feeds() == 0
