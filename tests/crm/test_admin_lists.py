"""The admin's big lists are sorted in an order an index gives, so a page reads its rows, not the whole table."""

import datetime as dt

import pytest
from django.urls import reverse

from tests.factories import AudienceSnapshotFactory, ChannelFactory, InfluencerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, alice):
    client.force_login(alice)
    return client


def test_the_channels_list_is_sorted_by_platform_then_handle_whatever_its_case(admin_client):
    person = InfluencerFactory()
    for platform, handle in [("x", "zoe"), ("blog", "Mia"), ("blog", "lou"), ("x", "Ana")]:
        ChannelFactory(influencer=person, platform=platform, handle=handle)

    response = admin_client.get(reverse("admin:crm_channel_changelist"))

    assert [(c.platform, c.handle) for c in response.context["cl"].result_list] == [
        ("blog", "lou"),
        ("blog", "Mia"),
        ("x", "Ana"),
        ("x", "zoe"),
    ]


def test_the_audience_figures_list_shows_the_newest_figures_first(admin_client):
    first, second = ChannelFactory(handle="aa"), ChannelFactory(handle="zz")
    for channel, day in [(first, 1), (second, 3), (first, 2)]:
        AudienceSnapshotFactory(channel=channel, taken_on=dt.date(2026, 5, day))

    response = admin_client.get(reverse("admin:crm_audiencesnapshot_changelist"))

    assert [(s.channel.handle, s.taken_on.day) for s in response.context["cl"].result_list] == [
        ("zz", 3),
        ("aa", 2),
        ("aa", 1),
    ]


def test_the_guardrail_events_list_filters_by_date_without_a_date_hierarchy(admin_client):
    response = admin_client.get(reverse("admin:campaigns_guardrailevent_changelist"))

    assert response.status_code == 200
    assert response.context["cl"].date_hierarchy is None
    assert "occurred_at" in [getattr(f, "field_path", None) for f in response.context["cl"].filter_specs]


def test_the_region_filter_offers_each_region_once_in_order_and_filters_on_it(admin_client):
    for region in ["Occitanie", "Bretagne", "", "Occitanie", "Normandie", "Bretagne"]:
        InfluencerFactory(region=region)

    listed = admin_client.get(reverse("admin:crm_influencer_changelist"))
    filtered = admin_client.get(reverse("admin:crm_influencer_changelist"), {"region": "Occitanie"})

    region_filter = next(f for f in listed.context["cl"].filter_specs if getattr(f, "parameter_name", "") == "region")
    assert [value for value, _label in region_filter.lookup_choices] == ["Bretagne", "Normandie", "Occitanie"]
    assert [p.region for p in filtered.context["cl"].result_list] == ["Occitanie", "Occitanie"]
