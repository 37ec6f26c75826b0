"""At phone width, wide tables scroll inside their box; the page itself never scrolls sideways."""

import datetime

import pytest
from django.utils import timezone

from campaigns.models import Stage
from tests.browser.steps import log_in
from tests.factories import CampaignFactory, InfluencerFactory, RelationshipFactory
from tests.messaging.factories import MessageFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def busy_bob(bob):
    bob.set_password("pw")
    bob.save()
    campaign = CampaignFactory(name="Lancement du baume solide pour les peaux sensibles et les sportifs d’hiver")
    overdue = timezone.localdate() - datetime.timedelta(days=3)
    for i in range(3):
        person = InfluencerFactory(name=f"Marie-Charlotte de La Rochefoucauld-Duchesne {i}", owner=bob)
        relationship = RelationshipFactory(
            influencer=person, campaign=campaign, owner=bob, stage=Stage.ACTIVE, next_contact_due=overdue
        )
        # Long subjects and errors, scheduled and failed: the rows of the messages' page at their widest.
        for status in ("scheduled", "failed"):
            MessageFactory(
                influencer=person,
                relationship=relationship,
                created_by=bob,
                status=status,
                subject="Des nouvelles de la collaboration autour du baume solide pour les peaux sensibles ?",
                last_error="550-5.1.1 The email account that you tried to reach does not exist. Please try again.",
            )
    return bob


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/influencers/",
        "/campaigns/",
        "/influencers/{person}/",
        "/messages/",
        "/messages/?status=failed",
        "/search/?q=Marie",
    ],
)
def test_the_page_does_not_scroll_sideways_on_a_phone(page_in, busy_bob, path):
    page = page_in("en-GB")
    page.set_viewport_size(PHONE)
    log_in(page, "bob", "pw")
    person = busy_bob.influencers.first()

    page.goto(path.format(person=person.pk))
    page.wait_for_load_state("networkidle")

    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
