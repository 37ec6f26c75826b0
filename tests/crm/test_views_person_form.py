"""Adding and editing a person: the form, its refusals, and a channel's feed address on it."""

import datetime

import pytest
from django.urls import reverse

from crm.models import Channel, Feed, Influencer
from crm.tasks import find_feed
from tests.crm.directory_people import NOW
from tests.factories import (
    ChannelFactory,
    InfluencerFactory,
)


@pytest.fixture(autouse=True)
def frozen(time_machine):
    time_machine.move_to(NOW, tick=False)


# --- Adding and editing ------------------------------------------------------------------------------------


def _person_form(**fields) -> dict:
    data = {
        "name": "Nina Faure",
        "email": "nina@example.org",
        "kind": "blogger",
        "language": "fr",
        "timezone": "Europe/Paris",
        "city": "Brest",
        "region": "Bretagne",
        "country": "FR",
        "owner": "",
        "cadence_days": "",
        "consent": "unknown",
        "consent_at": "",
        "consent_source": "",
        "notes": "",
        "channels-TOTAL_FORMS": "2",
        "channels-INITIAL_FORMS": "0",
        "channels-MIN_NUM_FORMS": "0",
        "channels-MAX_NUM_FORMS": "20",
        "channels-0-platform": "instagram",
        "channels-0-handle": "nina.cooks",
        "channels-0-url": "https://instagram.com/nina.cooks",
        "channels-1-platform": "",
        "channels-1-handle": "",
        "channels-1-url": "",
    }
    data.update(fields)
    return data


def test_a_marketer_adds_a_person_with_channels_and_topics(client, bob):
    food = InfluencerFactory(topics=["food"]).topics.get()
    client.force_login(bob)

    response = client.post(reverse("crm:influencer_add"), _person_form(topics=[food.pk], kind="ambassador"))

    nina = Influencer.objects.get(name="Nina Faure")
    assert response.status_code == 302 and response["Location"] == f"/influencers/{nina.pk}/"
    assert [(c.platform, c.handle) for c in nina.channels.all()] == [("instagram", "nina.cooks")]
    assert list(nina.topics.all()) == [food]
    assert nina.cadence_days == 30, "an ambassador stays in touch by default (the service's rule)"


def test_the_add_form_offers_me_as_owner(client, bob):
    client.force_login(bob)

    html = client.get(reverse("crm:influencer_add")).content.decode()

    assert f'<option value="{bob.pk}" selected>' in html
    assert 'for="id_channels-0-handle"' in html, "every channel field has its label"


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"name": ""}, "This field is required."),
        ({"name": "x" * 151}, "Ensure this value has at most 150 characters (it has 151)."),
        ({"email": "not-an-email"}, "Enter a valid email address."),
        ({"email": "TAKEN@example.org"}, "Someone in the directory already has the e-mail TAKEN@example.org."),
        ({"timezone": "Mars/Olympus"}, "“Mars/Olympus” is not a time zone."),
        ({"country": "France"}, "Ensure this value has at most 2 characters"),
        ({"cadence_days": "-3"}, "Ensure this value is greater than or equal to 0."),
        ({"consent_at": "2027-01-01T10:00", "consent": "opted_in"}, "The consent date cannot be in the future."),
        ({"channels-0-url": "not a url"}, "Enter a valid URL."),
        ({"channels-0-handle": "TAKEN.handle"}, "This handle is already in the directory for this platform."),
        ({"channels-1-platform": "instagram", "channels-1-handle": "NINA.cooks"}, "This channel is listed twice."),
        ({"channels-0-handle": ""}, "This field is required."),
    ],
)
def test_bad_input_on_a_person_is_a_field_error_never_a_500(client, bob, fields, message):
    InfluencerFactory(email="taken@example.org")
    ChannelFactory(platform="instagram", handle="taken.handle")
    client.force_login(bob)

    response = client.post(reverse("crm:influencer_add"), _person_form(**fields))

    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Influencer.objects.filter(name="Nina Faure").exists()


def test_editing_a_person_saves_fields_topics_and_channels(client, bob, directory):
    marc = directory["marc"]
    channel = marc.channels.get()
    sport = marc.topics.get()
    client.force_login(bob)
    data = _person_form(
        name="Marc Durand",
        email="marc@mail.example",
        kind="podcaster",
        topics=[sport.pk],
        **{
            "channels-TOTAL_FORMS": "2",
            "channels-INITIAL_FORMS": "1",
            "channels-0-id": channel.pk,
            "channels-0-platform": "youtube",
            "channels-0-handle": "MarcTrail",
            "channels-0-url": "",
            "channels-0-DELETE": "on",
            "channels-1-platform": "podcast",
            "channels-1-handle": "Les sentiers",
        },
    )

    response = client.post(reverse("crm:influencer_edit", args=[marc.pk]), data)

    assert response.status_code == 302
    marc.refresh_from_db()
    assert marc.name == "Marc Durand"
    assert [(c.platform, c.handle) for c in marc.channels.all()] == [("podcast", "Les sentiers")]


def test_changing_the_cadence_restarts_the_persons_clock_from_the_last_contact(client, bob, directory):
    lea = directory["lea"]
    client.force_login(bob)
    data = _person_form(
        name=lea.name,
        email=lea.email,
        cadence_days="10",
        **{"channels-0-handle": "", "channels-0-platform": "", "channels-0-url": ""},
    )

    client.post(reverse("crm:influencer_edit", args=[lea.pk]), data)

    lea.refresh_from_db()
    assert lea.next_contact_due == datetime.date(2026, 2, 11), "last contact on 1 February + 10 days"


def test_a_viewer_cannot_add_or_edit_a_person(client, carol, directory):
    client.force_login(carol)
    lea = directory["lea"]

    assert client.get(reverse("crm:influencer_add")).status_code == 403
    assert client.post(reverse("crm:influencer_add"), _person_form()).status_code == 403
    assert client.get(reverse("crm:influencer_edit", args=[lea.pk])).status_code == 403
    assert client.post(reverse("crm:influencer_edit", args=[lea.pk]), _person_form()).status_code == 403
    assert not Influencer.objects.filter(name="Nina Faure").exists()


# --- A channel's feed on the form ---------------------------------------------------------------------------


@pytest.fixture
def looked_up(monkeypatch) -> list[int]:
    """The channels handed to find_feed (the task itself is tests/crm/feeds/test_lookup.py's)."""
    handed: list[int] = []
    monkeypatch.setattr(find_feed, "delay", handed.append)
    return handed


def _edit_channel(channel, **fields) -> dict:
    return {
        "channels-TOTAL_FORMS": "1",
        "channels-INITIAL_FORMS": "1",
        "channels-0-id": channel.pk,
        "channels-0-platform": channel.platform,
        "channels-0-handle": channel.handle,
        "channels-0-url": channel.url,
        "channels-0-feed_url": "",
        **{f"channels-0-{name}": value for name, value in fields.items()},
    }


def test_the_edit_form_shows_each_channels_feed_address(client, bob, directory):
    channel = directory["marc"].channels.get()
    Feed.objects.create(channel=channel, url="https://www.youtube.com/feeds/videos.xml?channel_id=UCmarc")
    client.force_login(bob)

    html = client.get(reverse("crm:influencer_edit", args=[directory["marc"].pk])).content.decode()

    assert 'for="id_channels-0-feed_url"' in html
    assert 'value="https://www.youtube.com/feeds/videos.xml?channel_id=UCmarc"' in html


def test_a_feed_address_typed_on_the_form_is_the_channels_feed_and_a_new_one_is_read_afresh(
    client, bob, directory, looked_up, django_capture_on_commit_callbacks
):
    marc = directory["marc"]
    channel = marc.channels.get()
    Feed.objects.create(channel=channel, url="https://old.example/feed", etag='"v1"', last_error="Gone.")
    client.force_login(bob)
    data = _person_form(name=marc.name, email=marc.email, **_edit_channel(channel, feed_url="trail.example/feed.xml"))

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("crm:influencer_edit", args=[marc.pk]), data)

    assert response.status_code == 302
    feed = Feed.objects.get(channel=channel)
    assert (feed.url, feed.etag, feed.last_error) == ("https://trail.example/feed.xml", "", "")
    assert looked_up == [], "a channel with a feed is not searched for one"


def test_a_blog_saved_without_a_feed_address_has_its_page_searched_once_committed(
    client, bob, looked_up, django_capture_on_commit_callbacks
):
    client.force_login(bob)
    data = _person_form(
        **{
            "channels-0-platform": "blog",
            "channels-0-handle": "nina-cuisine",
            "channels-0-url": "nina-cuisine.example",
            "channels-1-platform": "instagram",
            "channels-1-handle": "nina.cooks",
            "channels-1-url": "https://instagram.com/nina.cooks",
        }
    )

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        client.post(reverse("crm:influencer_add"), data)
    assert looked_up == [], "not before the commit"
    for callback in callbacks:
        callback()

    blog = Channel.objects.get(handle="nina-cuisine")
    assert looked_up == [blog.pk], "an Instagram page has no feed to find"
    assert not Feed.objects.filter(channel=blog).exists()


def test_emptying_the_feed_address_takes_the_feed_away_and_a_new_address_is_searched_at_once(
    client, bob, directory, looked_up, django_capture_on_commit_callbacks
):
    marc = directory["marc"]
    channel = marc.channels.get()
    Channel.objects.filter(pk=channel.pk).update(url="https://marc.example/", feed_looked_up_at=NOW)
    channel.refresh_from_db()
    Feed.objects.create(channel=channel, url="https://marc.example/feed")
    client.force_login(bob)
    data = _person_form(
        name=marc.name, email=marc.email, **_edit_channel(channel, platform="blog", url="https://marc.blog.example/")
    )

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("crm:influencer_edit", args=[marc.pk]), data)

    channel.refresh_from_db()
    assert not Feed.objects.filter(channel=channel).exists()
    assert channel.feed_looked_up_at is None, "a new address is worth a search, however lately the old one had one"
    assert looked_up == [channel.pk]


def test_a_channel_left_as_it_was_is_not_searched_again(
    client, bob, directory, looked_up, django_capture_on_commit_callbacks
):
    marc = directory["marc"]
    channel = marc.channels.get()
    Channel.objects.filter(pk=channel.pk).update(url="https://marc.example/", platform="blog")
    channel.refresh_from_db()
    client.force_login(bob)
    data = _person_form(name=marc.name, email=marc.email, city="Albi", **_edit_channel(channel))

    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(reverse("crm:influencer_edit", args=[marc.pk]), data).status_code == 302

    assert looked_up == []
