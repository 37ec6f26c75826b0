"""feed_read: real feeds of each platform give their posts, and every bound and refusal on what a feed holds.

The fixtures (feeds/) are written from the real structure of each platform's feed. Hostile XML and the
property-based tests are in test_parsing_hostile.py.
"""

import json
from datetime import UTC, datetime

import feedparser
import pytest
from django.utils import translation

from crm.feeds.parsing import EXCERPT_CHARS, MAX_ITEMS, MAX_KEY, MAX_TITLE, MAX_URL, ParsedFeed, feed_read
from tests.crm.feeds.samples import FIXTURES, NOW, assert_bounded, json_feed, refusal, rss, rss_item

# Each platform's feed: its type as served, then what its first item gives.
PLATFORMS = [
    pytest.param(
        "wordpress.rss",
        "application/rss+xml; charset=UTF-8",
        ("Les Carnets de Camille", "https://lescarnetsdecamille.fr", 6),
        (
            "https://lescarnetsdecamille.fr/?p=123",
            "https://lescarnetsdecamille.fr/2024/10/14/trois-jours-a-annecy-sans-voiture/",
            "Trois jours à Annecy sans voiture",
            datetime(2024, 10, 14, 8, 12, 45, tzinfo=UTC),
            "Le lac, le vélo et les fromages… On vous raconte nos trois jours à Annecy",
        ),
        id="wordpress",
    ),
    pytest.param(
        "blogger.atom",
        "application/atom+xml; charset=UTF-8",
        ("La Cuisine de Margaux", "https://lacuisinedemargaux.blogspot.com/", 5),
        (
            "tag:blogger.com,1999:blog-4815162342108.post-7301928374650192837",
            "https://lacuisinedemargaux.blogspot.com/2024/09/tarte-fine-figues-chevre.html",
            "Tarte fine aux figues et au chèvre",
            datetime(2024, 9, 30, 17, 3, tzinfo=UTC),
            "Les dernières figues du jardin de ma voisine, un rouleau de pâte feuilletée et un crottin de Chavignol : "
            "c'est prêt en vingt-cinq minutes. Préchauffez",
        ),
        id="blogger",
    ),
    pytest.param(
        "youtube.atom",
        "text/xml; charset=UTF-8",
        ("Léa en Rando", "https://www.youtube.com/channel/UCq3Ve9pZxL2hNkTmdRa5f8w", 5),
        (
            "yt:video:Xk3f9LpQ2aM",
            "https://www.youtube.com/watch?v=Xk3f9LpQ2aM",
            "GR20 en 12 jours : le matériel que je garde (et ce que je laisse)",
            datetime(2024, 10, 10, 16, 0, 6, tzinfo=UTC),
            "Mon sac fait 9,2 kg sans l'eau. Dans cette vidéo",
        ),
        id="youtube",
    ),
    pytest.param(
        "substack.rss",
        "application/xml; charset=utf-8",
        ("La Lettre du Dimanche", "https://lalettredudimanche.substack.com", 5),
        (
            "https://lalettredudimanche.substack.com/p/ce-que-jai-appris-en-quittant-paris",
            "https://lalettredudimanche.substack.com/p/ce-que-jai-appris-en-quittant-paris",
            "Ce que j'ai appris en quittant Paris",
            datetime(2024, 10, 13, 7, 0, 48, tzinfo=UTC),
            "Six mois plus tard, le bilan honnête : le loyer",
        ),
        id="substack",
    ),
    pytest.param(
        "podcast.rss",
        "application/rss+xml",
        ("Le Goût des Autres", "https://legoutdesautres.fr", 5),
        (
            "a3f1c2e4-7b9d-4e21-8c5a-6f0d2b1e9a47",
            "https://legoutdesautres.fr/episodes/42-mory-sacko-le-mafe-de-sa-mere",
            "#42 — Mory Sacko : le mafé de sa mère",
            datetime(2024, 10, 10, 2, 0, tzinfo=UTC),
            "Avant les étoiles, il y avait la cuisine de Massy",
        ),
        id="podcast",
    ),
    pytest.param(
        "jsonfeed.json",
        "application/feed+json",
        ("Nina Runs Paris", "https://ninarunsparis.com/", 6),
        (
            "https://ninarunsparis.com/2024/10/13/berlin-marathon-recap/",
            "https://ninarunsparis.com/2024/10/13/berlin-marathon-recap/",
            "Berlin Marathon recap: 3:04 and a lot of pretzels",
            datetime(2024, 10, 13, 16, 30, tzinfo=UTC),
            "Twelve weeks of training, one flat course and a very windy Tiergarten.",
        ),
        id="jsonfeed",
    ),
]


@pytest.mark.parametrize(("name", "content_type", "feed", "first"), PLATFORMS)
def test_each_platforms_feed_gives_its_posts(name, content_type, feed, first):
    parsed = feed_read(FIXTURES[name], content_type=content_type, url="https://feeds.example/feed", now=NOW)

    assert (parsed.title, parsed.site_url, len(parsed.items)) == feed
    item = parsed.items[0]
    key, url, title, published, excerpt_start = first
    assert (item.key, item.url, item.title, item.published) == (key, url, title, published)
    assert item.excerpt.startswith(excerpt_start)
    assert_bounded(parsed)


@pytest.mark.parametrize("name", sorted(FIXTURES))
def test_a_sponsored_post_keeps_its_disclosure(name):
    """Later work looks for "Publicité" or "#ad" in what is kept of a post: the fixtures each have one."""
    parsed = feed_read(FIXTURES[name], now=NOW)

    disclosed = [item for item in parsed.items if "Publicité" in item.title + item.excerpt or "#ad" in item.title]
    assert disclosed
    assert all(item.published is not None for item in parsed.items)


def test_a_post_without_a_title_is_kept_with_its_url():
    parsed = feed_read(FIXTURES["jsonfeed.json"], now=NOW)

    note = parsed.items[2]
    assert (note.url, note.title) == ("https://ninarunsparis.com/notes/2024/10/02/1", "")
    assert note.excerpt == "Easy 10 km along the canal Saint-Martin this morning. Legs finally feel normal again."


def test_a_podcast_episode_without_a_link_is_kept_under_its_guid():
    trailer = feed_read(FIXTURES["podcast.rss"], now=NOW).items[-1]

    assert (trailer.key, trailer.url, trailer.title) == (
        "1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d",
        "",
        "Bande-annonce saison 3",
    )


def test_a_feed_without_items_is_a_feed():
    parsed = feed_read(rss(""), now=NOW)

    assert parsed == ParsedFeed(title="Le blog", site_url="https://blog.example/", items=[])


# Refused bodies


WEB_PAGE = b"""<!DOCTYPE html>
<html lang="fr-FR">
<head>
<meta charset="UTF-8">
<title>Les Carnets de Camille &#8211; Voyages lents</title>
<link rel="alternate" type="application/rss+xml" title="Les Carnets de Camille &raquo; Flux" href="/feed/" />
</head>
<body class="home blog"><h1>Les Carnets de Camille</h1><article><h2><a href="/2024/10/14/annecy/">Annecy</a></h2>
</article></body></html>"""


@pytest.mark.parametrize("content_type", ["text/html; charset=UTF-8", ""])
def test_a_web_page_is_refused_with_a_reason_a_marketer_reads(content_type):
    assert refusal(WEB_PAGE, content_type=content_type) == "This address gives a web page, not a feed."


@pytest.mark.parametrize("body", [b"", b" \r\n\t "])
def test_an_empty_body_is_refused(body):
    assert refusal(body) == "This address gives an empty page, not a feed."


@pytest.mark.parametrize(
    "body",
    [
        b"Bonjour, ceci est un fichier texte.",
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10",
        b'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>'
        b"https://blog.example/</loc></url></urlset>",
    ],
    ids=["text", "png", "sitemap"],
)
def test_a_body_that_is_no_feed_at_all_is_refused(body):
    assert refusal(body) == "This address gives something other than a feed (RSS, Atom or JSON Feed)."


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (
            b'{"version": "https://jsonfeed.org/version/1.1", "items": [',
            "This address gives a JSON Feed that is not valid JSON.",
        ),
        (b"{\xff}", "This address gives a JSON Feed that is not valid JSON."),
        (b"[" * 100_000, "This address gives a JSON Feed that is not valid JSON."),
        (b'{"version": "https://jsonfeed.org/version/1.1", "items": {}}', "This JSON Feed has no list of items."),
        (b'{"version": "https://jsonfeed.org/version/1.1"}', "This JSON Feed has no list of items."),
        (b'{"data": [{"id": 1}]}', "This address gives JSON data, not a JSON Feed."),
        (b'{"version": 1.1, "items": []}', "This address gives JSON data, not a JSON Feed."),
        (b'["https://jsonfeed.org/version/1.1"]', "This address gives JSON data, not a JSON Feed."),
        (b"null", "This address gives JSON data, not a JSON Feed."),
    ],
    ids=["cut", "bad-utf8", "deep", "items-object", "no-items", "api", "version-number", "list", "null"],
)
def test_a_broken_json_feed_is_refused(body, reason):
    assert refusal(body, content_type="application/json") == reason


def test_an_error_inside_the_parser_is_refused_with_its_name(monkeypatch):
    def broken(*args, **kwargs):
        raise ValueError("a bug in the parser")

    monkeypatch.setattr(feedparser, "parse", broken)

    assert refusal(FIXTURES["wordpress.rss"]) == "The feed could not be read (ValueError)."


def test_the_reason_is_translated_when_it_is_raised():
    with translation.override("fr"):
        assert refusal(WEB_PAGE) == "Cette adresse renvoie une page web, pas un flux."
        assert refusal(b"") == "Cette adresse renvoie une page vide, pas un flux."


# Bounds


def test_only_the_first_items_are_kept():
    items = "".join(rss_item(f"Billet {n}", f"https://blog.example/{n}") for n in range(1_000))

    parsed = feed_read(rss(items), now=NOW)

    assert len(parsed.items) == MAX_ITEMS == 200
    assert (parsed.items[0].title, parsed.items[-1].title) == ("Billet 0", "Billet 199")


def test_an_item_repeated_under_the_same_guid_is_kept_once_as_first_seen():
    items = (
        rss_item("Premier", "https://blog.example/a", '<guid isPermaLink="false">post-1</guid>')
        + rss_item("Second", "https://blog.example/b", '<guid isPermaLink="false">post-2</guid>')
        + rss_item("Premier, corrigé", "https://blog.example/a2", '<guid isPermaLink="false">post-1</guid>')
    )

    parsed = feed_read(rss(items), now=NOW)

    assert [(item.key, item.title) for item in parsed.items] == [("post-1", "Premier"), ("post-2", "Second")]


def test_a_guid_that_is_not_a_url_is_kept_as_it_is_whatever_the_feeds_address():
    body = rss(rss_item(extra="<guid>42</guid>"))

    keys = {
        feed_read(body, url=url, now=NOW).items[0].key for url in ("", "https://a.example/feed", "http://b.example/")
    }

    assert keys == {"42"}


def test_an_item_without_guid_is_keyed_by_its_url_else_by_a_hash_of_its_title_and_date():
    items = rss_item("Avec lien", "https://blog.example/avec-lien") + rss_item(
        "Sans lien", "", "<pubDate>Mon, 14 Oct 2024 08:00:00 +0000</pubDate>"
    )

    first, second = feed_read(rss(items), now=NOW).items
    again = feed_read(rss(items), now=NOW).items[1]

    assert first.key == "https://blog.example/avec-lien"
    assert second.key.startswith("sha256:") and len(second.key) == 71
    assert again.key == second.key


def test_a_guid_longer_than_the_bound_is_hashed():
    guid = "urn:x:" + "a" * 600

    key = feed_read(rss(rss_item(extra=f'<guid isPermaLink="false">{guid}</guid>')), now=NOW).items[0].key

    assert key.startswith("sha256:") and len(key) <= MAX_KEY


def test_an_item_with_neither_url_nor_title_is_skipped():
    items = rss_item("", "", "<description>Rien</description>") + rss_item("Un billet", "")

    parsed = feed_read(rss(items), now=NOW)

    assert [item.title for item in parsed.items] == ["Un billet"]


def test_an_enormous_title_and_description_are_cut():
    title = "Très long titre " * 60_000
    description = "<p>" + "Un paragraphe interminable. " * 40_000 + "</p>"

    item = feed_read(
        rss(rss_item(title, extra=f"<description><![CDATA[{description}]]></description>")), now=NOW
    ).items[0]

    assert len(item.title) == MAX_TITLE and item.title.startswith("Très long titre")
    assert len(item.excerpt) == EXCERPT_CHARS and item.excerpt.endswith("…")
    assert item.excerpt.startswith("Un paragraphe interminable. Un paragraphe")


def test_the_excerpt_is_plain_text_without_scripts():
    description = "<![CDATA[<p>Bonjour&nbsp;!</p><script>alert('x')</script><p>Tom &amp; Jerry<br/>suite</p>]]>"

    item = feed_read(rss(rss_item(extra=f"<description>{description}</description>")), now=NOW).items[0]

    assert item.excerpt == "Bonjour ! Tom & Jerry suite"


def test_a_json_feeds_html_gives_no_script_or_style_text_either():
    html = "<style>p { color: red }</style><p>Bonjour</p><SCRIPT type='module'>alert('x')</SCRIPT><p>fin</p><script>x"
    body = json.dumps(
        {"version": "https://jsonfeed.org/version/1.1", "items": [{"id": "1", "title": "T", "content_html": html}]}
    )

    assert feed_read(body.encode(), now=NOW).items[0].excerpt == "Bonjour fin"


@pytest.mark.parametrize(
    ("published", "expected"),
    [
        ("Mon, 14 Oct 2024 08:00:00 +0200", datetime(2024, 10, 14, 6, 0, tzinfo=UTC)),
        ("Wed, 16 Oct 2024 06:00:00 +0000", datetime(2024, 10, 16, 6, 0, tzinfo=UTC)),  # hours ahead: a time zone
        ("Thu, 17 Oct 2024 13:00:00 +0000", None),  # more than a day ahead
        ("Sat, 01 Jan 2039 00:00:00 +0000", None),
        ("Thu, 01 Jan 1970 00:00:00 +0000", None),
        ("Sun, 31 Dec 1989 23:59:59 +0000", None),
        ("le 14 octobre", None),
    ],
)
def test_a_date_in_the_future_or_before_1990_is_no_date(published, expected):
    item = feed_read(rss(rss_item(extra=f"<pubDate>{published}</pubDate>")), now=NOW).items[0]

    assert item.published == expected


def test_without_a_plausible_published_date_the_updated_one_is_taken():
    body = b"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Journal</title><id>urn:uuid:feed</id>
<entry><id>urn:uuid:1</id><title>Un</title><link href="https://journal.example/1"/>
<published>1970-01-01T00:00:00Z</published><updated>2024-10-01T09:30:00+02:00</updated></entry>
<entry><id>urn:uuid:2</id><title>Deux</title><link href="https://journal.example/2"/>
<updated>2024-10-02T09:30:00Z</updated></entry></feed>"""

    items = feed_read(body, now=NOW).items

    assert [item.published for item in items] == [
        datetime(2024, 10, 1, 7, 30, tzinfo=UTC),
        datetime(2024, 10, 2, 9, 30, tzinfo=UTC),
    ]


def test_json_feed_dates_are_read_in_utc_and_bounded():
    items = [
        {"id": "1", "url": "https://n.example/1", "date_published": "2024-10-13T18:30:00+02:00"},
        {"id": "2", "url": "https://n.example/2", "date_published": "2024-10-13T18:30:00"},
        {"id": "3", "url": "https://n.example/3", "date_published": "2031-01-01T00:00:00Z"},
        {"id": "4", "url": "https://n.example/4", "date_published": "0001-01-01T00:00:00+01:00"},
        {"id": "5", "url": "https://n.example/5", "date_published": 1728837000},
    ]

    parsed = feed_read(json_feed(items), now=NOW)

    assert [item.published for item in parsed.items] == [
        datetime(2024, 10, 13, 16, 30, tzinfo=UTC),
        datetime(2024, 10, 13, 18, 30, tzinfo=UTC),
        None,
        None,
        None,
    ]


def test_relative_links_are_resolved_against_the_feeds_address():
    url = "https://blog.example/fr/feed/"
    xml = rss(rss_item("Un", "/2024/10/un/") + rss_item("Deux", "deux.html"), channel="<link>/</link>")
    atom = b"""<feed xmlns="http://www.w3.org/2005/Atom"><title>A</title><link href="../"/>
<entry><id>urn:1</id><title>Un</title><link rel="alternate" href="../2024/un"/></entry></feed>"""
    jsonfeed = json_feed([{"id": "1", "url": "/notes/1", "title": "Un"}], home_page_url="/")

    assert [item.url for item in feed_read(xml, url=url, now=NOW).items] == [
        "https://blog.example/2024/10/un/",
        "https://blog.example/fr/feed/deux.html",
    ]
    assert feed_read(xml, url=url, now=NOW).site_url == "https://blog.example/"
    assert feed_read(atom, url=url, now=NOW).items[0].url == "https://blog.example/fr/2024/un"
    assert feed_read(jsonfeed, url=url, now=NOW).items[0].url == "https://blog.example/notes/1"
    assert feed_read(jsonfeed, url=url, now=NOW).site_url == "https://blog.example/"
    assert feed_read(xml, now=NOW).items[0].url == ""  # nothing to resolve it against


@pytest.mark.parametrize(
    "link",
    [
        "javascript:alert(document.cookie)",
        "JavaScript:alert(1)",
        "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
        "file:///etc/passwd",
        "ftp://files.example/a",
        "http://",
        "https://[::1/broken",
        "https://blog.example/a\nb",
        "https://blog.example/" + "a" * MAX_URL,
    ],
)
def test_a_link_that_is_not_a_web_address_is_dropped(link):
    for body in (rss(rss_item("Piège", link.replace("&", "&amp;"))), json_feed([{"title": "Piège", "url": link}])):
        item = feed_read(body, url="https://blog.example/feed", now=NOW).items[0]
        assert (item.url, item.title) == ("", "Piège")
        assert item.key.startswith("sha256:")


def test_a_feed_with_a_stray_ampersand_still_gives_its_items():
    body = rss(
        rss_item("Fish & Chips à Londres", "https://blog.example/fish?a=1&b=2")
        + rss_item("AT&T et moi", "https://blog.example/att")
        + rss_item("Sans souci", "https://blog.example/ok"),
        channel="<title>Voyages & Cuisine</title><link>https://blog.example/</link>",
    )

    parsed = feed_read(body, content_type="application/rss+xml", now=NOW)

    assert parsed.title == "Voyages & Cuisine"
    assert [(item.title, item.url) for item in parsed.items] == [
        ("Fish & Chips à Londres", "https://blog.example/fish?a=1&b=2"),
        ("AT&T; et moi", "https://blog.example/att"),  # the loose parser writes back "&T" as an entity it does not know
        ("Sans souci", "https://blog.example/ok"),
    ]


@pytest.mark.parametrize("content_type", ["", "application/rss+xml", "text/xml", "text/html; charset=utf-8"])
def test_accents_survive_whatever_the_declared_type(content_type):
    without_declaration = (
        b'<rss version="2.0"><channel>' + rss_item("Crème brûlée à l’érable").encode() + b"</channel></rss>"
    )
    latin1 = '<?xml version="1.0" encoding="ISO-8859-1"?><rss version="2.0"><channel>{}</channel></rss>'.format(
        rss_item("Crème brûlée")
    ).encode("latin-1")

    assert (
        feed_read(without_declaration, content_type=content_type, now=NOW).items[0].title == "Crème brûlée à l’érable"
    )
    assert feed_read(latin1, content_type=content_type, now=NOW).items[0].title == "Crème brûlée"


def test_a_json_feed_is_recognised_by_its_type_or_its_first_character():
    body = json_feed([{"id": 7, "url": "https://n.example/7", "title": "Sept"}])

    for content_type, payload in [("", body), ("text/plain", b"\xef\xbb\xbf \n" + body), ("application/json", body)]:
        item = feed_read(payload, content_type=content_type, now=NOW).items[0]
        assert (item.key, item.title) == ("7", "Sept")


def test_json_feed_fields_of_the_wrong_type_are_left_out():
    items = [
        {"id": True, "url": ["https://n.example/1"], "title": {"fr": "Un"}, "summary": 3},
        "not an item",
        None,
        {"id": None, "url": "https://n.example/2", "title": 2, "content_html": "<p>Deux</p>"},
    ]

    parsed = feed_read(json_feed(items, title=["Notes"], home_page_url=7), now=NOW)

    assert (parsed.title, parsed.site_url) == ("", "")
    assert [(item.key, item.url, item.title, item.excerpt) for item in parsed.items] == [
        ("https://n.example/2", "https://n.example/2", "", "Deux")
    ]


def test_control_characters_and_lone_surrogates_are_not_kept():
    body = json_feed(
        [{"id": "a\u0000b", "url": "https://n.example/1", "title": "Un\u0000\ud800 titre", "summary": "x\u001by"}]
    )

    item = feed_read(body, now=NOW).items[0]

    assert (item.key, item.title, item.excerpt) == ("a b", "Un titre", "x y")
