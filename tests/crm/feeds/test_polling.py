"""Polling a channel's feed (crm.feeds.polling) from a real HTTP server on loopback: posts once, the conditional
GET, when the next poll is, failures, broken feeds that mend, and the lease."""

import datetime as dt
from pathlib import Path

import pytest

from campaigns.tasks import poll_feed, poll_feeds
from crm.feeds import polling
from crm.feeds.polling import LEASE, feed_poll, feeds_due
from crm.models import Feed, Post
from tests.crm.feeds.web import answer, limits, redirect
from tests.factories import ChannelFactory

pytestmark = pytest.mark.django_db

WORDPRESS = (Path(__file__).parent / "feeds" / "wordpress.rss").read_bytes()
NOW = dt.datetime(2024, 10, 15, 9, 0, tzinfo=dt.UTC)
NEW_ITEM = b"""<item><title>Une nouvelle escapade</title><link>https://lescarnetsdecamille.fr/2024/10/15/escapade/</link>
<guid isPermaLink="false">https://lescarnetsdecamille.fr/?p=130</guid><pubDate>Tue, 15 Oct 2024 07:00:00 +0000</pubDate>
<description>Encore une.</description></item>"""


@pytest.fixture
def now(time_machine):
    time_machine.move_to(NOW, tick=False)
    return NOW


@pytest.fixture
def feed(server) -> Feed:
    return Feed.objects.create(channel=ChannelFactory(platform="blog"), url=server.url("/feed"))


def polled(feed: Feed) -> polling.PollResult | None:
    result = feed_poll(feed_id=feed.pk, limits=limits())
    feed.refresh_from_db()
    return result


def due_again(feed: Feed) -> None:
    Feed.objects.filter(pk=feed.pk).update(next_poll_at=None)


def test_a_first_poll_makes_each_item_a_post_and_says_when_to_ask_again(now, server, feed):
    server.routes["/feed"] = answer(200, WORDPRESS, Content_Type="application/rss+xml", ETag='"v1"')

    result = polled(feed)

    posts = Post.objects.filter(channel=feed.channel)
    assert sorted(result.new_posts) == sorted(posts.values_list("pk", flat=True)) and posts.count() == 6
    first = posts.first()
    assert (first.title, first.published_at) == (
        "Trois jours à Annecy sans voiture",
        dt.datetime(2024, 10, 14, 8, 12, 45, tzinfo=dt.UTC),
    )
    assert (feed.title, feed.etag, feed.interval_minutes) == ("Les Carnets de Camille", '"v1"', 60)
    assert (feed.next_poll_at, feed.last_success_at, feed.last_post_at) == (NOW + dt.timedelta(minutes=60), NOW, NOW)
    assert (feed.claim, feed.claimed_at, feed.failures, feed.last_error) == ("", None, 0, "")


def test_a_quiet_feed_is_asked_with_its_etag_and_less_and_less_often(now, server, feed):
    server.routes["/feed"] = answer(200, WORDPRESS, ETag='"v1"')
    polled(feed)
    server.routes["/feed"] = answer(304, ETag='"v1"')

    intervals = []
    for _ in range(6):
        due_again(feed)
        result = polled(feed)
        assert result.not_modified and result.new_posts == []
        intervals.append(feed.interval_minutes)

    assert intervals == [120, 240, 480, 960, 1440, 1440]
    assert server.requests[-1]["if-none-match"] == '"v1"' and feed.etag == '"v1"'
    assert Post.objects.count() == 6


def test_an_item_whose_content_changed_is_read_again_and_said_changed_not_new(now, server, feed):
    server.routes["/feed"] = answer(200, WORDPRESS)
    polled(feed)
    first = Post.objects.get(key="https://lescarnetsdecamille.fr/?p=123")
    assert "Collaboration commerciale" not in first.text and first.digest
    edited = WORDPRESS.replace(
        b"<p>Le soir, tartiflette",
        b'<p>Collaboration commerciale avec <a href="https://brand.example/">B</a>.</p><p>Le soir, tartiflette',
    )
    server.routes["/feed"] = answer(200, edited)
    due_again(feed)

    result = polled(feed)
    due_again(feed)
    again = polled(feed)

    first.refresh_from_db()
    assert (result.new_posts, result.changed_posts) == ([], [first.pk])
    assert (again.new_posts, again.changed_posts) == ([], [])
    assert "Collaboration commerciale avec B." in first.text and first.links == ["https://brand.example/"]
    assert first.published_at == dt.datetime(2024, 10, 14, 8, 12, 45, tzinfo=dt.UTC)
    assert Post.objects.count() == 6


def test_a_new_item_becomes_one_post_and_brings_the_polls_closer_again(now, server, feed):
    server.routes["/feed"] = answer(200, WORDPRESS)
    polled(feed)
    due_again(feed)
    polled(feed)  # the same items: nothing new
    assert feed.interval_minutes == 120

    server.routes["/feed"] = answer(200, WORDPRESS.replace(b"<item>", NEW_ITEM + b"<item>", 1))
    due_again(feed)
    result = polled(feed)

    assert [Post.objects.get(pk=pk).title for pk in result.new_posts] == ["Une nouvelle escapade"]
    assert Post.objects.count() == 7 and feed.interval_minutes == 60


def test_a_poll_repeated_after_a_crash_finds_its_posts_already_there(now, server, feed):
    server.routes["/feed"] = answer(200, WORDPRESS, ETag='"v1"')
    polled(feed)
    # As if the worker died after the commit and before anything else: the next poll reads the same items again.
    Feed.objects.filter(pk=feed.pk).update(next_poll_at=None, etag="")

    result = polled(feed)

    assert result.new_posts == [] and Post.objects.count() == 6


def test_a_feed_that_is_not_due_or_is_being_polled_is_left_alone(now, server, feed):
    server.routes["/feed"] = answer(200, WORDPRESS)
    polled(feed)
    assert feed_poll(feed_id=feed.pk, limits=limits()) is None  # polled a moment ago: a late second task

    Feed.objects.filter(pk=feed.pk).update(next_poll_at=None, claim="other", claimed_at=NOW)
    assert feed_poll(feed_id=feed.pk, limits=limits()) is None
    assert feeds_due() == []

    Feed.objects.filter(pk=feed.pk).update(claimed_at=NOW - LEASE - dt.timedelta(seconds=1))  # its worker died
    assert feeds_due() == [feed.pk]
    assert polled(feed) is not None and feed.claim == ""
    assert feed_poll(feed_id=10**9, limits=limits()) is None


def test_a_failing_feed_backs_off_says_why_and_is_broken_when_gone_twice(now, server, feed):
    server.routes["/feed"] = answer(500)
    result = polled(feed)
    assert result.error == "The server answered HTTP 500." == feed.last_error
    assert (feed.failures, feed.failing_since, feed.broken_at, feed.interval_minutes) == (1, NOW, None, 60)

    server.routes["/feed"] = answer(410)
    due_again(feed)
    polled(feed)
    assert (feed.failures, feed.interval_minutes, feed.broken_at) == (2, 120, NOW)
    assert "does not exist (HTTP 410)" in feed.last_error

    server.routes["/feed"] = answer(200, WORDPRESS)
    due_again(feed)
    polled(feed)
    assert (feed.failures, feed.failing_since, feed.broken_at, feed.last_error) == (0, None, None, "")
    assert feed.interval_minutes == 60  # a backoff is not a quiet streak


def test_a_feed_unreadable_for_days_is_broken(now, server, feed, time_machine):
    server.routes["/feed"] = answer(200, b"<!DOCTYPE html><html><body>Maintenance</body></html>")
    polled(feed)
    assert feed.broken_at is None and feed.last_error == "This address gives a web page, not a feed."

    time_machine.move_to(NOW + dt.timedelta(days=3), tick=False)
    due_again(feed)
    polled(feed)

    assert (feed.failing_since, feed.broken_at) == (NOW, NOW + dt.timedelta(days=3))


def test_the_backoff_stops_at_the_longest_interval(now, server, feed):
    server.routes["/feed"] = answer(503)
    intervals = []
    for _ in range(7):
        due_again(feed)
        polled(feed)
        intervals.append(feed.interval_minutes)

    assert intervals == [60, 120, 240, 480, 960, 1440, 1440]


def test_a_feed_that_moved_for_good_is_asked_at_its_new_address(now, server, feed):
    server.routes["/feed"] = redirect(301, "/new-feed")
    server.routes["/new-feed"] = answer(200, WORDPRESS)

    polled(feed)

    assert feed.url == server.url("/new-feed") and Post.objects.count() == 6


def test_an_error_of_ours_is_said_on_the_feed_and_backed_off(now, server, feed, monkeypatch):
    server.routes["/feed"] = answer(200, WORDPRESS)

    def broken(*args, **kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr(polling, "feed_read", broken)
    result = polled(feed)

    assert result.error == feed.last_error == "The poll stopped on an unexpected error (RuntimeError)."
    assert (feed.failures, feed.claim) == (1, "")


def test_beat_hands_each_due_feed_to_a_task_the_longest_overdue_first(now, server, monkeypatch):
    late = Feed.objects.create(channel=ChannelFactory(), url=server.url("/a"), next_poll_at=NOW - dt.timedelta(hours=2))
    new = Feed.objects.create(channel=ChannelFactory(), url=server.url("/b"))
    later = Feed.objects.create(
        channel=ChannelFactory(), url=server.url("/c"), next_poll_at=NOW - dt.timedelta(hours=1)
    )
    Feed.objects.create(channel=ChannelFactory(), url=server.url("/d"), next_poll_at=NOW + dt.timedelta(minutes=1))
    handed: list[int] = []
    monkeypatch.setattr(poll_feed, "delay", handed.append)

    assert poll_feeds() == 3
    assert handed == [new.pk, late.pk, later.pk]  # one never polled, then the longest overdue


def test_the_task_polls_with_the_settings_bounds(now, server, feed, settings):
    settings.FEED_ALLOWED_NETWORKS = ["127.0.0.0/8"]
    server.routes["/feed"] = answer(200, WORDPRESS)

    assert poll_feed(feed.pk) == 6
    assert poll_feed(feed.pk) is None  # not due again yet
