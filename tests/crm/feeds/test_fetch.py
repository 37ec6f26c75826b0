"""Fetching a feed (crm.feeds.fetch) from a real HTTP server on loopback: what a good server gives, and every bound
a hostile one meets. Addresses outside loopback are refused before any connection, so no test leaves the machine."""

import datetime
import gzip
import ipaddress
import socket
import ssl
import threading
import time
import zlib
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from crm.feeds.fetch import FeedUnavailable, address_allowed, feed_fetch
from tests.crm.feeds.web import FEED, LOOPBACK, Server, answer, limits, redirect


def test_it_gives_the_feed_and_what_the_next_poll_asks_with(server):
    server.routes["/feed"] = answer(
        200, FEED, Content_Type="application/rss+xml", ETag='"v1"', Last_Modified="Mon, 07 Dec 2026 09:00:00 GMT"
    )

    fetched = feed_fetch(server.url("/feed"), limits=limits())

    assert (fetched.status, fetched.body, fetched.content_type) == (200, FEED, "application/rss+xml")
    assert (fetched.etag, fetched.last_modified, fetched.moved_to) == ('"v1"', "Mon, 07 Dec 2026 09:00:00 GMT", "")
    assert not fetched.not_modified


def test_a_poll_asks_with_the_etag_and_date_and_a_304_has_no_body(server):
    server.routes["/feed"] = answer(304, ETag='"v1"')

    fetched = feed_fetch(
        server.url("/feed"), etag='"v1"', last_modified="Mon, 07 Dec 2026 09:00:00 GMT", limits=limits()
    )

    assert fetched.not_modified and fetched.body == b""
    assert (fetched.etag, fetched.last_modified) == ('"v1"', "Mon, 07 Dec 2026 09:00:00 GMT")
    asked = server.requests[-1]
    assert (asked["if-none-match"], asked["if-modified-since"]) == ('"v1"', "Mon, 07 Dec 2026 09:00:00 GMT")
    assert "gzip" in asked["accept-encoding"] and asked["host"] == f"127.0.0.1:{server.http.server_port}"


def test_permanent_redirects_give_the_address_to_keep_and_a_temporary_one_does_not(server):
    server.routes["/old"] = redirect(301, "/older-still")
    server.routes["/older-still"] = redirect(308, server.url("/feed"))
    server.routes["/feed"] = answer(200, FEED)
    server.routes["/for-now"] = redirect(302, "/feed")

    moved = feed_fetch(server.url("/old"), limits=limits())
    for_now = feed_fetch(server.url("/for-now"), limits=limits())

    assert (moved.body, moved.url, moved.moved_to) == (FEED, server.url("/feed"), server.url("/feed"))
    assert (for_now.body, for_now.url, for_now.moved_to) == (FEED, server.url("/feed"), "")


def test_endless_redirects_stop_at_the_limit(server):
    server.routes["/a"] = redirect(302, "/b")
    server.routes["/b"] = redirect(302, "/a")

    with pytest.raises(FeedUnavailable, match="redirects more than 3 times"):
        feed_fetch(server.url("/a"), limits=limits())
    assert len(server.requests) == 4  # the first request and three redirects followed


@pytest.mark.parametrize("status", [404, 410])
def test_a_feed_the_server_says_is_gone(server, status):
    server.routes["/feed"] = answer(status, b"Not here")

    with pytest.raises(FeedUnavailable) as refused:
        feed_fetch(server.url("/feed"), limits=limits())

    assert (refused.value.gone, refused.value.status) == (True, status)
    assert f"HTTP {status}" in refused.value.reason


@pytest.mark.parametrize("status", [403, 429, 500, 503])
def test_another_error_is_said_but_the_feed_is_not_gone(server, status):
    server.routes["/feed"] = answer(status, b"Busy")

    with pytest.raises(FeedUnavailable) as refused:
        feed_fetch(server.url("/feed"), limits=limits())

    assert (refused.value.gone, refused.value.status, refused.value.reason) == (
        False,
        status,
        f"The server answered HTTP {status}.",
    )


def test_a_gzip_feed_is_unpacked(server):
    server.routes["/feed"] = answer(200, gzip.compress(FEED), Content_Encoding="gzip")

    assert feed_fetch(server.url("/feed"), limits=limits()).body == FEED


@pytest.mark.parametrize("encoding", ["gzip", "deflate"])
def test_a_compression_bomb_stops_at_the_size_limit(server, encoding):
    unpacked = b"<rss>" + b" " * (50 * 1024 * 1024)  # 50 MB of spaces: ~50 KB packed
    packed = gzip.compress(unpacked, 9) if encoding == "gzip" else zlib.compress(unpacked, 9)
    assert len(packed) < 100 * 1024
    server.routes["/feed"] = answer(200, packed, Content_Encoding=encoding)

    with pytest.raises(FeedUnavailable, match="larger than 1024 KB"):
        feed_fetch(server.url("/feed"), limits=limits())


def test_a_feed_said_too_large_is_not_read(server):
    declared = str(50 * 1024 * 1024)
    server.routes["/feed"] = answer(200, b"", Content_Length=declared)

    with pytest.raises(FeedUnavailable, match="larger than 1024 KB"):
        feed_fetch(server.url("/feed"), limits=limits())


def test_a_feed_that_does_not_say_its_size_stops_at_the_limit(server):
    def endless(handler: BaseHTTPRequestHandler) -> None:
        handler.send_response(200)
        handler.send_header("Connection", "close")  # no length: the body runs until the server closes
        handler.end_headers()
        try:
            for _ in range(10_000):
                handler.wfile.write(b"<item>" + b"x" * 8192 + b"</item>")
        except OSError:
            pass  # the client went away: what the test wants

    server.routes["/feed"] = endless

    with pytest.raises(FeedUnavailable, match="larger than 1024 KB"):
        feed_fetch(server.url("/feed"), limits=limits())


def test_a_server_that_trickles_its_feed_is_cut_off(server):
    def trickle(handler: BaseHTTPRequestHandler) -> None:
        handler.send_response(200)
        handler.send_header("Content-Length", "100000")
        handler.end_headers()
        try:
            for _ in range(100):  # a byte every 0.1 s: never a read timeout, never the end
                handler.wfile.write(b"x")
                handler.wfile.flush()
                time.sleep(0.1)
        except OSError:
            pass

    server.routes["/feed"] = trickle

    with pytest.raises(FeedUnavailable, match="took too long to send"):
        feed_fetch(server.url("/feed"), limits=limits(total_seconds=1.0))


def test_a_server_that_never_answers_is_given_up(server):
    stop = threading.Event()
    server.routes["/feed"] = lambda handler: stop.wait(10)

    try:
        with pytest.raises(FeedUnavailable, match="took too long to answer"):
            feed_fetch(server.url("/feed"), limits=limits(timeout=0.5))
    finally:
        stop.set()


def test_nothing_listening():
    with socket.socket() as probe:  # a port that was free a moment ago
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]

    with pytest.raises(FeedUnavailable, match="Nothing answers at this address"):
        feed_fetch(f"http://127.0.0.1:{port}/feed", limits=limits())


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:{port}/feed",
        "http://localhost:{port}/feed",
        "http://2130706433:{port}/feed",  # 127.0.0.1 written as a number
        "http://[::1]:{port}/feed",
        "http://[::ffff:127.0.0.1]:{port}/feed",
        "http://0.0.0.0:{port}/feed",
        "http://10.1.2.3/feed",
        "http://192.168.1.1/feed",
        "http://169.254.169.254/latest/meta-data/",  # a cloud's metadata service
        "http://[fe80::1]/feed",
        "http://100.64.0.1/feed",
    ],
)
def test_no_private_loopback_or_link_local_address_unless_allowed(server, url):
    server.routes["/feed"] = answer(200, FEED)

    with pytest.raises(FeedUnavailable, match="private network"):
        feed_fetch(url.format(port=server.http.server_port), limits=limits(allowed_networks=()))

    assert server.requests == []


def test_a_redirect_to_a_private_address_is_refused(server):
    server.routes["/feed"] = redirect(302, "http://169.254.169.254/latest/meta-data/")

    with pytest.raises(FeedUnavailable, match=r"private network \(169\.254\.169\.254\)"):
        feed_fetch(server.url("/feed"), limits=limits())


@pytest.mark.parametrize(
    "url,reason",
    [
        ("file:///etc/passwd", "starts with http:// or https://"),
        ("ftp://127.0.0.1/feed", "starts with http:// or https://"),
        ("gopher://127.0.0.1:70/_", "starts with http:// or https://"),
        ("http:///feed", "no server name"),
        ("http://127.0.0.1:notaport/feed", "no server name"),
        ("http://no-such-host.invalid/feed", "No server was found"),
    ],
)
def test_addresses_that_are_not_a_web_feeds(url, reason):
    with pytest.raises(FeedUnavailable, match=reason):
        feed_fetch(url, limits=limits())


def test_a_redirect_to_another_scheme_is_refused(server):
    server.routes["/feed"] = redirect(301, "file:///etc/passwd")

    with pytest.raises(FeedUnavailable, match="starts with http:// or https://"):
        feed_fetch(server.url("/feed"), limits=limits())


def test_which_addresses_are_allowed():
    assert address_allowed("93.184.215.14") and address_allowed("2606:2800:21f:cb07:6820:80da:af6b:8b2c")
    for address in ("127.0.0.1", "::1", "::ffff:127.0.0.1", "fe80::1%eth0", "10.0.0.1", "172.16.0.1", "224.0.0.1"):
        assert not address_allowed(address), address
    assert address_allowed("127.0.0.1", LOOPBACK) and address_allowed("::ffff:127.0.0.1", LOOPBACK)
    assert not address_allowed("10.0.0.1", LOOPBACK)


# --- https ------------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def tls_files(tmp_path_factory) -> tuple[str, str]:
    """A self-signed certificate for "localhost" (and 127.0.0.1), and its key."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        # OpenSSL checks these against the machine's real clock, not the tests' (TEST_CLOCK moves only Python's):
        # valid whatever either says.
        .not_valid_before(datetime.datetime(2000, 1, 1, tzinfo=datetime.UTC))
        .not_valid_after(datetime.datetime(2099, 12, 31, tzinfo=datetime.UTC))
        .add_extension(
            x509.SubjectAlternativeName([x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    folder = tmp_path_factory.mktemp("tls")
    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return str(cert_path), str(key_path)


@pytest.fixture
def tls_server(tls_files) -> Iterator[Server]:
    running = Server()
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(*tls_files)
    running.http.socket = context.wrap_socket(running.http.socket, server_side=True)
    yield running
    running.stop()


def trusting(cert_path: str) -> ssl.SSLContext:
    return ssl.create_default_context(cafile=cert_path)


def test_https_checks_the_certificate_against_the_name_it_asked_for(tls_server, tls_files):
    tls_server.routes["/feed"] = answer(200, FEED)
    url = f"https://localhost:{tls_server.http.server_port}/feed"

    fetched = feed_fetch(url, limits=limits(ssl_context=trusting(tls_files[0])))

    assert fetched.body == FEED
    assert tls_server.requests[-1]["host"] == f"localhost:{tls_server.http.server_port}"


def test_https_refuses_a_certificate_it_does_not_trust(tls_server):
    tls_server.routes["/feed"] = answer(200, FEED)

    with pytest.raises(FeedUnavailable, match=r"secure connection \(TLS\)"):
        feed_fetch(f"https://localhost:{tls_server.http.server_port}/feed", limits=limits())
