"""Finding a channel's feed from its address (crm.feeds.finding), against a real HTTP server on loopback."""

import pytest

from crm.feeds.finding import FeedNotFound, feed_find
from tests.crm.feeds.web import answer, limits, redirect

ATOM = (
    b'<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom"><title>Carnet de Sophie</title>'
    b"<id>tag:carnet.example,2024:feed</id><updated>2024-10-14T08:00:00Z</updated></feed>"
)


def page(*links: str, charset: str = "utf-8") -> bytes:
    head = "".join(f'<link rel="alternate" type="application/atom+xml" href="{href}">' for href in links)
    return f"<!DOCTYPE html><html><head><title>Carnet</title>{head}</head><body>Élan</body></html>".encode(charset)


def test_a_blogs_page_leads_to_its_feed(server):
    server.routes["/"] = answer(200, page("/atom.xml"), Content_Type="text/html; charset=utf-8")
    server.routes["/atom.xml"] = answer(200, ATOM, Content_Type="application/atom+xml")

    found = feed_find(server.url("/"), limits=limits())

    assert (found.url, found.title) == (server.url("/atom.xml"), "Carnet de Sophie")


def test_the_address_of_a_feed_is_kept_as_it_is(server):
    server.routes["/atom.xml"] = answer(200, ATOM, Content_Type="application/atom+xml")

    assert feed_find(server.url("/atom.xml"), limits=limits()).url == server.url("/atom.xml")


def test_a_feed_that_moved_for_good_is_kept_at_its_new_address_and_one_that_moved_for_now_at_its_own(server):
    server.routes["/old.xml"] = redirect(301, "/atom.xml")
    server.routes["/today.xml"] = redirect(302, "/atom.xml")
    server.routes["/atom.xml"] = answer(200, ATOM)

    assert feed_find(server.url("/old.xml"), limits=limits()).url == server.url("/atom.xml")
    assert feed_find(server.url("/today.xml"), limits=limits()).url == server.url("/today.xml")


def test_a_dead_link_on_the_page_is_passed_over_for_the_next(server):
    server.routes["/"] = answer(200, page("/gone.xml", "/not-a-feed", "/atom.xml"), Content_Type="text/html")
    server.routes["/not-a-feed"] = answer(200, page(), Content_Type="text/html")
    server.routes["/atom.xml"] = answer(200, ATOM)

    assert feed_find(server.url("/"), limits=limits()).url == server.url("/atom.xml")


def test_a_page_that_links_many_feeds_costs_a_few_requests(server):
    server.routes["/"] = answer(200, page(*(f"/dead-{n}.xml" for n in range(20))), Content_Type="text/html")

    with pytest.raises(FeedNotFound, match="links to a feed, but it could not be read"):
        feed_find(server.url("/"), limits=limits())

    assert [r["path"] for r in server.requests] == ["/", "/dead-0.xml", "/dead-1.xml", "/dead-2.xml"]


def test_a_page_without_a_feed_says_so(server):
    server.routes["/"] = answer(200, page(), Content_Type="text/html; charset=iso-8859-1")

    with pytest.raises(FeedNotFound, match="No feed was found at this address"):
        feed_find(server.url("/"), limits=limits())


def test_a_page_in_another_charset_or_an_unknown_one_is_read(server):
    server.routes["/latin"] = answer(
        200, page("/atom.xml", charset="latin-1"), Content_Type="text/html; charset=latin-1"
    )
    server.routes["/odd"] = answer(200, page("/atom.xml"), Content_Type="text/html; charset=x-no-such-charset")
    server.routes["/atom.xml"] = answer(200, ATOM)

    assert feed_find(server.url("/latin"), limits=limits()).url == server.url("/atom.xml")
    assert feed_find(server.url("/odd"), limits=limits()).url == server.url("/atom.xml")


def test_a_page_that_cannot_be_fetched_says_why(server):
    with pytest.raises(FeedNotFound, match="does not exist \\(HTTP 404\\)"):
        feed_find(server.url("/nowhere"), limits=limits())
    with pytest.raises(FeedNotFound, match="private network"):
        feed_find(server.url("/"), limits=limits(allowed_networks=()))


def test_a_youtube_channel_needs_no_request(server):
    found = feed_find("https://www.youtube.com/channel/UCx1b2c3d4e5f6g7h8i9j0kL", limits=limits())

    assert found.url == "https://www.youtube.com/feeds/videos.xml?channel_id=UCx1b2c3d4e5f6g7h8i9j0kL"
    assert server.requests == []
