"""feed_read on hostile bodies: XML entities and DTDs neither expanded nor fetched, a body naming a file or an
address read as it is, and property-based input (random bytes, mutated real feeds, JSON-Feed-shaped junk): a
ParsedFeed within every bound or UnreadableFeed, nothing else.
"""

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from crm.feeds.parsing import UnreadableFeed, feed_read
from tests.crm.feeds.samples import FIXTURES, NOW, SECONDS_PER_FEED, SECRET, assert_bounded, refusal, rss, rss_item

# Hostile XML


def billion_laughs(*, one_line: bool) -> bytes:
    """Ten levels of ten: 10^10 "lol"s (30 GB) if the entities were expanded."""
    entities = ['<!ENTITY lol0 "lol">'] + [
        f'<!ENTITY lol{level} "{f"&lol{level - 1};" * 10}">' for level in range(1, 11)
    ]
    doctype = "<!DOCTYPE rss [" + ("" if one_line else "\n") + ("" if one_line else "\n").join(entities) + "]>"
    return (
        '<?xml version="1.0"?>\n' + doctype + "\n"
        '<rss version="2.0"><channel><title>&lol10;</title>'
        + rss_item("Rire &lol10;", extra="<description>&lol10;</description>")
        + "</channel></rss>"
    ).encode()


@pytest.mark.parametrize("one_line", [False, True], ids=["declarations-on-lines", "declarations-on-one-line"])
def test_billion_laughs_is_not_expanded(one_line):
    started = time.process_time()
    parsed = feed_read(billion_laughs(one_line=one_line), now=NOW)

    assert time.process_time() - started < SECONDS_PER_FEED
    assert "lollol" not in repr(parsed)
    assert [item.url for item in parsed.items] == ["https://blog.example/un-billet"]
    assert_bounded(parsed)


@pytest.fixture
def secret_file(tmp_path):
    path = tmp_path / "passwd"
    path.write_text(SECRET + "\n")
    return path


class _Counting(BaseHTTPRequestHandler):
    requests: list[str] = []

    def do_GET(self):
        type(self).requests.append(self.path)
        body = f'<!ENTITY leak "{SECRET}">'.encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def web_server():
    """An HTTP server on loopback that answers the secret and counts requests: a parser that fetches a URL shows
    here (and gets an answer, so that a failing test fails rather than hangs)."""
    _Counting.requests = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Counting)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()


@pytest.mark.parametrize("one_line", [False, True], ids=["declarations-on-lines", "declarations-on-one-line"])
def test_an_external_entity_is_neither_read_nor_fetched(one_line, secret_file, web_server):
    separator = "" if one_line else "\n"
    body = (
        '<?xml version="1.0"?>\n<!DOCTYPE rss [' + separator
        + f'<!ENTITY file SYSTEM "{secret_file.as_uri()}">' + separator
        + f'<!ENTITY web SYSTEM "{web_server}/entity">' + separator
        + f'<!ENTITY % remote SYSTEM "{web_server}/parameter"> %remote;' + separator
        + ']>\n<rss version="2.0"><channel><title>&file;</title>'
        + rss_item("Fichier &file; &web; &leak;", extra="<description>&file;&web;</description>")
        + "</channel></rss>"
    ).encode()  # fmt: skip

    parsed = feed_read(body, now=NOW)

    assert SECRET not in repr(parsed)
    assert _Counting.requests == []
    assert [item.url for item in parsed.items] == ["https://blog.example/un-billet"]


def test_an_external_dtd_is_not_fetched(web_server):
    body = (
        f'<?xml version="1.0"?>\n<!DOCTYPE rss SYSTEM "{web_server}/rss.dtd">\n'
        '<rss version="2.0"><channel><title>Le blog</title>' + rss_item("Un &leak; billet") + "</channel></rss>"
    ).encode()

    parsed = feed_read(body, now=NOW)

    assert SECRET not in repr(parsed)
    assert _Counting.requests == []
    assert len(parsed.items) == 1


def test_a_body_that_names_a_file_or_an_address_is_read_as_it_is(tmp_path, web_server):
    """feedparser opens a path and fetches a URL given instead of a document: feed_read only reads its body."""
    path = tmp_path / "feed.xml"
    path.write_bytes(rss(rss_item(SECRET)))

    for body in (str(path).encode(), f"{web_server}/feed.xml".encode(), path.as_uri().encode()):
        reason = refusal(body)
        assert reason == "This address gives something other than a feed (RSS, Atom or JSON Feed)."
    assert _Counting.requests == []


# Property-based: nothing but a bounded ParsedFeed or UnreadableFeed


def assert_read_or_refused(body: bytes) -> None:
    started = time.process_time()
    try:
        parsed = feed_read(body, url="https://feeds.example/a/feed", now=NOW)
    except UnreadableFeed as refused:
        assert refused.reason
        parsed = None
    assert time.process_time() - started < SECONDS_PER_FEED
    if parsed is not None:
        assert_bounded(parsed)


# Text a feed's structure turns on: markup, entities, CDATA, JSON punctuation, 8-bit, NUL.
SHARP = st.sampled_from(
    [b"<", b">", b"&", b"&amp;", b"&#0;", b"&#x110000;", b"]]>", b"<![CDATA[", b"<item>", b"</item>", b"<entry>",
     b"<link>javascript:x</link>", b"<!ENTITY x SYSTEM 'file:///etc/passwd'>", b"&x;", b'"', b"{", b"}", b"[", b",",
     b"\\ud800", b"\x00", b"\xff", b"\xc3", b"\n", b"<?xml version='1.0' encoding='utf-16'?>"]
)  # fmt: skip


@st.composite
def mutated_feeds(draw) -> bytes:
    """A real fixture cut short, with bytes flipped or text inserted: a broken server, a truncated download."""
    body = bytearray(FIXTURES[draw(st.sampled_from(sorted(FIXTURES)))])
    for _ in range(draw(st.integers(1, 5))):
        operation = draw(st.sampled_from(["truncate", "flip", "insert"]))
        where = draw(st.integers(0, len(body)))
        if operation == "truncate":
            # Counted from the end: the small numbers hypothesis favours then cut a few items, not the whole feed.
            del body[len(body) - where :]
        elif operation == "flip" and where < len(body):
            body[where] ^= draw(st.integers(1, 255))
        elif operation == "insert":
            text = draw(st.one_of(SHARP, st.binary(max_size=40), st.text(max_size=40).map(str.encode)))
            body[where:where] = text
    return bytes(body)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=30),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=5), children, max_size=3),
    max_leaves=8,
)
ITEM_FIELDS = ["id", "url", "title", "summary", "content_html", "content_text", "date_published", "date_modified"]


@st.composite
def json_feeds(draw) -> bytes:
    """JSON-Feed-shaped documents whose every field may be of any type or any text."""
    field = st.one_of(json_values, st.text(), st.sampled_from(["/a", "javascript:x", "2024-10-01T00:00:00Z", "<p>x"]))
    items = draw(st.lists(st.one_of(json_values, st.dictionaries(st.sampled_from(ITEM_FIELDS), field)), max_size=8))
    document = {"version": "https://jsonfeed.org/version/1.1", "title": draw(field), "items": items}
    return json.dumps(document).encode()


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=2_000))
@example(b"\x00" * 100)
@example(b"\xef\xbb\xbf")
@example(b"<")
@example(b"{")
@example(b"<rss")
@example(b"<" * 50_000)
@example(b"<a" + b" <b" * 5_000)
def test_random_bytes_are_read_or_refused(body):
    assert_read_or_refused(body)


@settings(max_examples=200, deadline=None)
@given(mutated_feeds())
def test_mutated_real_feeds_are_read_or_refused(body):
    assert_read_or_refused(body)


@settings(max_examples=200, deadline=None)
@given(json_feeds())
def test_json_feed_shaped_junk_is_read_or_refused(body):
    assert_read_or_refused(body)
