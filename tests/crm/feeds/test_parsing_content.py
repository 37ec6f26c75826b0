"""feed_read: what a campaign's content is looked for in, an item's whole text and its links, and their bounds."""

from crm.feeds.parsing import MAX_LINKS, TEXT_CHARS, feed_read
from tests.crm.feeds.samples import FIXTURES, NOW, json_feed, rss, rss_item


def test_the_text_is_the_whole_content_with_its_categories_where_the_excerpt_is_the_summary():
    item = feed_read(FIXTURES["wordpress.rss"], now=NOW).items[0]

    assert "beaucoup de reblochon" in item.text
    assert item.text.endswith("Voyages Annecy Train")
    assert "<p>" not in item.text
    assert len(item.excerpt) < len(item.text)


def test_the_links_of_the_content_are_kept_absolute_and_once():
    content = (
        "<![CDATA[<p>Mon code <b>CAMILLE10</b> sur <a href='https://brand.example/shop?utm=x'>la boutique</a>, "
        '<a href="/a-propos">moi</a>, <a href="https://brand.example/shop?utm=x">encore</a>, '
        '<a href="javascript:alert(1)">non</a> <a href=https://autre.example/>autre</a></p>]]>'
    )
    body = rss(rss_item(link="https://blog.example/billet", extra=f"<description>{content}</description>"))

    item = feed_read(body, now=NOW).items[0]

    assert item.links == (
        "https://brand.example/shop?utm=x",
        "https://blog.example/a-propos",
        "https://autre.example/",
    )
    assert "CAMILLE10" in item.text


def test_a_json_feed_gives_its_html_content_its_links_and_its_tags():
    body = json_feed(
        [
            {
                "id": "1",
                "url": "https://notes.example/1",
                "summary": "Court.",
                "content_html": '<p>Long texte avec <a href="https://brand.example/">la marque</a>.</p>',
                "tags": ["#ad", 7, "voyage"],
            },
            {"id": "2", "url": "https://notes.example/2", "content_text": "Juste du texte <a href='x'> brut."},
        ]
    )

    first, second = feed_read(body, now=NOW).items

    assert first.text == "Long texte avec la marque. #ad voyage"
    assert first.links == ("https://brand.example/",)
    assert first.excerpt == "Court."
    assert second.text == "Juste du texte <a href='x'> brut."
    assert second.links == ()


def test_the_text_and_the_links_are_bounded():
    many = "".join(f'<a href="https://l.example/{n}">{n}</a> ' for n in range(MAX_LINKS + 50))
    content = f"<![CDATA[<p>{'mot ' * TEXT_CHARS}</p>{many}]]>"
    body = rss(rss_item(extra=f"<description>{content}</description>"))

    item = feed_read(body, now=NOW).items[0]

    assert len(item.text) <= TEXT_CHARS
    assert len(item.links) <= MAX_LINKS
