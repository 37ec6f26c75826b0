"""Bouncing addresses in the admin: managers read which addresses bounce across the directory, and whose they are,
and say some work again through the same service as the person's page; nobody else sees them there."""

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from crm.models import BouncingAddress, InfluencerAddress
from tests.factories import InfluencerFactory

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:crm_bouncingaddress_changelist")


@pytest.fixture
def bounces(bob):
    InfluencerFactory(name="Léa Martin", email="lea@blog.example", owner=bob)
    noe = InfluencerFactory(name="Noé Petit", email="noe@vlog.example")
    InfluencerAddress.objects.create(influencer=noe, email="noe.old@vlog.example")
    now = timezone.now()
    return [
        BouncingAddress.objects.create(email="LEA@blog.example", status="5.1.1", diagnostic="User unknown", since=now),
        BouncingAddress.objects.create(email="noe.old@vlog.example", status="5.2.1", diagnostic="Disabled", since=now),
        BouncingAddress.objects.create(email="gone@nowhere.example", status="5.1.1", since=now),
    ]


def test_a_manager_reads_which_addresses_bounce_and_whose_they_are(client, alice, bounces):
    client.force_login(alice)

    page = client.get(CHANGELIST).content.decode()

    assert "Léa Martin" in page and "Noé Petit" in page  # a primary address, and another address of someone's
    assert "User unknown" in page and "gone@nowhere.example" in page


def test_a_manager_says_addresses_work_again(client, alice, bounces):
    client.force_login(alice)

    response = client.post(
        CHANGELIST, {"action": "works_again", "_selected_action": [b.pk for b in bounces]}, follow=True
    )

    assert not BouncingAddress.objects.exists()
    assert "3 addresses work again." in [str(m) for m in get_messages(response.wsgi_request)]


def test_marketers_and_viewers_do_not_see_them_in_the_admin(client, bob, carol, bounces):
    for member in (bob, carol):
        client.force_login(member)
        assert client.get(CHANGELIST).status_code in (302, 403)
    assert BouncingAddress.objects.count() == 3
