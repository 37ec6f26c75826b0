"""Whether a post is about a campaign, and whether it says it is paid for: plain functions over plain values.

A campaign is identified in a post by its links (an exact link: recorded at once), its promo code (recorded at
once), its domains (proposed) and its names and hashtags, the brand's name among them (proposed). Text is compared
folded: case, accents and compatibility forms ("ｃａｍｉｌｌｅ", "Publicité", "PUBLICITE") do not matter, and a
name matches whole words only ("Lu" is not found in "lundi"). The services read the campaigns and the posts; this
module only compares, so that one post against hundreds of open campaigns stays a matter of milliseconds
(see docs/PERFORMANCE.md).
"""

import functools
import re
import unicodedata
from dataclasses import dataclass
from urllib.parse import urlsplit

MAX_LINES = 50  # of a campaign's identifiers, each list: a brief is not a dictionary


@dataclass(frozen=True)
class Identifiers:
    """What identifies one campaign's content, folded (see fold)."""

    links: tuple[tuple[str, str], ...] = ()  # (host and path, query): the query only counts when given
    domains: tuple[str, ...] = ()
    promo_code: tuple[str, str] = ("", "")  # folded, then as given
    terms: tuple[tuple[str, str], ...] = ()  # names and hashtags, folded then as given, the brand's name first


@dataclass(frozen=True)
class PostText:
    """What a post is compared on, folded once for every campaign."""

    text: str  # its title and its text
    links: tuple[tuple[str, str], ...]  # as Identifiers.links
    hosts: frozenset[str]


@dataclass(frozen=True)
class Match:
    matched: str  # what was found, as the campaign gives it: for a person to read
    exact: bool  # an exact link or the promo code: recorded without asking


# The combining marks' blocks: what NFKD splits off a letter ("é" → "e" + U+0301), removed in one pass.
COMBINING = re.compile("[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")


def fold(text: str) -> str:
    """Text compared without case, accents or compatibility forms."""
    if text.isascii():
        return text.lower()
    return COMBINING.sub("", unicodedata.normalize("NFKD", text)).casefold()


def identifiers(*, brand: str, terms: str, links: str, promo_code: str) -> Identifiers:
    """A campaign's identifiers from its fields (one per line) and its brand's name."""
    exact, domains = [], []
    for line in _lines(links):
        if "://" in line:
            exact.append(_link(line))
        else:
            domains.append(_host(line))
    names = [brand.strip(), *_lines(terms)]
    return Identifiers(
        links=tuple(link for link in exact if link[0]),
        domains=tuple(domain for domain in domains if domain),
        promo_code=(fold(promo_code.strip()), promo_code.strip()),
        terms=tuple({fold(name): name for name in reversed(names) if name}.items())[::-1],
    )


def post_text(*, title: str, text: str, links: list[str] | tuple[str, ...], url: str = "") -> PostText:
    """A post folded for comparison; its own address is not one of its links (a blog on the brand's domain would
    match every campaign of the brand)."""
    parsed = [_link(link) for link in links if link != url]
    return PostText(
        text=fold(f"{title}\n{text}"),
        links=tuple(parsed),
        hosts=frozenset(host for link in parsed for host in [link[0].split("/", 1)[0]] if host),
    )


def match(post: PostText, campaign: Identifiers) -> Match | None:
    """The strongest reason this post is about this campaign, or None."""
    for link, query in campaign.links:
        if any(link == found and (not query or query == found_query) for found, found_query in post.links):
            return Match(matched=_display(link, query), exact=True)
    if _found(campaign.promo_code[0], post.text):
        return Match(matched=campaign.promo_code[1], exact=True)
    for domain in campaign.domains:
        if any(host == domain or host.endswith("." + domain) for host in post.hosts):
            return Match(matched=domain, exact=False)
    for term, given in campaign.terms:
        if _found(term, post.text):
            return Match(matched=given, exact=False)
    return None


def disclosed(post: PostText, markers: list[str] | tuple[str, ...]) -> bool:
    """Whether the post carries one of the markers ("Publicité", "#ad", the campaign's own disclosure…)."""
    return any(_found(fold(marker.strip()), post.text) for marker in markers if marker.strip())


def _found(needle: str, haystack: str) -> bool:
    # `in` first: most posts mention most campaigns not at all, and the search for whole words is for the rest.
    return bool(needle) and needle in haystack and _whole(needle).search(haystack) is not None


@functools.lru_cache(maxsize=4096)
def _whole(needle: str) -> re.Pattern:
    """A needle as whole words: not inside a longer word (a "#" or "@" before it is part of the needle)."""
    return re.compile(r"(?<!\w)" + re.escape(needle) + r"(?!\w)")


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()][:MAX_LINES]


def _link(url: str) -> tuple[str, str]:
    """A link as (host and path, query): without scheme, "www.", fragment or trailing slash, folded."""
    try:
        parts = urlsplit(url.strip())
        host = (parts.hostname or "").removeprefix("www.")
    except ValueError:
        return "", ""
    return fold(host + parts.path.rstrip("/")), parts.query


def _host(domain: str) -> str:
    domain = domain.strip().strip("/").removeprefix("www.")
    return fold(_link(f"https://{domain}")[0].split("/", 1)[0]) if domain else ""


def _display(link: str, query: str) -> str:
    return f"{link}?{query}" if query else link
