"""Finding a channel's feed from the address a marketer has for the channel (its blog, its YouTube page, its
podcast's site), over the network with the fetcher's bounds: `feed_find`."""

import re
from dataclasses import dataclass

from django.utils.translation import gettext as _

from crm.feeds.discovery import feed_links, platform_feed
from crm.feeds.fetch import FeedUnavailable, FetchedFeed, FetchLimits, feed_fetch
from crm.feeds.parsing import UnreadableFeed, feed_read

# A page's feed links are in its head: the first part of a page is read for them, not all of a long one.
PAGE_BYTES = 512 * 1024
# Candidates tried, in the page's order: a page that links many feeds does not make as many requests.
MAX_CANDIDATES = 3
CHARSET = re.compile(r"charset\s*=\s*[\"']?([\w.:-]+)", re.IGNORECASE)


@dataclass(frozen=True)
class FoundFeed:
    url: str  # the feed's address to keep (after permanent redirects)
    title: str  # the feed's own title, "" when it has none or was not read


class FeedNotFound(Exception):
    """No feed could be found from this address: `reason` for a person."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def feed_find(url: str, *, limits: FetchLimits | None = None) -> FoundFeed:
    """The feed of the channel at `url`: the platform's fixed feed address when it has one; else `url` itself when
    it gives a feed; else the first of the page's feed links (at most MAX_CANDIDATES tried) that gives one."""
    known = platform_feed(url)
    if known:
        return FoundFeed(known, "")
    try:
        page = feed_fetch(url, limits=limits)
    except FeedUnavailable as error:
        raise FeedNotFound(error.reason) from error
    found = _as_feed(page, requested=url)
    if found is not None:
        return found
    candidates = feed_links(_page_text(page), page_url=page.url)
    for candidate in candidates[:MAX_CANDIDATES]:
        try:
            found = _as_feed(feed_fetch(candidate, limits=limits), requested=candidate)
        except FeedUnavailable:
            continue  # a dead link on the page: the next one may work
        if found is not None:
            return found
    if candidates:
        raise FeedNotFound(_("The page links to a feed, but it could not be read."))
    raise FeedNotFound(_("No feed was found at this address: give the feed's own address."))


def _as_feed(fetched: FetchedFeed, *, requested: str) -> FoundFeed | None:
    """The feed `fetched` is, kept under the address asked for unless it moved for good; None when it is none."""
    try:
        parsed = feed_read(fetched.body, content_type=fetched.content_type, url=fetched.url)
    except UnreadableFeed:
        return None
    return FoundFeed(fetched.moved_to or requested, parsed.title)


def _page_text(page: FetchedFeed) -> str:
    match = CHARSET.search(page.content_type)
    charset = match.group(1) if match else "utf-8"
    try:
        return page.body[:PAGE_BYTES].decode(charset, "replace")
    except LookupError:  # a charset Python does not know
        return page.body[:PAGE_BYTES].decode("utf-8", "replace")
