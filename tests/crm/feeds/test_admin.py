"""A channel's feed given, changed and taken away on the channel's admin page (through crm.services.feeds), and
the posts read from feeds listed read only."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from crm.models import Feed, Post
from crm.services import channel_feed_set
from tests.crm.admin_factories import person

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, alice):
    client.force_login(alice)
    return client


@pytest.fixture
def channel():
    return person("Camille", channels=[("blog", "carnets-de-camille")]).channels.get()


def channel_page(client, channel, feed: dict[str, str], *, initial: int = 0):
    return client.post(
        reverse("admin:crm_channel_change", args=[channel.pk]),
        {
            "influencer": channel.influencer_id,
            "platform": channel.platform,
            "handle": channel.handle,
            "url": "",
            "feed-TOTAL_FORMS": "1",
            "feed-INITIAL_FORMS": str(initial),
            **{f"feed-0-{name}": value for name, value in feed.items()},
            "snapshots-TOTAL_FORMS": "0",
            "snapshots-INITIAL_FORMS": "0",
        },
    )


def test_a_feed_typed_on_the_channel_page_is_polled_at_the_next_scan(admin_client, channel):
    response = channel_page(admin_client, channel, {"url": "https://camille.example/feed/"})

    assert response.status_code == 302
    feed = Feed.objects.get(channel=channel)
    assert (feed.url, feed.next_poll_at, feed.claim) == ("https://camille.example/feed/", None, "")


def test_a_new_address_is_read_from_scratch_and_taking_the_feed_away_keeps_its_posts(admin_client, channel):
    feed = channel_feed_set(channel=channel, url="https://camille.example/feed/")
    Feed.objects.filter(pk=feed.pk).update(
        etag='"v9"', failures=3, last_error="HTTP 503", broken_at=timezone.now(), interval_minutes=480
    )
    Post.objects.create(channel=channel, key="p1", title="Au lac")
    moved = "https://camille.example/rss.xml"

    changed = {"id": feed.pk, "channel": channel.pk, "url": moved}
    assert channel_page(admin_client, channel, changed, initial=1).status_code == 302

    feed.refresh_from_db()
    assert (feed.url, feed.etag, feed.failures, feed.last_error, feed.broken_at) == (moved, "", 0, "", None)
    assert (feed.interval_minutes, feed.next_poll_at) == (0, None)

    gone = {"id": feed.pk, "channel": channel.pk, "url": moved, "DELETE": "on"}
    assert channel_page(admin_client, channel, gone, initial=1).status_code == 302
    assert not Feed.objects.exists()
    assert Post.objects.filter(channel=channel).count() == 1


def test_the_same_address_again_changes_nothing(channel):
    feed = channel_feed_set(channel=channel, url="https://camille.example/feed/")
    Feed.objects.filter(pk=feed.pk).update(etag='"v1"')

    again = channel_feed_set(channel=channel, url=" https://camille.example/feed/ ")

    assert (again.pk, again.etag) == (feed.pk, '"v1"')
    assert channel_feed_set(channel=channel, url="") is None and not Feed.objects.exists()
    assert channel_feed_set(channel=channel, url="") is None


def test_an_address_that_is_not_a_web_address_is_a_form_error(admin_client, channel):
    response = channel_page(admin_client, channel, {"url": "file:///etc/passwd"})

    assert response.status_code == 200
    assert not Feed.objects.exists()


def test_posts_are_listed_and_read_but_never_typed(admin_client, channel):
    post = Post.objects.create(
        channel=channel,
        key="p1",
        url="https://camille.example/2026/lac/",
        title="Trois jours au lac",
        published_at=timezone.now() - dt.timedelta(days=1),
        excerpt="Le lac, le vélo.",
    )

    listing = admin_client.get(reverse("admin:crm_post_changelist"))
    page = admin_client.get(reverse("admin:crm_post_change", args=[post.pk]))

    assert listing.status_code == 200 and "Trois jours au lac" in listing.content.decode()
    assert "Camille" in listing.content.decode()
    assert page.status_code == 200 and 'href="https://camille.example/2026/lac/"' in page.content.decode()
    assert admin_client.get(reverse("admin:crm_post_add")).status_code == 403
