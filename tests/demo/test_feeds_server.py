"""The demo's feed server (`make run` starts it): real HTTP on loopback, read by the product's own fetcher and parser,
with the server's clock moved by the test instead of waited for."""

import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from crm.feeds.fetch import FetchLimits, feed_fetch, networks
from crm.feeds.parsing import feed_read
from demo.feeds_data import FEEDS
from demo.feeds_server import FeedServer, feed_path

LIMITS = FetchLimits(
    max_bytes=1024 * 1024,
    timeout=2.0,
    total_seconds=5.0,
    max_redirects=0,
    allowed_networks=networks(["127.0.0.1/32"]),
)
HANDLE = "camille_carnet"


class Clock:
    def __init__(self) -> None:
        self.now = time.time()

    def __call__(self) -> float:
        return self.now

    def advance(self, minutes: float) -> None:
        self.now += minutes * 60


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def server(clock: Clock) -> Iterator[FeedServer]:
    running = FeedServer(("127.0.0.1", 0), clock=clock, log=False)
    thread = threading.Thread(target=running.serve_forever, daemon=True)
    thread.start()
    yield running
    running.shutdown()
    running.server_close()


def url(server: FeedServer, feed, handle: str = HANDLE) -> str:
    return f"http://127.0.0.1:{server.server_port}{feed_path(feed, handle)}"


def read(server: FeedServer, feed, now: datetime):
    fetched = feed_fetch(url(server, feed), limits=LIMITS)
    assert fetched.status == 200
    return fetched, feed_read(fetched.body, content_type=fetched.content_type, url=fetched.url, now=now)


def test_it_serves_every_format_the_platforms_do():
    assert {feed.format for feed in FEEDS} == {"wordpress", "youtube", "podcast", "jsonfeed"}
    assert len([feed for feed in FEEDS if feed.format == "wordpress"]) >= 2


@pytest.mark.parametrize("feed", FEEDS, ids=lambda feed: feed.key)
def test_the_back_catalogue_is_there_at_once_and_the_rest_comes_a_minute_at_a_time(server, clock, feed):
    started = datetime.fromtimestamp(clock(), UTC)
    back_catalogue = [item for item in feed.items if item.minutes <= 0]
    later = sorted(item.minutes for item in feed.items if item.minutes > 0)
    assert back_catalogue and later

    _fetched, parsed = read(server, feed, started)

    assert parsed.title
    assert len(parsed.items) == len(back_catalogue)
    assert all(item.published < started for item in parsed.items)
    assert all(item.url.startswith("https://") and ".example." in item.url for item in parsed.items)
    before = {item.key for item in parsed.items}

    clock.advance(later[-1])
    _fetched, parsed = read(server, feed, started + timedelta(minutes=later[-1]))

    assert len(parsed.items) == len(feed.items)
    new = [item for item in parsed.items if item.key not in before]
    assert len(new) == len(later)
    # Dated from the server's start, so recent whatever the day; the items already served keep their keys.
    assert all(started < item.published <= started + timedelta(minutes=later[-1]) for item in new)
    assert before <= {item.key for item in parsed.items}
    assert parsed.items[0] == new[0]  # newest first, as feeds list them


def test_the_posts_arrive_over_the_first_minutes_one_at_a_time():
    later = sorted(item.minutes for feed in FEEDS for item in feed.items if item.minutes > 0)

    assert later[0] <= 1 and later[-1] <= 10
    assert len(set(later)) == len(later)


def test_a_conditional_get_is_answered_304_until_something_is_new(server, clock):
    feed = next(feed for feed in FEEDS if feed.format == "wordpress")
    first = feed_fetch(url(server, feed), limits=LIMITS)
    assert first.etag and first.last_modified

    again = feed_fetch(url(server, feed), etag=first.etag, last_modified=first.last_modified, limits=LIMITS)
    assert again.status == 304 and again.body == b""

    clock.advance(max(item.minutes for item in feed.items))
    changed = feed_fetch(url(server, feed), etag=first.etag, last_modified=first.last_modified, limits=LIMITS)
    assert changed.status == 200 and changed.etag != first.etag
    # If-Modified-Since alone, as some readers send it.
    since = feed_fetch(url(server, feed), last_modified=changed.last_modified, limits=LIMITS)
    assert since.status == 304


def test_each_channel_gets_its_own_feed_from_the_handle_in_the_address(server, clock):
    feed = next(feed for feed in FEEDS if feed.format == "wordpress")
    now = datetime.fromtimestamp(clock(), UTC)

    _fetched, camille = read(server, feed, now)
    other = feed_read(feed_fetch(url(server, feed, "lucas.cuisine"), limits=LIMITS).body, now=now)

    assert camille.title != other.title
    assert {item.key for item in camille.items}.isdisjoint(item.key for item in other.items)
    assert all(item.url.startswith("https://camille-carnet.example.org/") for item in camille.items)


@pytest.mark.parametrize("path", ["/nowhere/camille/feed/", f"/{FEEDS[0].key}/camille/feed.json", "/../etc/passwd"])
def test_anything_else_is_not_found(server, path):
    with pytest.raises(urllib.error.HTTPError) as answer:
        urllib.request.urlopen(f"http://127.0.0.1:{server.server_port}{path}", timeout=5)

    assert answer.value.code == 404
