"""Where a channel's feed is, found from its page: the page's own `<link rel="alternate">` to a feed (blogs,
newsletters, podcasts' sites, YouTube channels all have one), else the address the channel's platform always
gives it (a YouTube channel id, a WordPress or Substack site).

`feed_links` reads a page that was fetched with the feed's bounds (crm.feeds.fetch); nothing here touches the
network."""

from html.parser import HTMLParser
from urllib.parse import parse_qs, urljoin, urlsplit

FEED_TYPES = {
    "application/rss+xml": 0,
    "application/atom+xml": 1,
    "application/feed+json": 2,
    "application/json": 3,  # some JSON Feeds say only this
}
MAX_LINKS = 20
MAX_URL = 2000


class _LinkCollector(HTMLParser):
    """The `<link rel="alternate" type="…feed…" href>` of a page's head (and of a body that has them: a few CMSs put
    them there); stops looking once the links are many."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[tuple[str, str, str]] = []  # (type, href, title)
        self.base = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name.lower(): (value or "") for name, value in attrs}
        if tag == "base" and not self.base:
            self.base = values.get("href", "").strip()
        if tag != "link" or len(self.links) >= MAX_LINKS:
            return
        rel = values.get("rel", "").lower().split()
        kind = values.get("type", "").lower().split(";")[0].strip()
        if "alternate" in rel and kind in FEED_TYPES and values.get("href", "").strip():
            self.links.append((kind, values["href"].strip(), values.get("title", "").strip()))


def feed_links(html: str, *, page_url: str) -> list[str]:
    """The feeds a page links to, as absolute http(s) addresses, RSS and Atom before JSON, each once, in the
    page's order otherwise; comments feeds ("Comments Feed", "Commentaires") last."""
    collector = _LinkCollector()
    try:
        collector.feed(html)
        collector.close()
    except (AssertionError, ValueError):  # html.parser gives up on some broken markup: keep what it found
        pass
    base = urljoin(page_url, collector.base) if collector.base else page_url
    found: dict[str, tuple[int, int, int]] = {}
    for position, (kind, href, title) in enumerate(collector.links):
        url = urljoin(base, href)
        if urlsplit(url).scheme not in ("http", "https") or len(url) > MAX_URL or url in found:
            continue
        comments = any(word in title.lower() for word in ("comment", "commentaire"))
        found[url] = (int(comments), FEED_TYPES[kind], position)
    return sorted(found, key=found.__getitem__)


def platform_feed(url: str) -> str:
    """The feed a platform gives every channel at a fixed address, from the channel's URL; "" when there is none
    known (a page must then be read for its links)."""
    parts = urlsplit(url.strip())
    host = (parts.hostname or "").lower().removeprefix("www.").removeprefix("m.")
    segments = [s for s in parts.path.split("/") if s]
    if host == "youtube.com":
        if len(segments) >= 2 and segments[0] == "channel" and segments[1].startswith("UC"):
            return f"https://www.youtube.com/feeds/videos.xml?channel_id={segments[1]}"
        if segments[:2] == ["feeds", "videos.xml"] and parse_qs(parts.query).get("channel_id"):
            return url.strip()
        return ""  # a @handle or /c/ name: the channel's page links its feed
    if host.endswith(".substack.com"):
        return f"https://{host}/feed"
    if host.endswith(".blogspot.com"):
        return f"https://{host}/feeds/posts/default"
    return ""
