"""Recording what was given and got, and a channel's audience, through the people services."""

import datetime

import pytest
from django.urls import reverse

from campaigns.models import Stage
from crm.models import AudienceSnapshot, Exchange
from tests.factories import ChannelFactory, InfluencerFactory, RelationshipFactory, paris

NOW = paris(2026, 3, 2, 10)


@pytest.fixture(autouse=True)
def frozen(time_machine):
    time_machine.move_to(NOW, tick=False)


@pytest.fixture
def lea(db):
    return InfluencerFactory(name="Léa")


def _exchange(**fields) -> dict:
    data = {
        "direction": "get",
        "kind": "post",
        "occurred_on": "2026-03-01",
        "relationship": "",
        "value": "",
        "reach": "12000",
        "url": "https://blog.example/spring",
        "note": "A lovely post",
    }
    data.update(fields)
    return data


def test_the_url_names(lea):
    channel = ChannelFactory(influencer=lea)
    assert reverse("crm:exchange_record", args=[lea.pk]) == f"/influencers/{lea.pk}/exchanges/new/"
    assert reverse("crm:snapshot_record", args=[channel.pk]) == f"/channels/{channel.pk}/snapshots/new/"


def test_a_marketer_records_what_was_got_on_a_campaign(client, bob, lea):
    spring = RelationshipFactory(influencer=lea, stage=Stage.ACTIVE)
    client.force_login(bob)

    response = client.post(reverse("crm:exchange_record", args=[lea.pk]), _exchange(relationship=spring.pk))

    assert response.status_code == 302 and response["Location"] == f"/influencers/{lea.pk}/"
    exchange = Exchange.objects.get()
    assert (exchange.influencer, exchange.relationship, exchange.recorded_by) == (lea, spring, bob)
    assert (exchange.direction, exchange.kind, exchange.reach) == ("get", "post", 12000)
    assert exchange.occurred_on == datetime.date(2026, 3, 1)


def test_coming_from_a_campaign_preselects_it_and_goes_back_there(client, bob, lea):
    spring = RelationshipFactory(influencer=lea, stage=Stage.ACTIVE)
    other = RelationshipFactory(stage=Stage.ACTIVE)  # someone else's: never preselected
    client.force_login(bob)
    url = reverse("crm:exchange_record", args=[lea.pk])
    board = f"/campaigns/{spring.campaign_id}/"

    form = client.get(url, {"relationship": spring.pk, "next": board}).context["form"]
    foreign = client.get(url, {"relationship": other.pk}).context["form"]
    response = client.post(f"{url}?relationship={spring.pk}&next={board}", _exchange(relationship=spring.pk))

    assert (form["relationship"].value(), form["direction"].value()) == (spring.pk, "get")
    assert foreign["relationship"].value() is None
    assert response["Location"] == board


def test_cancel_goes_back_where_the_form_was_opened(client, bob, lea):
    client.force_login(bob)
    person = f"/influencers/{lea.pk}/"
    url = reverse("crm:exchange_record", args=[lea.pk])

    page = client.get(person).content.decode()
    from_board = client.get(url, {"next": "/campaigns/7/"}).content.decode()
    bare = client.get(url).content.decode()

    assert f'href="{url}?next=%2Finfluencers%2F{lea.pk}%2F"' in page
    assert '<a class="btn btn-outline-secondary" href="/campaigns/7/">Cancel</a>' in from_board
    assert f'<a class="btn btn-outline-secondary" href="{person}">Cancel</a>' in bare


def test_an_outside_next_is_ignored(client, bob, lea):
    client.force_login(bob)

    response = client.post(reverse("crm:exchange_record", args=[lea.pk]) + "?next=https://evil.example/", _exchange())

    assert response["Location"] == f"/influencers/{lea.pk}/"


def test_the_exchange_form_labels_every_field(client, bob, lea):
    client.force_login(bob)

    html = client.get(reverse("crm:exchange_record", args=[lea.pk])).content.decode()

    for field in ("kind", "occurred_on", "relationship", "value", "reach", "url", "note"):
        assert f'for="id_{field}"' in html
    assert 'value="2026-03-02"' in html, "today by default"


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"occurred_on": "2026-03-05"}, "Record an exchange once it has happened: the date is in the future."),
        ({"occurred_on": "02/31/2026"}, "Enter a valid date."),
        ({"occurred_on": ""}, "This field is required."),
        ({"value": "-5"}, "Ensure this value is greater than or equal to 0."),  # the model's bound, on the field
        ({"value": "lots"}, "Enter a number."),
        ({"url": "not a url"}, "Enter a valid URL."),
        ({"url": "https://example.org/" + "x" * 500}, "Ensure this value has at most 500 characters"),
        ({"direction": "steal"}, "Select a valid choice."),
        ({"kind": ""}, "This field is required."),
        ({"note": "x" * 2001}, "Ensure this value has at most 2000 characters (it has 2001)."),
    ],
)
def test_bad_input_on_an_exchange_is_a_field_error_never_a_500(client, bob, lea, fields, message):
    client.force_login(bob)

    response = client.post(reverse("crm:exchange_record", args=[lea.pk]), _exchange(**fields))

    assert response.status_code == 200
    assert message in response.content.decode()
    assert Exchange.objects.count() == 0


def test_another_persons_campaign_is_not_a_valid_choice(client, bob, lea):
    client.force_login(bob)
    other = RelationshipFactory(stage=Stage.ACTIVE)

    response = client.post(reverse("crm:exchange_record", args=[lea.pk]), _exchange(relationship=other.pk))

    assert response.status_code == 200
    assert "Select a valid choice." in response.content.decode()


def test_a_channels_audience_is_recorded_and_becomes_the_persons_audience(client, bob, lea):
    channel = ChannelFactory(influencer=lea)
    client.force_login(bob)

    response = client.post(
        reverse("crm:snapshot_record", args=[channel.pk]),
        {"taken_on": "2026-03-01", "followers": "25000", "engagement_rate": "3.5"},
    )

    assert response.status_code == 302 and response["Location"] == f"/influencers/{lea.pk}/"
    snapshot = AudienceSnapshot.objects.get()
    assert (snapshot.followers, str(snapshot.engagement_rate)) == (25000, "3.50")
    lea.refresh_from_db()
    assert (lea.audience, lea.tier) == (25000, "micro")


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"taken_on": "2026-03-03"}, "An audience figure cannot be dated in the future."),
        ({"followers": "-1"}, "Ensure this value is greater than or equal to 0."),
        ({"followers": ""}, "This field is required."),
        ({"engagement_rate": "101"}, "Ensure this value is less than or equal to 100."),
        ({"engagement_rate": "-1"}, "Ensure this value is greater than or equal to 0."),
    ],
)
def test_bad_input_on_an_audience_figure_is_a_field_error_never_a_500(client, bob, lea, fields, message):
    channel = ChannelFactory(influencer=lea)
    client.force_login(bob)
    data = {"taken_on": "2026-03-01", "followers": "25000", "engagement_rate": ""} | fields

    response = client.post(reverse("crm:snapshot_record", args=[channel.pk]), data)

    assert response.status_code == 200
    assert message in response.content.decode()
    assert AudienceSnapshot.objects.count() == 0


def test_missing_people_and_channels_are_404(client, bob):
    client.force_login(bob)

    assert client.get("/influencers/999999/exchanges/new/").status_code == 404
    assert client.post("/influencers/999999/exchanges/new/", _exchange()).status_code == 404
    assert client.get("/channels/999999/snapshots/new/").status_code == 404
    assert client.post("/channels/999999/snapshots/new/", {}).status_code == 404


def test_a_viewer_cannot_record_anything(client, carol, lea):
    channel = ChannelFactory(influencer=lea)
    client.force_login(carol)

    assert client.get(reverse("crm:exchange_record", args=[lea.pk])).status_code == 403
    assert client.post(reverse("crm:exchange_record", args=[lea.pk]), _exchange()).status_code == 403
    assert client.get(reverse("crm:snapshot_record", args=[channel.pk])).status_code == 403
    post = {"taken_on": "2026-03-01", "followers": "1"}
    assert client.post(reverse("crm:snapshot_record", args=[channel.pk]), post).status_code == 403
    assert Exchange.objects.count() == AudienceSnapshot.objects.count() == 0
