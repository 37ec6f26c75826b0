"""Finding a channel's feed from its page or its platform (crm.feeds.discovery)."""

from hypothesis import given, settings
from hypothesis import strategies as st

from crm.feeds.discovery import MAX_LINKS, feed_links, platform_feed

WORDPRESS_HEAD = """<!DOCTYPE html><html lang="fr-FR"><head>
<meta charset="UTF-8"><title>Carnet de route &#8211; Sophie</title>
<link rel="alternate" type="application/rss+xml" title="Carnet de route &raquo; Flux"
  href="https://carnet.example/feed/" />
<link rel="alternate" type="application/rss+xml" title="Carnet de route &raquo; Flux des commentaires"
  href="https://carnet.example/comments/feed/" />
<link rel="alternate" type="application/json+oembed" href="https://carnet.example/wp-json/oembed/1.0/embed?url=x" />
<link rel="https://api.w.org/" href="https://carnet.example/wp-json/" />
</head><body><p>Bonjour</p></body></html>"""


def test_a_wordpress_page_gives_its_posts_feed_before_its_comments_feed():
    assert feed_links(WORDPRESS_HEAD, page_url="https://carnet.example/") == [
        "https://carnet.example/feed/",
        "https://carnet.example/comments/feed/",
    ]


def test_relative_links_are_resolved_against_the_page_or_its_base():
    html = (
        '<link rel="alternate" type="application/atom+xml" href="/atom.xml">'
        '<link rel="Alternate" type="application/feed+json" href="feed.json">'
    )
    assert feed_links(html, page_url="https://blog.example/posts/") == [
        "https://blog.example/atom.xml",
        "https://blog.example/posts/feed.json",
    ]
    with_base = '<base href="https://cdn.example/site/"><link rel="alternate" type="application/rss+xml" href="rss">'
    assert feed_links(with_base, page_url="https://blog.example/") == ["https://cdn.example/site/rss"]


def test_rss_and_atom_come_before_json_and_each_link_once():
    html = (
        '<link rel="alternate" type="application/feed+json" href="/feed.json">'
        '<link rel="alternate" type="application/rss+xml; charset=utf-8" href="/rss">'
        '<link rel="alternate" type="application/rss+xml" href="/rss">'
        '<link rel="alternate" type="application/atom+xml" href="/atom">'
    )
    assert feed_links(html, page_url="https://x.example/") == [
        "https://x.example/rss",
        "https://x.example/atom",
        "https://x.example/feed.json",
    ]


def test_what_is_not_a_web_feed_link_is_left_out():
    html = (
        '<link rel="alternate" type="application/rss+xml" href="javascript:alert(1)">'
        '<link rel="alternate" type="application/rss+xml" href="file:///etc/passwd">'
        '<link rel="alternate" type="text/html" hreflang="en" href="/en/">'
        '<link rel="stylesheet" type="application/rss+xml" href="/not-alternate">'
        '<link rel="alternate" type="application/rss+xml" href="">'
        f'<link rel="alternate" type="application/rss+xml" href="/{"x" * 3000}">'
    )
    assert feed_links(html, page_url="https://x.example/") == []


def test_a_page_with_thousands_of_links_gives_a_few():
    html = "".join(f'<link rel="alternate" type="application/rss+xml" href="/f{n}">' for n in range(5000))
    assert len(feed_links(html, page_url="https://x.example/")) == MAX_LINKS


def test_a_youtube_channel_page_links_its_feed():
    html = (
        '<html><head><link rel="alternate" type="application/rss+xml" title="RSS" '
        'href="https://www.youtube.com/feeds/videos.xml?channel_id=UCx1b2c3d4e5f6g7h8i9j0kL"></head></html>'
    )
    assert feed_links(html, page_url="https://www.youtube.com/@cuisinedesophie") == [
        "https://www.youtube.com/feeds/videos.xml?channel_id=UCx1b2c3d4e5f6g7h8i9j0kL"
    ]


def test_platforms_that_give_every_channel_a_feed_at_a_fixed_address():
    assert (
        platform_feed("https://www.youtube.com/channel/UCx1b2c3d4e5f6g7h8i9j0kL/videos")
        == "https://www.youtube.com/feeds/videos.xml?channel_id=UCx1b2c3d4e5f6g7h8i9j0kL"
    )
    assert platform_feed("https://m.youtube.com/@cuisinedesophie") == ""  # its page says
    assert platform_feed("https://lettre.substack.com/p/un-article") == "https://lettre.substack.com/feed"
    assert platform_feed("http://carnet.blogspot.com/") == "https://carnet.blogspot.com/feeds/posts/default"
    assert platform_feed("https://carnet.example/") == ""
    assert platform_feed("not a url at all") == ""


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=2000), st.sampled_from(["https://x.example/", "http://y.example/a/b?c=d"]))
def test_any_page_gives_a_list_of_web_addresses(html, page_url):
    links = feed_links(html, page_url=page_url)
    assert len(links) <= MAX_LINKS and len(set(links)) == len(links)
    assert all(link.startswith(("http://", "https://")) for link in links)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=300))
def test_any_channel_address_gives_a_feed_or_nothing(url):
    assert platform_feed(url) == "" or platform_feed(url).startswith("https://")
