"""Fetching a channel's feed over HTTP, with every bound set here rather than trusted to the other side.

A feed's address is typed by a marketer or found in a page, and the server behind it is hostile until proven
otherwise, so `feed_fetch`:
- reads http and https only, and never from a private, loopback or link-local address (nor one DNS answers with)
  unless settings.FEED_ALLOWED_NETWORKS lists it: the address each hop resolves to is checked, then connected to
  as such, so a second DNS answer cannot send the request elsewhere (DNS rebinding);
- follows at most settings.FEED_MAX_REDIRECTS redirects, each checked like the first;
- asks with the feed's last ETag and Last-Modified (a 304 costs a few hundred bytes);
- reads at most settings.FEED_MAX_KB of body after decompression (a gzip bomb stops there), each network step
  within settings.FEED_TIMEOUT_SECONDS and the whole fetch within settings.FEED_TOTAL_SECONDS (a server that trickles
  a byte a second is cut off);
- raises FeedUnavailable with a reason a marketer reads, and `gone` set when the server says the feed is no more.
"""

import ipaddress
import socket
import ssl
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

import urllib3
from django.conf import settings
from django.utils.translation import gettext as _
from urllib3.exceptions import (
    ConnectTimeoutError,
    DecodeError,
    HTTPError,
    LocationValueError,
    NewConnectionError,
    ReadTimeoutError,
    SSLError,
)

USER_AGENT = "InfluenceCRM-feed-reader/1 (one request per feed and poll; conditional GET)"
ACCEPT = (
    "application/rss+xml, application/atom+xml, application/feed+json, application/xml;q=0.9, "
    "application/json;q=0.8, text/xml;q=0.8, */*;q=0.1"
)
CHUNK_BYTES = 64 * 1024
REDIRECTS = (301, 302, 303, 307, 308)
PERMANENT_REDIRECTS = (301, 308)
GONE = (404, 410)


@dataclass(frozen=True)
class FetchedFeed:
    """What a fetch gave: a 200 with the body, or a 304 (not modified) with none.

    `url` is where the body came from after redirects; `moved_to` is set when every redirect on the way was
    permanent (301, 308): the feed's address to keep from now on."""

    status: int
    url: str
    body: bytes = b""
    content_type: str = ""
    etag: str = ""
    last_modified: str = ""
    moved_to: str = ""

    @property
    def not_modified(self) -> bool:
        return self.status == 304


class FeedUnavailable(Exception):
    """The feed could not be fetched: `reason` for a person; `gone` when the server says it no longer exists (404,
    410), which a poll that keeps seeing marks the feed broken; `status` the HTTP status when there was one."""

    def __init__(self, reason: str, *, gone: bool = False, status: int | None = None):
        super().__init__(reason)
        self.reason = reason
        self.gone = gone
        self.status = status


@dataclass(frozen=True)
class FetchLimits:
    max_bytes: int
    timeout: float
    total_seconds: float
    max_redirects: int
    allowed_networks: tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...] = ()
    # The certificates to trust; None trusts the system's authorities (a team's own CA can be given here).
    ssl_context: ssl.SSLContext | None = field(default=None, compare=False)

    @classmethod
    def from_settings(cls) -> "FetchLimits":
        return cls(
            max_bytes=settings.FEED_MAX_KB * 1024,
            timeout=settings.FEED_TIMEOUT_SECONDS,
            total_seconds=settings.FEED_TOTAL_SECONDS,
            max_redirects=settings.FEED_MAX_REDIRECTS,
            allowed_networks=networks(settings.FEED_ALLOWED_NETWORKS),
        )


def networks(cidrs: Iterable[str]) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    return tuple(ipaddress.ip_network(c.strip(), strict=False) for c in cidrs if c.strip())


def address_allowed(address: str, allowed: Iterable[ipaddress.IPv4Network | ipaddress.IPv6Network] = ()) -> bool:
    """Whether a feed may be read from this IP address: a public one, or one of the allowed networks."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])  # an IPv6 scope ("fe80::1%eth0") is not part of it
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped  # ::ffff:127.0.0.1 is loopback
    if any(ip in network for network in allowed):
        return True
    return ip.is_global and not ip.is_multicast


def feed_fetch(url: str, *, etag: str = "", last_modified: str = "", limits: FetchLimits | None = None) -> FetchedFeed:
    """Fetch the feed at `url` (see the module's docstring); FeedUnavailable when it cannot be."""
    limits = limits or FetchLimits.from_settings()
    deadline = time.monotonic() + limits.total_seconds
    headers = {"User-Agent": USER_AGENT, "Accept": ACCEPT, "Accept-Encoding": "gzip, deflate"}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    permanent = True
    for hop in range(limits.max_redirects + 1):
        response = _request(url, headers, limits, deadline)
        try:
            if response.status in REDIRECTS and response.headers.get("Location"):
                permanent = permanent and response.status in PERMANENT_REDIRECTS
                url = urljoin(url, response.headers["Location"].strip())
                continue
            moved_to = url if permanent and hop else ""
            if response.status == 304:
                return FetchedFeed(304, url, etag=etag, last_modified=last_modified, moved_to=moved_to)
            if response.status in GONE:
                raise FeedUnavailable(
                    _("The server says this feed does not exist (HTTP %(status)s).") % {"status": response.status},
                    gone=True,
                    status=response.status,
                )
            if response.status != 200:
                raise FeedUnavailable(
                    _("The server answered HTTP %(status)s.") % {"status": response.status}, status=response.status
                )
            return FetchedFeed(
                200,
                url,
                body=_body(response, limits, deadline),
                content_type=response.headers.get("Content-Type", "")[:200],
                etag=response.headers.get("ETag", "")[:500],
                last_modified=response.headers.get("Last-Modified", "")[:100],
                moved_to=moved_to,
            )
        finally:
            response.close()  # a pool and a connection per hop: nothing is reused, nothing of a redirect's body read
    raise FeedUnavailable(_("The feed redirects more than %(count)s times.") % {"count": limits.max_redirects})


def _request(url: str, headers: dict[str, str], limits: FetchLimits, deadline: float) -> urllib3.BaseHTTPResponse:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        raise FeedUnavailable(_("A feed's address starts with http:// or https://."))
    try:
        host, port = parts.hostname, parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:  # a port that is not a number
        host = None
    if not host:
        raise FeedUnavailable(_("This address has no server name."))
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    name = f"[{host}]" if ":" in host else host  # an IPv6 address
    host_header = name if port == (443 if parts.scheme == "https" else 80) else f"{name}:{port}"
    addresses = _resolved(host, port, limits)
    for n, address in enumerate(addresses):
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise FeedUnavailable(_("The server took too long to answer."))
        timeout = urllib3.Timeout(connect=min(limits.timeout, remaining), read=min(limits.timeout, remaining))
        if parts.scheme == "https":
            # Connected to the checked address; the certificate is still checked against the name (and SNI sent).
            pool: urllib3.HTTPConnectionPool = urllib3.HTTPSConnectionPool(
                address,
                port,
                timeout=timeout,
                maxsize=1,
                retries=False,
                server_hostname=host,
                assert_hostname=host,
                ssl_context=limits.ssl_context,
            )
        else:
            pool = urllib3.HTTPConnectionPool(address, port, timeout=timeout, maxsize=1, retries=False)
        try:
            return pool.urlopen(
                "GET",
                path,
                headers={**headers, "Host": host_header},
                redirect=False,
                retries=False,
                assert_same_host=False,
                preload_content=False,
                decode_content=True,
            )
        except NewConnectionError as error:
            if n + 1 < len(addresses):
                continue  # a name with IPv6 and IPv4 addresses: the next one may answer
            raise FeedUnavailable(_network_reason(error)) from error
        except HTTPError as error:
            raise FeedUnavailable(_network_reason(error)) from error
    raise AssertionError("_resolved gives at least one address")


def _resolved(host: str, port: int, limits: FetchLimits) -> list[str]:
    """The addresses to connect to for `host`, in DNS's order: every one must be allowed, else none is used."""
    try:
        answers = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as error:
        raise FeedUnavailable(_("No server was found with this name.")) from error
    addresses = [str(info[4][0]) for info in answers]
    if not addresses:
        raise FeedUnavailable(_("No server was found with this name."))
    if not all(address_allowed(a, limits.allowed_networks) for a in addresses):
        raise FeedUnavailable(
            _("This address leads to a private network (%(address)s): feeds are read from the internet only.")
            % {"address": next(a for a in addresses if not address_allowed(a, limits.allowed_networks))}
        )
    return list(dict.fromkeys(addresses))  # one per address, not per socket type DNS listed it for


def _body(response: urllib3.BaseHTTPResponse, limits: FetchLimits, deadline: float) -> bytes:
    declared = response.headers.get("Content-Length", "")
    plain = response.headers.get("Content-Encoding", "identity") == "identity"
    if plain and declared.isdigit() and int(declared) > limits.max_bytes:
        raise FeedUnavailable(_too_large(limits))  # said up front: nothing is read
    chunks: list[bytes] = []
    size = 0
    try:
        # One network read at a time (read1: whatever has come, never waiting to fill a chunk), so the deadline is
        # checked between reads; decompressed as it comes, so the limit counts what the parser would get.
        while chunk := response.read1(CHUNK_BYTES, decode_content=True):
            size += len(chunk)
            if size > limits.max_bytes:
                raise FeedUnavailable(_too_large(limits))
            if time.monotonic() > deadline:
                raise FeedUnavailable(_("The server took too long to send the feed."))
            chunks.append(chunk)
    except HTTPError as error:
        raise FeedUnavailable(_network_reason(error)) from error
    return b"".join(chunks)


def _too_large(limits: FetchLimits) -> str:
    return _("The feed is larger than %(size)s KB.") % {"size": limits.max_bytes // 1024}


def _network_reason(error: HTTPError) -> str:
    # Order matters: a failed connection is a ConnectTimeoutError to urllib3.
    if isinstance(error, SSLError):
        return _("A secure connection (TLS) could not be set up with the server, or its certificate is not valid.")
    if isinstance(error, NewConnectionError):
        return _("Nothing answers at this address.")
    if isinstance(error, ConnectTimeoutError | ReadTimeoutError):
        return _("The server took too long to answer.")
    if isinstance(error, DecodeError):
        return _("The server sent a compressed feed that could not be unpacked.")
    if isinstance(error, LocationValueError):
        return _("This is not a valid address.")
    return _("The connection to the server failed.")
