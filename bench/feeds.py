"""Issue 17, feeds: what polling a channel's feed costs one worker, and matching a new post to campaigns.

`measure_feeds(first=20, polled=500)`, on the current database (the bench's data set):
1. a local HTTP server on loopback (FeedServer below) serves a 100-item RSS feed per path, with an ETag, and
   answers 304 to a request that carries it;
2. first poll: `first` feeds never read, each polled once in this process (fetch, parse, 100 posts written, the
   feed's state): the median time a poll takes, against 100 ms;
3. polls with nothing new: `polled` feeds read once already, polled again one after the other in this process, as a
   solo worker does (each a conditional GET answered 304): how many an hour that makes, against 10,000, and the
   CPU each poll takes in this process.
The channels, feeds and posts it adds are deleted afterwards. `measure_matching` is described in its docstring.
"""

import statistics
import threading
import time
import uuid
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from xml.sax.saxutils import escape

from bench.results import Result

TARGET_FIRST_MS = 100.0
TARGET_PER_HOUR = 10_000
ITEMS = 100


def feed_body(path: str, items: int = ITEMS) -> bytes:
    """An RSS 2.0 feed like a blog's: `items` posts with a title, a link, a guid, a date and a paragraph or two."""
    start = datetime(2026, 11, 1, 8, tzinfo=UTC)
    entries = []
    for n in range(items):
        when = format_datetime(start - timedelta(hours=7 * n))
        entries.append(
            f"<item><title>{escape(f'Carnet {path} n°{n} : trois jours à Annecy')}</title>"
            f'<link>https://blog.example{path}/{n}/</link><guid isPermaLink="false">{path}?p={n}</guid>'
            f"<pubDate>{when}</pubDate><description>{escape('<p>Le lac, le vélo et les fromages. ' * 8 + '</p>')}"
            "</description></item>"
        )
    return (
        '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>Carnet</title>'
        f"<link>https://blog.example{path}</link>{''.join(entries)}</channel></rss>"
    ).encode()


class FeedServer:
    """Every path is a feed of ITEMS posts whose ETag is the path: a request with it gets a 304."""

    def __init__(self) -> None:
        bodies: dict[str, bytes] = {}

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:  # noqa: N802 (http.server's name)
                etag = f'"{self.path}"'
                if self.headers.get("If-None-Match") == etag:
                    self.send_response(304)
                    self.send_header("ETag", etag)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                body = bodies.get(self.path) or bodies.setdefault(self.path, feed_body(self.path))
                self.send_response(200)
                self.send_header("Content-Type", "application/rss+xml; charset=utf-8")
                self.send_header("ETag", etag)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args) -> None:
                pass

        self.http = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.http.daemon_threads = True
        threading.Thread(target=self.http.serve_forever, daemon=True).start()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.http.server_port}{path}"

    def stop(self) -> None:
        self.http.shutdown()
        self.http.server_close()


def measure_feeds(*, first: int = 20, polled: int = 500, log=print) -> list[Result]:
    from crm.feeds.fetch import FetchLimits, networks
    from crm.feeds.polling import feed_poll
    from crm.models import Feed, Post

    run = uuid.uuid4().hex[:8]
    limits = replace(FetchLimits.from_settings(), allowed_networks=networks(["127.0.0.0/8"]))  # the local server
    server = FeedServer()
    try:
        firsts = _feeds(server, run, "first", first)
        times = []
        for feed in firsts:
            started = time.perf_counter()
            result = feed_poll(feed_id=feed.pk, limits=limits)
            times.append(1000 * (time.perf_counter() - started))
            assert result is not None and len(result.new_posts) == ITEMS, result
        first_ms = statistics.median(times)
        log(f"  first poll of a {ITEMS}-item feed: {first_ms:.1f} ms (median of {first})")

        quiet = _feeds(server, run, "quiet", polled)
        for feed in quiet:  # their first read, not timed
            feed_poll(feed_id=feed.pk, limits=limits)
        Feed.objects.filter(pk__in=[f.pk for f in quiet]).update(next_poll_at=None)
        wall, cpu = time.perf_counter(), time.process_time()
        for feed in quiet:
            result = feed_poll(feed_id=feed.pk, limits=limits)
            assert result is not None and result.not_modified, result
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        per_hour = polled * 3600 / wall
        log(f"  {polled} polls answered 304 in {wall:.1f} s: {per_hour:,.0f} an hour")
        posts = Post.objects.filter(channel__feed__in=firsts + quiet).count()
    finally:
        server.stop()
        _delete(run)
    return [
        Result(
            "feeds",
            f"first poll of a {ITEMS}-item feed (median)",
            round(first_ms, 1),
            "ms",
            f"<= {TARGET_FIRST_MS:.0f} ms",
            first_ms <= TARGET_FIRST_MS,
            f"{first} feeds never read, each polled once in one process: fetch from a loopback server, parse, "
            f"{ITEMS} posts written, the feed's state; p95 {_p95(times):.1f} ms",
        ),
        Result(
            "feeds",
            "feeds polled an hour by one worker, nothing new",
            round(per_hour),
            "feeds/h",
            f">= {TARGET_PER_HOUR:,}",
            per_hour >= TARGET_PER_HOUR,
            f"{polled} feeds read once already, polled again one after the other in one process (a conditional GET "
            f"answered 304 each): {1000 * wall / polled:.1f} ms and {1000 * cpu / polled:.1f} ms of this process's "
            f"CPU per feed; {posts} posts written in all",
            {"polled": polled, "seconds": round(wall, 2), "cpu_ms_per_feed": round(1000 * cpu / polled, 2)},
        ),
    ]


def _feeds(server: FeedServer, run: str, kind: str, count: int) -> list:
    from crm.models import Channel, Feed, Influencer

    person = Influencer.objects.order_by("pk").first()
    feeds = []
    for n in range(count):
        channel = Channel.objects.create(influencer=person, platform="blog", handle=f"bench-feeds-{run}-{kind}-{n}")
        feeds.append(Feed.objects.create(channel=channel, url=server.url(f"/{run}/{kind}/{n}")))
    return feeds


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def _delete(run: str) -> None:
    from crm.models import Channel

    Channel.objects.filter(handle__startswith=f"bench-feeds-{run}-").delete()  # their feeds and posts with them


TARGET_MATCH_MS = 10.0


def measure_matching(*, campaigns: int = 500, posts: int = 60, log=print) -> list[Result]:
    """A new post checked against `campaigns` open campaigns of its author (each with a brand name, hashtags, links,
    a promo code; half sponsored): `posts_match` on one post at a time, as a poll that found one new post runs it,
    reading the author's relationships and campaigns each time. A third of the posts mention one campaign (so a
    match, an exchange or a proposal, a disclosure check are written), the rest none."""
    from campaigns.models import Brand, Campaign, ContentMatch, Relationship, Stage
    from campaigns.services import posts_match
    from crm.models import Channel, Influencer, Post

    run = uuid.uuid4().hex[:8]
    person = Influencer.objects.create(name=f"bench-match-{run}")
    brand = Brand.objects.create(name=f"bench-match-{run}")
    rows = Campaign.objects.bulk_create(
        Campaign(
            brand=brand,
            name=f"bench-match-{run}-{n}",
            status=Campaign.Status.RUNNING,
            content_terms=f"#marque{n}\nGamme {n} printemps",
            content_links=f"https://marque{n}.example/printemps\nboutique{n}.example",
            promo_code=f"CODE{n}X",
            sponsored=n % 2 == 0,
            disclosure="#ad" if n % 2 == 0 else "",
        )
        for n in range(campaigns)
    )
    Relationship.objects.bulk_create(
        Relationship(influencer=person, campaign=campaign, stage=Stage.ACTIVE) for campaign in rows
    )
    channel = Channel.objects.create(influencer=person, platform="blog", handle=f"bench-match-{run}")
    texts = [
        f"Mon avis sur la gamme {n} printemps de la marque, avec le code CODE{n}X. "
        if n % 3 == 0
        else "Trois jours à Annecy : le lac, le vélo et les fromages. " * 20
        for n in range(posts)
    ]
    made = Post.objects.bulk_create(
        Post(channel=channel, key=f"{run}-{n}", url=f"https://blog.example/{n}/", title=f"Billet {n}", text=text)
        for n, text in enumerate(texts)
    )
    try:
        times = []
        for post in made:
            started = time.perf_counter()
            posts_match(post_ids=[post.pk])
            times.append(1000 * (time.perf_counter() - started))
        matches = ContentMatch.objects.filter(post__in=made).count()
    finally:
        Relationship.objects.filter(influencer=person).delete()
        Campaign.objects.filter(brand=brand).delete()
        brand.delete()
        person.delete()
    median = statistics.median(times)
    log(f"  a new post against {campaigns} open campaigns: {median:.1f} ms (median of {posts}), {matches} matches")
    return [
        Result(
            "feeds",
            f"a new post matched against {campaigns} open campaigns (median)",
            round(median, 1),
            "ms",
            f"<= {TARGET_MATCH_MS:.0f} ms",
            median <= TARGET_MATCH_MS,
            f"posts_match on one post at a time, reading the author's {campaigns} relationships and campaigns each "
            f"time; {posts} posts, a third mentioning one campaign ({matches} matches written); p95 "
            f"{_p95(times):.1f} ms; the first post, with every campaign's identifiers read for the first time in "
            f"this process, {times[0]:.1f} ms",
        )
    ]
