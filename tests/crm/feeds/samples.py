"""What the parser's tests share: the platform fixtures, a moment, small feeds written inline, and the bounds every
read feed must respect."""

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from crm.feeds.parsing import (
    EXCERPT_CHARS,
    MAX_ITEMS,
    MAX_KEY,
    MAX_TITLE,
    MAX_URL,
    ParsedFeed,
    UnreadableFeed,
    feed_read,
)

FEEDS = Path(__file__).parent / "feeds"
FIXTURES = {path.name: path.read_bytes() for path in sorted(FEEDS.iterdir())}
NOW = datetime(2024, 10, 15, 12, 0, tzinfo=UTC)
SECRET = "root:x:0:0:SECRET-7f3a"
# CPU seconds, far more than a body needs: a guard against a parse that expands or loops, not a speed test.
SECONDS_PER_FEED = 2


def rss(items: str, *, channel: str = "<title>Le blog</title><link>https://blog.example/</link>") -> bytes:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel>' + channel + items + "</channel></rss>"
    ).encode()


def rss_item(title: str = "Un billet", link: str = "https://blog.example/un-billet", extra: str = "") -> str:
    return f"<item><title>{title}</title><link>{link}</link>{extra}</item>"


def json_feed(items: list, **fields) -> bytes:
    document = {"version": "https://jsonfeed.org/version/1.1", "title": "Notes", **fields, "items": items}
    return json.dumps(document).encode()


def refusal(body: bytes, **kwargs) -> str:
    with pytest.raises(UnreadableFeed) as refused:
        feed_read(body, now=NOW, **kwargs)
    return refused.value.reason


def assert_bounded(parsed: ParsedFeed) -> None:
    assert isinstance(parsed, ParsedFeed)
    assert len(parsed.title) <= MAX_TITLE
    assert_web_url(parsed.site_url)
    assert len(parsed.items) <= MAX_ITEMS
    assert len({item.key for item in parsed.items}) == len(parsed.items)
    for item in parsed.items:
        assert 0 < len(item.key) <= MAX_KEY
        assert item.url or item.title
        assert_web_url(item.url)
        assert len(item.title) <= MAX_TITLE
        assert len(item.excerpt) <= EXCERPT_CHARS
        assert item.published is None or (
            item.published.tzinfo is UTC
            and datetime(1990, 1, 1, tzinfo=UTC) <= item.published <= NOW + timedelta(days=1)
        )
        for text in (item.key, item.title, item.excerpt):
            assert not any(ord(char) < 32 or 0xD800 <= ord(char) <= 0xDFFF for char in text)


def assert_web_url(url: str) -> None:
    assert url == "" or (url.startswith(("http://", "https://")) and len(url) <= MAX_URL)
    assert not any(ord(char) < 32 for char in url)
