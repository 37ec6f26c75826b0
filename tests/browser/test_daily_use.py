"""What a marketer used to other CRMs expects, on a desktop and on a 390 × 844 phone, in English and French.

Issue 18: each item is a browser test.
"""

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from campaigns.models import Stage
from tests.browser.steps import column, follow, log_in, open_move
from tests.factories import CampaignFactory, ChannelFactory, ContactFactory, InfluencerFactory, RelationshipFactory
from tests.messaging.factories import MessageFactory

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


@pytest.mark.parametrize(
    ("viewport", "locale", "active_tab"), [("desktop", "en-GB", "Active 2"), ("phone", "fr-FR", "En cours 2")]
)
def test_a_phone_shows_the_board_one_column_at_a_time_with_the_stages_as_tabs(
    page_in, bob, viewport, locale, active_tab
):
    spring = CampaignFactory(name="Spring range")
    shortlisted = RelationshipFactory(campaign=spring, stage=Stage.SHORTLISTED, influencer__name="Jade Martin")
    active = [
        RelationshipFactory(campaign=spring, stage=Stage.ACTIVE, owner=bob, influencer__name=name)
        for name in ("Karim Haddad", "Léa Roux")
    ]
    page = bob_on(page_in, viewport, locale)
    page.goto(f"/campaigns/{spring.pk}/")

    tabs = page.locator(".board-tabs")
    if viewport == "desktop":
        expect(tabs).to_be_hidden()
        for relationship in [shortlisted, *active]:
            expect(page.locator(f"#card-{relationship.pk}")).to_be_visible()
        return

    # The first column with anyone in it, alone; the others behind their tabs, each with its count.
    expect(page.locator(f"#card-{shortlisted.pk}")).to_be_visible()
    expect(page.locator(f"#card-{active[0].pk}")).to_be_hidden()
    tab = tabs.get_by_role("link", name=active_tab)
    tab.click()
    expect(tab).to_have_attribute("aria-current", "true")
    expect(page.locator(f"#card-{shortlisted.pk}")).to_be_hidden()
    for relationship in active:
        expect(page.locator(f"#card-{relationship.pk}")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390

    # The board reloads itself after a contact is logged from a card: the column chosen stays.
    page.locator(f"#card-{active[0].pk} a[href^='/contacts/log/']").click()
    modal = page.locator("#contact-modal")
    modal.locator("textarea[name=summary]").fill("Appel sur la gamme de printemps")
    with page.expect_response(lambda r: f"/campaigns/{spring.pk}/?stage=active" in r.url) as reload:
        modal.locator("button[type=submit]").click()
    assert reload.value.ok
    expect(modal.locator("#contact-logged")).to_be_visible()
    expect(page.locator(f"#card-{active[1].pk}")).to_be_visible()
    expect(page.locator(f"#card-{shortlisted.pk}")).to_be_hidden()


@pytest.mark.parametrize(("viewport", "locale"), [("desktop", "en-GB"), ("phone", "fr-FR")])
def test_the_navigation_bar_finds_people_and_campaigns_as_one_types(page_in, bob, viewport, locale):
    ines = InfluencerFactory(name="Inès Solano")
    ChannelFactory(influencer=ines, platform="youtube", handle="ines_cooks")
    CampaignFactory(name="Solano summer picnic")
    page = bob_on(page_in, viewport, locale)
    page.goto("/")
    if viewport == "phone":  # the box is in the collapsed menu
        page.locator(".navbar-toggler").click()
    box, results = page.locator("#nav-search"), page.locator("#nav-search-results")

    box.press_sequentially("sola", delay=30)

    person = results.get_by_role("link", name=re.compile("Inès Solano"))
    expect(person).to_contain_text("YouTube ines_cooks")
    expect(results.get_by_role("link", name=re.compile("Solano summer picnic"))).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= VIEWPORTS[viewport]["width"]
    if viewport == "desktop":  # the keyboard: Escape closes, typing reopens, the arrow keys reach the links
        box.press("Escape")
        expect(results).to_be_hidden()
        box.press_sequentially("n", delay=30)
        expect(person).to_be_visible()
        box.press("ArrowDown")
        expect(person).to_be_focused()
        page.keyboard.press("Enter")
    else:
        person.click()

    expect(page).to_have_url(re.compile(rf"/influencers/{ines.pk}/$"))


@pytest.mark.parametrize(("viewport", "locale"), [("desktop", "en-GB"), ("phone", "fr-FR")])
def test_people_carry_their_initials_in_lists_on_the_board_and_on_their_page(page_in, bob, viewport, locale):
    relationship = RelationshipFactory(
        influencer=InfluencerFactory(name="Jade Martin"), stage=Stage.SHORTLISTED, owner=bob
    )
    jade = relationship.influencer
    page = bob_on(page_in, viewport, locale)

    page.goto("/influencers/?q=jade")
    row = page.locator("tr").filter(has=page.locator(f"a[href='/influencers/{jade.pk}/']"))
    expect(row.locator(".avatar")).to_have_text("JM")
    expect(row.locator(".avatar")).to_have_attribute("aria-hidden", "true")

    page.goto(f"/campaigns/{relationship.campaign_id}/")
    expect(page.locator(f"#card-{relationship.pk} .avatar")).to_have_text("JM")

    page.goto(f"/influencers/{jade.pk}/")
    expect(page.locator(".avatar-lg")).to_have_text("JM")
    expect(page.get_by_role("heading", level=1)).to_have_text("Jade Martin")  # the initials are not read out
    assert page.evaluate("document.documentElement.scrollWidth") <= VIEWPORTS[viewport]["width"]


@pytest.mark.parametrize(
    ("viewport", "locale", "retried", "scheduled"),
    [
        ("desktop", "en-GB", "The message to Karim Haddad is scheduled again", "scheduled"),
        ("phone", "fr-FR", "Le message à Karim Haddad est de nouveau programmé", "programmé"),
    ],
)
def test_messages_lists_my_failed_ones_and_a_retried_one_goes_back_under_scheduled(
    page_in, bob, viewport, locale, retried, scheduled
):
    karim = InfluencerFactory(name="Karim Haddad", owner=bob)
    failed = MessageFactory(
        influencer=karim, created_by=bob, status="failed", subject="Any news?", last_error="421 try again later"
    )
    MessageFactory(influencer=karim, created_by=bob, subject="Spring range brief")
    page = bob_on(page_in, viewport, locale)
    page.goto("/")
    if viewport == "phone":  # the link is in the collapsed menu
        page.locator(".navbar-toggler").click()

    follow(page.locator("a.nav-link[href='/messages/']"))
    follow(page.locator("#tab-failed"))

    row = page.locator(f"#message-{failed.pk}")
    expect(row).to_contain_text("421 try again later")
    retry = row.locator("form[action$='/retry/'] button")
    expect(retry).to_be_in_viewport()
    assert page.evaluate("document.documentElement.scrollWidth") <= VIEWPORTS[viewport]["width"]
    follow(retry)

    expect(page.locator(".alert-success")).to_contain_text(retried)
    expect(page.locator(f"#message-{failed.pk}")).to_have_count(0)
    follow(page.locator("#tab-scheduled"))
    expect(page.locator(f"#message-{failed.pk}")).to_contain_text(scheduled)
    failed.refresh_from_db()
    assert failed.status == "scheduled"


@pytest.mark.parametrize(("viewport", "locale"), [("desktop", "en-GB"), ("phone", "fr-FR")])
def test_today_on_a_phone_shows_the_lateness_and_the_action_and_messages_before_past_contacts(
    page_in, bob, viewport, locale
):
    late = RelationshipFactory(
        influencer=InfluencerFactory(name="Marie-Charlotte de La Tour d'Auvergne"),
        campaign=CampaignFactory(name="A rather long spring range launch name"),
        stage=Stage.ACTIVE,
        owner=bob,
        next_contact_due=timezone.localdate() - datetime.timedelta(days=12),
    )
    for n in range(10):
        ContactFactory(influencer=late.influencer, logged_by=bob, summary=f"Call number {n}")
    MessageFactory(influencer=late.influencer, created_by=bob, subject="Spring range brief")
    page = bob_on(page_in, viewport, locale)
    page.goto("/")

    width = VIEWPORTS[viewport]["width"]
    row = page.locator("#today-live tr").filter(has=page.locator(f"a[href='/influencers/{late.influencer_id}/']"))
    for part in (row.locator(".badge.text-bg-danger"), row.locator("a[href^='/contacts/log/']")):
        box = part.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= width, part
    assert page.evaluate("document.documentElement.scrollWidth") <= width

    scheduled = page.locator("#scheduled-title").bounding_box()
    recent = page.locator("#recent-title").bounding_box()
    if viewport == "phone":  # one column: what needs acting first, the past contacts last
        assert scheduled["y"] < recent["y"]
    else:  # the messages in their own column on the right
        assert scheduled["x"] > recent["x"] + recent["width"]


@pytest.mark.parametrize(
    ("viewport", "locale", "mine", "active_tab"),
    [("desktop", "en-GB", "Mine", "Active 1"), ("phone", "fr-FR", "Moi", "En cours 1")],
)
def test_the_board_filtered_by_owner_shows_only_their_cards_and_counts(
    page_in, bob, dave, viewport, locale, mine, active_tab
):
    spring = CampaignFactory(name="Spring range")
    bobs = RelationshipFactory(campaign=spring, stage=Stage.ACTIVE, owner=bob, influencer__name="Karim Haddad")
    daves = [
        RelationshipFactory(campaign=spring, stage=stage, owner=dave, influencer__name=name)
        for stage, name in ((Stage.ACTIVE, "Léa Roux"), (Stage.SHORTLISTED, "Jade Martin"))
    ]
    page = bob_on(page_in, viewport, locale)
    page.goto(f"/campaigns/{spring.pk}/")

    with page.expect_response(lambda r: f"owner={bob.pk}" in r.url):
        page.locator("#filter-owner").select_option(label=mine)

    expect(page.locator(f"#card-{daves[1].pk}")).to_have_count(0)
    expect(page.locator(f"#card-{daves[0].pk}")).to_have_count(0)
    expect(page.locator(f"#card-{bobs.pk}")).to_be_visible()  # a phone shows the first column with anyone in it
    if viewport == "desktop":
        expect(column(page, "active").locator("h2 .badge")).to_have_text("1")
        expect(column(page, "shortlisted").locator("h2 .badge")).to_have_text("0")
    else:
        expect(page.locator(".board-tabs").get_by_role("link", name=active_tab)).to_have_attribute(
            "aria-current", "true"
        )
    expect(page).to_have_url(re.compile(rf"owner={bob.pk}"))  # a reload or a shared link keeps the filter
    assert page.evaluate("document.documentElement.scrollWidth") <= VIEWPORTS[viewport]["width"]


def _drag(page, source, target) -> None:
    """Drag with the mouse in small steps, as a hand does (SortableJS listens to pointer events)."""
    start, end = source.bounding_box(), target.bounding_box()
    page.mouse.move(start["x"] + start["width"] / 2, start["y"] + start["height"] / 2)
    page.mouse.down()
    x, y = end["x"] + end["width"] / 2, end["y"] + end["height"] / 2
    page.mouse.move(x, y, steps=12)
    page.mouse.move(x + 2, y + 2, steps=2)
    page.mouse.up()


@pytest.mark.parametrize(("viewport", "locale"), [("desktop", "en-GB")])
def test_a_card_dragged_to_its_next_column_opens_that_move_s_dialog_and_elsewhere_comes_back(
    page_in, bob, viewport, locale
):
    spring = CampaignFactory(name="Spring range", ask="One post")
    jade = RelationshipFactory(campaign=spring, stage=Stage.SHORTLISTED, owner=bob, influencer__name="Jade Martin")
    page = bob_on(page_in, viewport, locale)
    page.goto(f"/campaigns/{spring.pk}/")
    card = page.locator(f"#card-{jade.pk}")

    _drag(page, card.locator("dl"), column(page, "active").locator("ol"))

    expect(page.locator("#board-status")).to_have_text(
        "A card in “Shortlisted” can only go to “Pitched” or to “Closed”."
    )
    expect(column(page, "shortlisted").locator(f"#card-{jade.pk}")).to_be_visible()
    expect(page.locator("#move-modal")).to_be_hidden()

    _drag(page, card.locator("dl"), column(page, "pitched").locator("ol"))

    dialog = page.locator("#move-modal")
    expect(dialog.locator(".modal-header")).to_be_visible()
    expect(dialog).to_contain_text("One post")
    expect(column(page, "shortlisted").locator(f"#card-{jade.pk}")).to_be_visible()  # nothing moves before the dialog
    jade.refresh_from_db()
    assert jade.stage == Stage.SHORTLISTED


@pytest.mark.parametrize(("viewport", "locale"), [("desktop", "en-GB"), ("phone", "fr-FR")])
def test_success_messages_do_not_pile_up_on_the_board_nor_follow_to_the_next_page(page_in, bob, viewport, locale):
    spring = CampaignFactory(name="Spring range")
    pitched = [
        RelationshipFactory(campaign=spring, stage=Stage.PITCHED, owner=bob, influencer__name=name)
        for name in ("Karim Haddad", "Léa Roux")
    ]
    page = bob_on(page_in, viewport, locale)
    page.goto(f"/campaigns/{spring.pk}/")

    for relationship in pitched:
        dialog = open_move(page, relationship, "accept")
        with page.expect_response(lambda r: f"/campaigns/{spring.pk}/?" in r.url):  # the board's reload
            dialog.locator("button[type=submit]").click()
        expect(column(page, "active").locator(f"#card-{relationship.pk}")).to_have_count(1)

    # One message, the last move's; none waiting for the next page.
    expect(page.locator(".alert-success")).to_have_count(1)
    expect(page.locator(".alert-success")).to_contain_text("Léa Roux")
    page.goto("/")
    expect(page.locator(".alert-success")).to_have_count(0)
