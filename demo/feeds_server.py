"""The demo's feed server: `make run` starts it (Procfile) so that the demo channels' feeds (demo.feeds_data) are read
like real ones, on 127.0.0.1 at settings.DEMO_FEEDS_PORT.

Each feed is at /<feed>/<handle>/<file> (FILES): any handle, since the seed picks the channel; it names the blog, the
channel or the author. Items appear as the server runs: those dated before its start at once, the others once their
minute has come; every date counts from the start, so the demo's posts are recent whatever the day. Like a real
server it sends an ETag and a Last-Modified, and answers a conditional GET with 304 when nothing is new.

Standard library only (http.server); the clock is injectable, so a test moves time without sleeping.
"""

import hashlib
import json
import os
import re
import signal
import sys
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime, parsedate_to_datetime
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit
from xml.sax.saxutils import escape, quoteattr

from demo.feeds_data import FEEDS, FILES, DemoFeed, Item
from demo.people_data import profile_url

HOST = "127.0.0.1"
PATH = re.compile(r"^/(?P<key>[a-z0-9-]+)/(?P<handle>[A-Za-z0-9][A-Za-z0-9._-]{0,79})/(?P<file>.+)$")
BY_KEY = {feed.key: feed for feed in FEEDS}


def feed_path(feed: DemoFeed, handle: str) -> str:
    return f"/{feed.key}/{handle}/{FILES[feed.format]}"


class FeedServer(ThreadingHTTPServer):
    """Serves FEEDS; `clock` gives the time (seconds since the epoch), read once at start and on every request."""

    daemon_threads = True

    def __init__(self, address: tuple[str, int], *, clock: Callable[[], float] = time.time, log: bool = True):
        self.clock = clock
        self.started = datetime.fromtimestamp(clock(), UTC).replace(microsecond=0)
        self.log = log
        super().__init__(address, FeedHandler)

    def published(self, item: Item) -> datetime:
        return self.started + timedelta(minutes=item.minutes)

    def visible(self, feed: DemoFeed) -> list[Item]:
        """The feed's items published by now, newest first (as feeds list them)."""
        now = datetime.fromtimestamp(self.clock(), UTC)
        shown = [item for item in feed.items if self.published(item) <= now]
        return sorted(shown, key=lambda item: item.minutes, reverse=True)


class FeedHandler(BaseHTTPRequestHandler):
    server: FeedServer
    protocol_version = "HTTP/1.1"
    server_version = "DemoFeeds/1"

    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        self._answer(body=True)

    def do_HEAD(self) -> None:  # noqa: N802
        self._answer(body=False)

    def _answer(self, *, body: bool) -> None:
        path = urlsplit(self.path).path
        if path == "/":
            listing = "".join(f"/{feed.key}/<handle>/{FILES[feed.format]}\n" for feed in FEEDS)
            return self._send(HTTPStatus.OK, listing.encode(), "text/plain; charset=utf-8", body=body)
        found = PATH.match(path)
        feed = BY_KEY.get(found["key"]) if found else None
        if feed is None or found["file"] != FILES[feed.format]:
            return self._send(HTTPStatus.NOT_FOUND, b"No such feed.\n", "text/plain; charset=utf-8", body=body)
        items = self.server.visible(feed)
        content, content_type = RENDERERS[feed.format](feed, found["handle"], items, self.server)
        etag = '"' + hashlib.sha256(content).hexdigest()[:20] + '"'
        modified = max((self.server.published(item) for item in items), default=self.server.started)
        headers = {"ETag": etag, "Last-Modified": format_datetime(modified, usegmt=True)}
        if self._unchanged(etag, modified):
            return self._send(HTTPStatus.NOT_MODIFIED, b"", "", body=False, headers=headers)
        self._send(HTTPStatus.OK, content, content_type, body=body, headers=headers)

    def _unchanged(self, etag: str, modified: datetime) -> bool:
        # If-None-Match wins over If-Modified-Since when both are sent (RFC 9110, 13.2.2).
        if "If-None-Match" in self.headers:
            asked = [tag.strip() for tag in self.headers["If-None-Match"].split(",")]
            return "*" in asked or etag in asked or f"W/{etag}" in asked
        since = self.headers.get("If-Modified-Since")
        if since:
            try:
                return modified <= parsedate_to_datetime(since)
            except (TypeError, ValueError):
                return False
        return False

    def _send(
        self, status: int, content: bytes, content_type: str, *, body: bool, headers: dict[str, str] | None = None
    ) -> None:
        self.send_response(status)
        if content_type:
            self.send_header("Content-Type", content_type)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.send_header("Cache-Control", "max-age=60")
        if status != HTTPStatus.NOT_MODIFIED:
            self.send_header("Content-Length", str(len(content)))
        self.end_headers()
        if body:
            self.wfile.write(content)

    def log_message(self, format: str, *args) -> None:  # noqa: A002 (http.server's name)
        # No time of its own: honcho stamps each line (as gunicorn's, see gunicorn.conf.py).
        if self.server.log:
            sys.stderr.write(f"{self.address_string()} {format % args}\n")


# --- The formats, written as the platforms write them (the parser's fixtures in tests/crm/feeds/feeds) -------------


def _rfc822(moment: datetime) -> str:
    return format_datetime(moment, usegmt=True)


def _iso(moment: datetime) -> str:
    return moment.isoformat()


def _cdata(text: str) -> str:
    return "<![CDATA[" + text.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def _first_paragraph(html: str) -> str:
    text = re.sub(r"<[^>]+>", "", html.split("</p>", 1)[0])
    return text.replace("&amp;", "&").strip()


def _wordpress(feed: DemoFeed, handle: str, items: list[Item], server: FeedServer) -> tuple[bytes, str]:
    site = profile_url("blog", handle)
    title = feed.title.format(handle=handle)
    newest = server.published(items[0]) if items else server.started
    # WordPress's guid is the post's id, given in the order posts were written: it never changes.
    ids = {item.slug: 100 + 7 * n for n, item in enumerate(sorted(feed.items, key=lambda item: item.minutes))}
    entries = []
    for item in items:
        link = f"{site}/{item.slug}/"
        post_id = ids[item.slug]
        categories = "".join(f"\n\t\t<category>{_cdata(tag)}</category>" for tag in item.tags)
        entries.append(
            f"""	<item>
		<title>{escape(item.title)}</title>
		<link>{escape(link)}</link>
		<comments>{escape(link)}#respond</comments>
		<dc:creator>{_cdata(handle)}</dc:creator>
		<pubDate>{_rfc822(server.published(item))}</pubDate>{categories}
		<guid isPermaLink="false">{escape(site)}/?p={post_id}</guid>
		<description>{_cdata(_first_paragraph(item.body) + " [&#8230;]")}</description>
		<content:encoded>{_cdata(item.body)}</content:encoded>
		<wfw:commentRss>{escape(link)}feed/</wfw:commentRss>
		<slash:comments>{len(item.slug) % 7}</slash:comments>
	</item>
"""
        )
    document = f"""<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"
	xmlns:content="http://purl.org/rss/1.0/modules/content/"
	xmlns:wfw="http://wellformedweb.org/CommentAPI/"
	xmlns:dc="http://purl.org/dc/elements/1.1/"
	xmlns:atom="http://www.w3.org/2005/Atom"
	xmlns:sy="http://purl.org/rss/1.0/modules/syndication/"
	xmlns:slash="http://purl.org/rss/1.0/modules/slash/"
	>

<channel>
	<title>{escape(title)}</title>
	<atom:link href={quoteattr(site + "/feed/")} rel="self" type="application/rss+xml" />
	<link>{escape(site)}</link>
	<description>{escape(feed.description)}</description>
	<lastBuildDate>{_rfc822(newest)}</lastBuildDate>
	<language>fr-FR</language>
	<sy:updatePeriod>hourly</sy:updatePeriod>
	<sy:updateFrequency>1</sy:updateFrequency>
	<generator>https://wordpress.org/?v=6.6.2</generator>
{"".join(entries)}</channel>
</rss>
"""
    return document.encode(), "application/rss+xml; charset=UTF-8"


def _youtube(feed: DemoFeed, handle: str, items: list[Item], server: FeedServer) -> tuple[bytes, str]:
    channel_id = "UC" + hashlib.sha256(handle.encode()).hexdigest()[:22]
    channel_url = f"https://youtube.example.com/channel/{channel_id}"
    title = feed.title.format(handle=handle)
    entries = []
    for item in items:
        published = server.published(item)
        watch = f"https://youtube.example.com/watch?v={item.slug}"
        entries.append(
            f""" <entry>
  <id>yt:video:{item.slug}</id>
  <yt:videoId>{item.slug}</yt:videoId>
  <yt:channelId>{channel_id}</yt:channelId>
  <title>{escape(item.title)}</title>
  <link rel="alternate" href={quoteattr(watch)}/>
  <author>
   <name>{escape(title)}</name>
   <uri>{escape(channel_url)}</uri>
  </author>
  <published>{_iso(published)}</published>
  <updated>{_iso(published + timedelta(hours=2))}</updated>
  <media:group>
   <media:title>{escape(item.title)}</media:title>
   <media:content url="https://youtube.example.com/v/{item.slug}?version=3"
    type="application/x-shockwave-flash" width="640" height="390"/>
   <media:thumbnail url="https://i1.ytimg.example.com/vi/{item.slug}/hqdefault.jpg" width="480" height="360"/>
   <media:description>{escape(item.body)}</media:description>
   <media:community>
    <media:starRating count="{40 + len(item.body)}" average="5.00" min="1" max="5"/>
    <media:statistics views="{len(item.body) * 37}"/>
   </media:community>
  </media:group>
 </entry>
"""
        )
    document = f"""<?xml version="1.0" encoding="UTF-8"?>
<feed xmlns:yt="http://www.youtube.com/xml/schemas/2015" xmlns:media="http://search.yahoo.com/mrss/" xmlns="http://www.w3.org/2005/Atom">
 <link rel="self" href="http://www.youtube.example.com/feeds/videos.xml?channel_id={channel_id}"/>
 <id>yt:channel:{channel_id[2:]}</id>
 <yt:channelId>{channel_id[2:]}</yt:channelId>
 <title>{escape(title)}</title>
 <link rel="alternate" href={quoteattr(channel_url)}/>
 <author>
  <name>{escape(title)}</name>
  <uri>{escape(channel_url)}</uri>
 </author>
 <published>{_iso(server.started - timedelta(days=900))}</published>
{"".join(entries)}</feed>
"""
    return document.encode(), "text/xml; charset=UTF-8"


def _podcast(feed: DemoFeed, handle: str, items: list[Item], server: FeedServer) -> tuple[bytes, str]:
    site = profile_url("podcast", handle)
    title = feed.title.format(handle=handle)
    newest = server.published(items[0]) if items else server.started
    entries = []
    for item in items:
        number = item.slug.rsplit("-", 1)[-1]
        link = f"{site}/episodes/{item.slug}"
        guid = uuid.uuid5(uuid.NAMESPACE_URL, link)
        seconds = sum(int(part) * 60**power for power, part in enumerate(reversed(item.duration.split(":"))))
        entries.append(
            f"""    <item>
      <title>{escape(item.title)}</title>
      <link>{escape(link)}</link>
      <description>{_cdata(item.body)}</description>
      <content:encoded>{_cdata(item.body)}</content:encoded>
      <itunes:summary>{escape(re.sub(r"<[^>]+>", " ", item.body).replace("&amp;", "&"))}</itunes:summary>
      <guid isPermaLink="false">{guid}</guid>
      <pubDate>{_rfc822(server.published(item))}</pubDate>
      <enclosure url="https://audio.podcasts.example.com/{handle}/{guid.hex[:12]}.mp3"
        length="{seconds * 16000}" type="audio/mpeg"/>
      <itunes:duration>{item.duration}</itunes:duration>
      <itunes:episode>{number}</itunes:episode>
      <itunes:episodeType>full</itunes:episodeType>
      <itunes:explicit>false</itunes:explicit>
    </item>
"""
        )
    document = f"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd"
  xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:atom="http://www.w3.org/2005/Atom"
  xmlns:podcast="https://podcastindex.org/namespace/1.0">
  <channel>
    <atom:link href={quoteattr(site + "/rss.xml")} rel="self" type="application/rss+xml"/>
    <title>{escape(title)}</title>
    <link>{escape(site)}</link>
    <description>{_cdata(feed.description)}</description>
    <language>fr</language>
    <lastBuildDate>{_rfc822(newest)}</lastBuildDate>
    <itunes:author>{escape(handle)}</itunes:author>
    <itunes:owner>
      <itunes:name>{escape(handle)}</itunes:name>
      <itunes:email>{escape(handle)}@example.org</itunes:email>
    </itunes:owner>
    <itunes:image href="https://image.podcasts.example.com/{escape(handle)}/cover-3000x3000.jpg"/>
    <itunes:category text="Arts">
      <itunes:category text="Fashion &amp; Beauty"/>
    </itunes:category>
    <itunes:explicit>false</itunes:explicit>
    <itunes:type>episodic</itunes:type>
{"".join(entries)}  </channel>
</rss>
"""
    return document.encode(), "application/rss+xml; charset=utf-8"


def _json_feed(feed: DemoFeed, handle: str, items: list[Item], server: FeedServer) -> tuple[bytes, str]:
    site = profile_url("newsletter", handle)
    document = {
        "version": "https://jsonfeed.org/version/1.1",
        "title": feed.title.format(handle=handle),
        "home_page_url": f"{site}/",
        "feed_url": f"{site}/feed.json",
        "description": feed.description,
        "language": "fr-FR",
        "authors": [{"name": handle, "url": f"{site}/about/"}],
        "items": [
            {
                "id": f"{site}/{item.slug}/",
                "url": f"{site}/{item.slug}/",
                "title": item.title,
                "content_html": item.body,
                "summary": _first_paragraph(item.body),
                "date_published": _iso(server.published(item)),
                "authors": [{"name": handle}],
                "tags": list(item.tags),
            }
            for item in items
        ],
    }
    return json.dumps(document, ensure_ascii=False, indent=2).encode(), "application/feed+json; charset=utf-8"


RENDERERS = {"wordpress": _wordpress, "youtube": _youtube, "podcast": _podcast, "jsonfeed": _json_feed}


# --- Running it ----------------------------------------------------------------------------------------------------


class _Stop(Exception):
    pass


def _stop(signum, frame) -> None:
    raise _Stop


def main() -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    from django.conf import settings  # the port is a setting, so the seed and the server agree on it

    port = settings.DEMO_FEEDS_PORT
    # honcho stops a process with SIGTERM; a clean exit (status 0) keeps the others' stop clean too.
    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    try:
        server = FeedServer((HOST, port))
    except OSError as error:
        # honcho stops every process when one ends: the rest of the demo runs on without its feeds.
        print(f"The demo feeds are not served: port {port} is taken ({error.strerror}); see DEMO_FEEDS_PORT.")
        sys.stdout.flush()
        try:
            while True:
                signal.pause()
        except _Stop:
            return 0
    later = sorted(item.minutes for feed in FEEDS for item in feed.items if item.minutes > 0)
    print(
        f"Demo feeds on http://{HOST}:{port}/: {len(FEEDS)} feeds; a new post at "
        + ", ".join(str(minute) for minute in later)
        + " minutes from now."
    )
    sys.stdout.flush()
    try:
        server.serve_forever()
    except _Stop:
        pass
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
