"""The ledger's side of the admin: exchanges and audience figures, added, corrected and deleted through services."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from crm.models import AudienceSnapshot, Channel, Exchange, Influencer
from tests.crm.admin_factories import campaign, person, relationship

pytestmark = [pytest.mark.django_db, pytest.mark.clock]


@pytest.fixture
def admin_client(client, alice):
    client.force_login(alice)
    return client


def test_an_exchange_the_service_refuses_is_a_form_error_and_nothing_is_saved(admin_client):
    lea, tom = person("Léa"), person("Tom")
    toms = relationship(tom, campaign("Spring"))

    response = admin_client.post(
        reverse("admin:crm_exchange_add"),
        {"influencer": lea.pk, "relationship": toms.pk, "direction": "get", "kind": "post",
         "occurred_on": timezone.localdate().isoformat(), "value": "", "reach": "", "url": "", "note": ""},
    )  # fmt: skip

    assert response.status_code == 200
    assert response.context["adminform"].form.errors == {
        "relationship": ["This relationship is with Tom, not with Léa."]
    }
    assert not Exchange.objects.exists()


def test_a_snapshot_added_on_the_channel_page_updates_the_audience(admin_client):
    lea = person("Léa", channels=[("youtube", "lea-tube")])
    channel = lea.channels.get()

    response = admin_client.post(
        reverse("admin:crm_channel_change", args=[channel.pk]),
        {
            "influencer": lea.pk,
            "platform": "youtube",
            "handle": "lea-tube",
            "url": "",
            "feed-TOTAL_FORMS": "0",
            "feed-INITIAL_FORMS": "0",
            "snapshots-TOTAL_FORMS": "1",
            "snapshots-INITIAL_FORMS": "0",
            "snapshots-0-taken_on": "2025-04-01",
            "snapshots-0-followers": "120000",
        },
    )

    assert response.status_code == 302
    assert Channel.objects.get().followers == 120_000
    lea.refresh_from_db()
    assert (lea.audience, lea.tier) == (120_000, "mid")


def _two_figures(lea):
    """Léa's channel with an old figure and a newer one: the newer one is the channel's followers."""
    channel = lea.channels.get()
    older = AudienceSnapshot.objects.create(channel=channel, taken_on=dt.date(2025, 3, 1), followers=8_000)
    newer = AudienceSnapshot.objects.create(channel=channel, taken_on=dt.date(2025, 4, 1), followers=120_000)
    Channel.objects.filter(pk=channel.pk).update(followers=120_000)
    Influencer.objects.filter(pk=lea.pk).update(audience=120_000)
    return channel, older, newer


def test_a_figure_corrected_in_the_admin_updates_the_channel_and_the_audience(admin_client):
    lea = person("Léa", channels=[("youtube", "lea-tube")])
    channel, _older, newer = _two_figures(lea)

    response = admin_client.post(
        reverse("admin:crm_audiencesnapshot_change", args=[newer.pk]),
        {"channel": channel.pk, "taken_on": "2025-04-01", "followers": "9000", "engagement_rate": ""},
    )

    assert response.status_code == 302, response.context["adminform"].form.errors
    lea.refresh_from_db()
    assert (Channel.objects.get().followers, lea.audience, lea.tier) == (9_000, 9_000, "nano")


def test_a_figure_deleted_in_the_admin_gives_the_channel_its_previous_figure(admin_client):
    lea = person("Léa", channels=[("youtube", "lea-tube")])
    _channel, _older, newer = _two_figures(lea)

    response = admin_client.post(reverse("admin:crm_audiencesnapshot_delete", args=[newer.pk]), {"post": "yes"})

    assert response.status_code == 302
    lea.refresh_from_db()
    assert (Channel.objects.get().followers, lea.audience) == (8_000, 8_000)


def test_figures_corrected_and_deleted_on_the_channel_page_update_the_audience(admin_client):
    lea = person("Léa", channels=[("youtube", "lea-tube")])
    channel, older, newer = _two_figures(lea)

    response = admin_client.post(
        reverse("admin:crm_channel_change", args=[channel.pk]),
        {"influencer": lea.pk, "platform": "youtube", "handle": "lea-tube", "url": "",
         "feed-TOTAL_FORMS": "0", "feed-INITIAL_FORMS": "0",
         "snapshots-TOTAL_FORMS": "2", "snapshots-INITIAL_FORMS": "2",
         "snapshots-0-id": newer.pk, "snapshots-0-channel": channel.pk, "snapshots-0-taken_on": "2025-04-01",
         "snapshots-0-followers": "120000", "snapshots-0-DELETE": "on",
         "snapshots-1-id": older.pk, "snapshots-1-channel": channel.pk, "snapshots-1-taken_on": "2025-03-01",
         "snapshots-1-followers": "15000"},
    )  # fmt: skip

    assert response.status_code == 302, response.context["errors"]
    lea.refresh_from_db()
    assert list(AudienceSnapshot.objects.values_list("followers", flat=True)) == [15_000]
    assert (Channel.objects.get().followers, lea.audience) == (15_000, 15_000)


def test_an_exchange_keeps_its_person_relationship_and_date_in_the_admin(admin_client):
    lea, tom = person("Léa"), person("Tom")
    leas, toms = relationship(lea, campaign("Spring")), relationship(tom, campaign("Summer"))
    given = Exchange.objects.create(
        influencer=lea, relationship=leas, direction="get", kind="post", occurred_on=dt.date(2025, 4, 1)
    )

    response = admin_client.post(
        reverse("admin:crm_exchange_change", args=[given.pk]),
        {"influencer": tom.pk, "relationship": toms.pk, "direction": "give", "kind": "post",
         "occurred_on": (timezone.localdate() + dt.timedelta(days=9)).isoformat(), "value": "", "reach": "1500",
         "url": "", "note": "Corrected reach"},
    )  # fmt: skip

    assert response.status_code == 302, response.context["adminform"].form.errors
    given.refresh_from_db()
    assert (given.influencer, given.relationship, given.direction, given.occurred_on) == (
        lea,
        leas,
        "get",
        dt.date(2025, 4, 1),
    )
    assert (given.reach, given.note) == (1_500, "Corrected reach")
