"""Times are shown in the member's own time zone: from their profile at login, or as soon as they change it."""

import datetime

import pytest

from messaging.models import Profile
from tests.factories import ContactFactory, InfluencerFactory

pytestmark = pytest.mark.django_db
AT = datetime.datetime(2026, 3, 2, 15, 0, tzinfo=datetime.UTC)  # 16:00 in Paris, 10:00 in Montréal


@pytest.fixture
def lea(db):
    person = InfluencerFactory(name="Léa")
    ContactFactory(influencer=person, occurred_at=AT, summary="Call about the shoot")
    return person


def _timeline_time(client, lea) -> str:
    html = client.get(f"/influencers/{lea.pk}/").content.decode()
    return html.split('datetime="2026-03-02T')[1][:5]


def test_without_a_profile_times_are_in_the_team_time_zone(client, bob, lea):
    client.force_login(bob)

    assert _timeline_time(client, lea) == "16:00"


def test_the_profile_time_zone_applies_from_login(client, bob, lea):
    Profile.objects.create(user=bob, timezone="America/Montreal")

    client.force_login(bob)

    assert _timeline_time(client, lea) == "10:00"


def test_changing_it_in_my_settings_applies_at_once(client, bob, lea):
    client.force_login(bob)
    client.post("/settings/", {"timezone": "America/Montreal", "language": "en", "signature": "", "wants_digest": "on"})

    assert Profile.objects.get(user=bob).timezone == "America/Montreal"
    assert _timeline_time(client, lea) == "10:00"
