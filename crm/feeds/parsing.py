"""One feed's body, as bytes fetched from a channel, read into its posts: `feed_read`.

The body is hostile until read: `feed_read` never raises on any input but `UnreadableFeed`, for a body that gives
no feed at all (empty, a web page, broken JSON), and everything it keeps is bounded (see the constants). RSS and
Atom are read by feedparser, whose loose parser still gives the items of a feed with broken XML, and which drops
every entity declaration but plain-text ones (no "billion laughs", no external entities); JSON Feed, which
feedparser does not read, by `json`.
"""

import hashlib
import html
import io
import json
import re
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urljoin, urlsplit

import feedparser
from django.core.exceptions import SuspiciousOperation
from django.utils import timezone
from django.utils.html import strip_tags
from django.utils.translation import gettext as _

MAX_ITEMS = 200
MAX_TITLE = 300
MAX_URL = 2_000
MAX_KEY = 500
EXCERPT_CHARS = 500
# What a campaign's names, hashtags, links and disclosure are looked for in: a long post's first pages, where a
# disclosure must stand (the law wants it seen at once).
TEXT_CHARS = 20_000
MAX_TEXT_HTML = 200_000
MAX_LINKS_HTML = 100_000
MAX_LINKS = 100
MAX_TAGS = 50
# An href in an item's HTML, quoted or not: the links are all a match needs of the markup.
# Each occurrence reads at most one URL's length, so a body of unclosed quotes costs a bounded, linear time.
HREF = re.compile(r"""\bhref\s*=\s*(?:"([^"]{0,2000})"|'([^']{0,2000})'|([^\s>"']{1,2000}))""", re.IGNORECASE)
# strip_tags parses its input several times over, and an excerpt's 500 characters are within the first pages of the
# HTML: the rest is not read.
MAX_EXCERPT_HTML = 100_000
# Dates outside these are a CMS's placeholder (1970, 0001) or a clock gone wrong, not a post's date.
EARLIEST = datetime(1990, 1, 1, tzinfo=UTC)
FUTURE_SLACK = timedelta(days=1)

JSON_FEED_VERSION = "https://jsonfeed.org/version/"
JSON_CONTENT_TYPES = frozenset({"application/feed+json", "application/json"})
# The first character that is not a byte order mark or white space: `{` starts a JSON Feed, `<` an XML one.
FIRST_CHARACTER = re.compile(rb"(?:\xef\xbb\xbf)?\s*(.)", re.DOTALL)
# A web page rather than a feed, looked for at the top only (where a page declares itself).
HTML_PAGE = re.compile(rb"<(?:!doctype\s+html|html|head|body)[\s>]", re.IGNORECASE)
HTML_PAGE_WINDOW = 4_096
# Control characters and lone surrogates (which JSON can spell as \ud800) cannot be stored in PostgreSQL's text.
UNSTORABLE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")
# In a URL, line ends and tabs too: urlsplit drops them silently, so the URL checked would not be the one kept.
URL_UNSAFE = re.compile(r"[\x00-\x1f\x7f\ud800-\udfff]")
HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
# strip_tags keeps the text of scripts and styles; feedparser drops them from RSS and Atom, not from JSON Feed's HTML.
SCRIPT_OR_STYLE = re.compile(r"<(script|style)\b.*?(?:</\1\s*>|\Z)", re.IGNORECASE | re.DOTALL)
# strip_tags joins the text of two paragraphs ("fin.Début"): a space goes before each tag that breaks a line.
BLOCK_TAG = re.compile(
    r"<(?=/?(?:address|article|blockquote|br|dd|div|dl|dt|figcaption|figure|footer|h[1-6]|header|hr|li|ol|p|pre"
    r"|section|table|td|th|tr|ul)\b)",
    re.IGNORECASE,
)


class UnreadableFeed(Exception):
    """A body that gives no feed at all; `reason` says why in words a person understands."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class FeedItem:
    key: str  # identifies the item within its feed from one poll to the next (see _item_key)
    url: str  # http(s) and absolute, or ""
    title: str
    published: datetime | None  # aware, UTC
    excerpt: str  # plain text
    text: str = ""  # the item's whole text (its content, else its summary) as plain text, then its tags, bounded
    links: tuple[str, ...] = ()  # the absolute http(s) links of its content, each once, in order, bounded


@dataclass(frozen=True)
class ParsedFeed:
    title: str
    site_url: str
    items: list[FeedItem]


@dataclass(frozen=True)
class _RawItem:
    """One item as the format gives it, before the bounds: the same steps then apply to XML and JSON feeds."""

    guid: str
    link: str
    title: str
    title_is_html: bool
    dates: tuple[datetime | None, ...]  # published first, then updated: the first plausible one is kept
    summary: str
    content: str = ""  # the whole item (content:encoded, Atom content, content_html) when the feed gives it
    tags: tuple[str, ...] = ()  # its categories (a hashtag is often one)
    html: bool = True  # whether the content is markup (a JSON Feed's content_text is not: it gives no links)


def feed_read(body: bytes, *, content_type: str = "", url: str = "", now: datetime | None = None) -> ParsedFeed:
    """Read an RSS 0.9x/2.0, Atom 1.0 or JSON Feed 1.x body into its first MAX_ITEMS items, in document order.

    `content_type` is the response's Content-Type (it may carry the charset); `url` is the feed's address, against
    which relative item links are resolved; `now` is the moment against which a date is judged to be in the future.
    Raises UnreadableFeed, and nothing else, when the body gives no feed at all.
    """
    now = now or timezone.now()
    if not body or body.isspace():
        raise UnreadableFeed(_("This address gives an empty page, not a feed."))
    media_type = content_type.split(";", 1)[0].strip().lower()
    first = FIRST_CHARACTER.match(body)
    first_character = first.group(1) if first else b""
    if first_character == b"{" or (media_type in JSON_CONTENT_TYPES and first_character != b"<"):
        title, site_url, raw_items = _json_feed(body)
    else:
        title, site_url, raw_items = _xml_feed(body, content_type)
    return ParsedFeed(
        title=_cut(_text(title), MAX_TITLE),
        site_url=_web_url(site_url, url),
        items=list(_items(raw_items, url, now)),
    )


def _xml_feed(body: bytes, content_type: str) -> tuple[str, str, Iterable[_RawItem]]:
    try:
        # A stream, never bytes or str: feedparser opens a str that looks like a URL, and bytes or a str that name
        # a local file, and would read that instead of the body.
        parsed = feedparser.parse(
            io.BytesIO(body),
            # Without a type, feedparser takes a body without an XML declaration for ISO-8859-1; XML's default,
            # and every feed's in practice, is UTF-8.
            response_headers={"content-type": content_type or "application/xml"},
            # The item links are resolved here (see _web_url), and the keys must not depend on the feed's address:
            # feedparser would resolve a relative guid against it too.
            resolve_relative_uris=False,
            # Drops the text of scripts and styles, which strip_tags would keep in an excerpt.
            sanitize_html=True,
        )
    except Exception as error:  # whatever breaks inside the parser was caused by the body: the feed is unreadable
        raise UnreadableFeed(_("The feed could not be read (%(error)s).") % {"error": type(error).__name__}) from error
    if not parsed.get("version") and not parsed.entries:
        if HTML_PAGE.search(body, 0, HTML_PAGE_WINDOW):
            raise UnreadableFeed(_("This address gives a web page, not a feed."))
        raise UnreadableFeed(_("This address gives something other than a feed (RSS, Atom or JSON Feed)."))
    feed = parsed.feed
    title = feed.get("title") or ""
    if feed.get("title_detail", {}).get("type") in HTML_TYPES:
        title = _plain(title)
    return title, feed.get("link") or "", map(_xml_item, parsed.entries)


def _xml_item(entry: dict[str, Any]) -> _RawItem:
    summary = entry.get("summary") or ""
    content = ""
    if entry.get("content"):
        content = entry["content"][0].get("value") or ""
    summary = summary or content
    tags = tuple(tag.get("term") or "" for tag in (entry.get("tags") or [])[:MAX_TAGS] if isinstance(tag, dict))
    return _RawItem(
        guid=entry.get("id") or "",
        link=entry.get("link") or "",
        title=entry.get("title") or "",
        title_is_html=entry.get("title_detail", {}).get("type") in HTML_TYPES,
        # dict.get, not the entry's own: that one answers the published date (and warns) when there is no updated one.
        dates=(_struct_date(entry.get("published_parsed")), _struct_date(dict.get(entry, "updated_parsed"))),
        summary=summary,
        content=content,
        tags=tags,
    )


def _struct_date(value: time.struct_time | None) -> datetime | None:
    """feedparser's dates are struct_time in UTC; an impossible one (a 61st second, year 0) is no date."""
    if value is None:
        return None
    try:
        return datetime(*value[:6], tzinfo=UTC)
    except (TypeError, ValueError, OverflowError):
        return None


def _json_feed(body: bytes) -> tuple[str, str, Iterable[_RawItem]]:
    try:
        document = json.loads(body)
    except (ValueError, RecursionError) as error:
        raise UnreadableFeed(_("This address gives a JSON Feed that is not valid JSON.")) from error
    version = document.get("version") if isinstance(document, dict) else None
    if not isinstance(version, str) or not version.startswith(JSON_FEED_VERSION):
        raise UnreadableFeed(_("This address gives JSON data, not a JSON Feed."))
    items = document.get("items")
    if not isinstance(items, list):
        raise UnreadableFeed(_("This JSON Feed has no list of items."))
    return (
        _string(document.get("title")),
        _string(document.get("home_page_url")),
        (_json_item(item) for item in items if isinstance(item, dict)),
    )


def _json_item(item: dict[str, Any]) -> _RawItem:
    guid = item.get("id")
    # JSON Feed 1.1: a reader coerces an id given as a number to a string (a bool is not a number here).
    if isinstance(guid, int | float) and not isinstance(guid, bool):
        guid = str(guid)
    return _RawItem(
        guid=_string(guid),
        link=_string(item.get("url")),
        title=_string(item.get("title")),
        title_is_html=False,
        dates=(_iso_date(item.get("date_published")), _iso_date(item.get("date_modified"))),
        summary=_string(item.get("summary")) or _string(item.get("content_text")) or _string(item.get("content_html")),
        content=_string(item.get("content_html")) or html.escape(_string(item.get("content_text"))),
        html=bool(_string(item.get("content_html"))),
        tags=tuple(_string(tag) for tag in _list(item.get("tags"))[:MAX_TAGS]),
    )


def _list(value: object) -> list:
    return value if isinstance(value, list) else []


def _string(value: object) -> str:
    return value if isinstance(value, str) else ""


def _iso_date(value: object) -> datetime | None:
    """An RFC 3339 date; one without an offset is taken as UTC."""
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value.strip())
        return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
    except (ValueError, OverflowError):
        return None


def _items(raw_items: Iterable[_RawItem], base_url: str, now: datetime) -> Iterator[FeedItem]:
    """The first MAX_ITEMS items that have a URL or a title, each key once (the first item with it is kept)."""
    keys: set[str] = set()
    for raw in raw_items:
        if len(keys) >= MAX_ITEMS:
            return
        url = _web_url(raw.link, base_url)
        title = _cut(_plain(raw.title) if raw.title_is_html else _text(raw.title), MAX_TITLE)
        if not url and not title:
            continue
        published = next((date for date in raw.dates if _plausible(date, now)), None)
        key = _item_key(_text(raw.guid), url, title, published)
        if key in keys:
            continue
        keys.add(key)
        whole = raw.content or raw.summary
        yield FeedItem(
            key=key,
            url=url,
            title=title,
            published=published,
            excerpt=_excerpt(raw.summary),
            text=_whole_text(whole, raw.tags),
            links=_links(whole, url or base_url) if raw.html else (),
        )


def _item_key(guid: str, url: str, title: str, published: datetime | None) -> str:
    """The guid (or id), else the URL, else a hash of the title and date; a key longer than MAX_KEY is hashed."""
    if guid or url:
        key = guid or url
        return key if len(key) <= MAX_KEY else _hashed(key)
    return _hashed(f"{title}\n{published.isoformat() if published else ''}")


def _hashed(text: str) -> str:
    return "sha256:" + hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def _plausible(date: datetime | None, now: datetime) -> bool:
    return date is not None and EARLIEST <= date <= now + FUTURE_SLACK


def _web_url(raw: str, base_url: str) -> str:
    """`raw` resolved against `base_url` if it then is an http(s) URL with a host and at most MAX_URL characters,
    else "" (javascript:, data:, file:, a relative link with no address to resolve it against)."""
    raw = raw.strip()
    if not raw or URL_UNSAFE.search(raw):
        return ""
    try:
        url = urljoin(base_url, raw) if base_url else raw
        parts = urlsplit(url)
        has_host = bool(parts.hostname)
    except ValueError:  # an unclosed IPv6 bracket
        return ""
    if parts.scheme not in ("http", "https") or not has_host or len(url) > MAX_URL:
        return ""
    return url


def _excerpt(summary: str) -> str:
    """The summary as plain text, cut to EXCERPT_CHARS (the last one then "…")."""
    text = _plain(summary[:MAX_EXCERPT_HTML])
    if len(text) <= EXCERPT_CHARS:
        return text
    return text[: EXCERPT_CHARS - 1].rstrip() + "…"


def _whole_text(markup: str, tags: tuple[str, ...]) -> str:
    """The item's text as plain text, then its tags, cut to TEXT_CHARS."""
    text = _plain(markup[:MAX_TEXT_HTML])
    tagged = " ".join(_text(tag) for tag in tags if tag)
    return _cut(f"{text} {tagged}" if tagged else text, TEXT_CHARS)


def _links(markup: str, base_url: str) -> tuple[str, ...]:
    """The content's links, absolute http(s) (see _web_url), each once, at most MAX_LINKS."""
    links: dict[str, None] = {}
    for match in HREF.finditer(markup, 0, MAX_LINKS_HTML):
        url = _web_url(html.unescape(next(group for group in match.groups() if group is not None)), base_url)
        if url:
            links[url] = None
            if len(links) >= MAX_LINKS:
                break
    return tuple(links)


def _plain(markup: str) -> str:
    try:
        stripped = strip_tags(BLOCK_TAG.sub(" <", SCRIPT_OR_STYLE.sub(" ", markup)))
    except SuspiciousOperation:  # tags nested past strip_tags' limit: no excerpt rather than markup in it
        return ""
    return _text(html.unescape(stripped))


def _text(text: str) -> str:
    """One line of storable text: control characters dropped, white space runs as one space."""
    return " ".join(UNSTORABLE.sub(" ", text).split())


def _cut(text: str, limit: int) -> str:
    return text[:limit].rstrip()
