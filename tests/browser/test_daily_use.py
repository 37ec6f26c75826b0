"""What a marketer used to other CRMs expects, on a desktop and on a 390 × 844 phone, in English and French.

Issue 18: each item is a browser test.
"""

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from campaigns.models import Stage
from tests.browser.steps import follow, log_in
from tests.factories import CampaignFactory, ChannelFactory, InfluencerFactory, RelationshipFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

VIEWPORTS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}


def bob_on(page_in, viewport: str, locale: str):
    """A page of a browser asking for `locale`, at the viewport's size, with bob logged in."""
    page = page_in(locale)
    page.set_viewport_size(VIEWPORTS[viewport])
    log_in(page, "bob", "pw-bob")
    return page


@pytest.mark.parametrize(("viewport", "locale"), [("desktop", "en-GB"), ("phone", "fr-FR")])
def test_logging_a_contact_from_a_person_with_one_open_relationship_preselects_it(page_in, bob, viewport, locale):
    karim = InfluencerFactory(name="Karim Haddad")
    spring = RelationshipFactory(
        influencer=karim, campaign=CampaignFactory(name="Spring range"), stage=Stage.ACTIVE, owner=bob
    )
    RelationshipFactory(influencer=karim, campaign=CampaignFactory(name="Old one"), stage=Stage.CLOSED)
    page = bob_on(page_in, viewport, locale)
    page.goto(f"/influencers/{karim.pk}/")

    page.locator(f"a[href^='/contacts/log/?influencer={karim.pk}&next=']").click()

    modal = page.locator("#contact-modal")
    expect(modal.locator("select[name=relationship]")).to_have_value(str(spring.pk))
    modal.locator("textarea[name=summary]").fill("Called about the spring range")
    modal.locator("button[type=submit]").click()
    expect(modal.locator("#contact-logged")).to_be_visible()
    assert karim.contacts.get().relationship == spring


@pytest.mark.parametrize(
    ("viewport", "locale", "said"), [("desktop", "en-GB", "7 days late"), ("phone", "fr-FR", "7 jours de retard")]
)
def test_today_says_how_late_a_contact_is_in_whole_days(page_in, bob, viewport, locale, said):
    late = RelationshipFactory(
        influencer=InfluencerFactory(name="Karim Haddad"),
        stage=Stage.ACTIVE,
        owner=bob,
        next_contact_due=timezone.localdate() - datetime.timedelta(days=7),
    )
    page = bob_on(page_in, viewport, locale)
    page.goto("/")

    row = page.locator("tr").filter(has=page.locator(f"a[href='/influencers/{late.influencer_id}/']"))
    expect(row.locator(".badge.text-bg-danger")).to_have_text(said)


@pytest.mark.parametrize(("viewport", "locale"), [("desktop", "en-GB"), ("phone", "fr-FR")])
def test_the_pitch_shows_the_brief_in_the_person_s_language_whatever_the_reader_s(page_in, bob, viewport, locale):
    spring = CampaignFactory(name="Spring range", ask="One post", starts_on=datetime.date(2027, 4, 1))
    relationship = RelationshipFactory(influencer=InfluencerFactory(name="Léa", language="fr"), campaign=spring)
    page = bob_on(page_in, viewport, locale)
    page.goto(f"/campaigns/{spring.pk}/")

    page.locator(f"#card-{relationship.pk} a[href$='/{relationship.pk}/pitch/']").click()

    brief = page.locator("#move-modal")
    expect(brief).to_contain_text("Ce que nous demandons : One post")
    expect(brief).to_contain_text("Dates : du 1 avril 2027 au")


@pytest.mark.parametrize(
    ("viewport", "locale", "largest"),
    [("desktop", "en-GB", "largest audience 4,309 on X"), ("phone", "fr-FR", "plus grande audience : 4 309 sur X")],
)
def test_a_person_s_header_and_next_due_agree_with_today(page_in, bob, viewport, locale, largest):
    karim = InfluencerFactory(name="Karim Haddad", owner=bob, next_contact_due=None)
    ChannelFactory(influencer=karim, platform="x", handle="karim_x", followers=4309)
    late = RelationshipFactory(
        influencer=karim,
        stage=Stage.ACTIVE,
        owner=bob,
        next_contact_due=timezone.localdate() - datetime.timedelta(days=3),
    )
    page = bob_on(page_in, viewport, locale)
    page.goto("/")
    expect(page.locator("tr").filter(has=page.locator(f"a[href='/influencers/{karim.pk}/']"))).to_have_count(1)

    page.goto(f"/influencers/{karim.pk}/")

    expect(page.locator("h1 + div")).to_contain_text(largest)
    due = page.locator("#person-next-due")
    expect(due.locator("time")).to_have_attribute("datetime", late.next_contact_due.isoformat())
    expect(due).to_contain_text(late.campaign.name)
    expect(due.locator(".badge.text-bg-danger")).to_be_visible()


@pytest.mark.parametrize(
    ("viewport", "locale", "cancel"), [("desktop", "en-GB", "Cancel"), ("phone", "fr-FR", "Annuler")]
)
def test_record_give_or_get_can_be_cancelled_back_to_the_person(page_in, bob, viewport, locale, cancel):
    karim = InfluencerFactory(name="Karim Haddad")
    page = bob_on(page_in, viewport, locale)
    page.goto(f"/influencers/{karim.pk}/")

    follow(page.locator(f"a[href^='/influencers/{karim.pk}/exchanges/new/']"))
    follow(page.get_by_role("link", name=cancel, exact=True))

    expect(page).to_have_url(re.compile(rf"/influencers/{karim.pk}/$"))
    assert not karim.exchanges.exists()


@pytest.mark.parametrize(("viewport", "locale"), [("desktop", "en-GB"), ("phone", "fr-FR")])
def test_the_directory_names_each_handle_s_platform(page_in, bob, viewport, locale):
    jade = InfluencerFactory(name="Jade Martin")
    ChannelFactory(influencer=jade, platform="instagram", handle="martinjade")
    ChannelFactory(influencer=jade, platform="youtube", handle="jade-tv")
    page = bob_on(page_in, viewport, locale)

    page.goto("/influencers/?q=jade")

    row = page.locator("tr").filter(has=page.locator(f"a[href='/influencers/{jade.pk}/']"))
    expect(row).to_contain_text("Instagram martinjade")
    expect(row).to_contain_text("YouTube jade-tv")
