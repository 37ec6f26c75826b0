"""The board in a real browser: htmx dialogs, the keyboard, a phone's width (moved here from tests/campaigns)."""

import pytest
from playwright.sync_api import expect

from campaigns.models import ContentMatch, Relationship, Stage
from campaigns.views.board import COLUMN_CARDS
from crm.models import Post
from tests.browser.steps import column, follow, log_in
from tests.factories import BrandFactory, CampaignFactory, ChannelFactory, InfluencerFactory, RelationshipFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def board(page_in, bob):
    """board(campaign) opens the campaign's board as bob, once the page is ready for a hand."""

    def open_board(campaign, *, width: int | None = None):
        page = page_in()
        if width:
            page.set_viewport_size({"width": width, "height": 800})
        log_in(page, "bob", "pw-bob")
        page.goto(f"/campaigns/{campaign.pk}/")
        return page

    return open_board


def test_a_card_is_pitched_from_the_board_with_the_keyboard_only(board):
    spring = CampaignFactory(name="Spring range", topics=["lifestyle"])
    karim = InfluencerFactory(name="Karim", topics=["sport"])
    relationship = RelationshipFactory(influencer=karim, campaign=spring)
    page = board(spring)

    page.get_by_role("link", name="Pitch… Karim").focus()
    page.keyboard.press("Enter")
    expect(page.locator("#move-modal select[name=contact_kind]")).to_be_focused()  # the dialog's first field
    page.keyboard.press("Tab")
    expect(page.locator("#move-modal textarea[name=override_reason]")).to_be_focused()
    page.keyboard.type("Sport fans cook too")
    page.locator("#move-modal button[type=submit]").focus()
    page.keyboard.press("Enter")

    expect(page.locator("#move-modal")).to_be_hidden()
    expect(column(page, "pitched").get_by_role("link", name="Karim", exact=True)).to_be_visible()
    expect(column(page, "shortlisted").get_by_role("link", name="Karim", exact=True)).to_have_count(0)
    expect(page.get_by_role("alert").filter(has_text="Karim is pitched on")).to_be_visible()
    relationship.refresh_from_db()
    assert (relationship.stage, relationship.off_topic_reason) == (Stage.PITCHED, "Sport fans cook too")


def test_a_refused_pitch_stays_in_the_dialog_with_what_is_missing(board):
    spring = CampaignFactory(name="Spring range", topics=["lifestyle"])
    RelationshipFactory(influencer=InfluencerFactory(name="Karim", topics=["sport"]), campaign=spring)
    page = board(spring)

    page.get_by_role("link", name="Pitch… Karim").click()
    page.locator("#move-modal button[type=submit]").click()

    expect(page.locator("#move-modal .invalid-feedback")).to_have_text("Give the reason for this off-topic pitch.")
    expect(page.locator("#move-modal")).to_be_visible()
    assert Relationship.objects.get().stage == Stage.SHORTLISTED


def test_someone_is_shortlisted_by_typing_their_name(board):
    spring = CampaignFactory(name="Spring range", brand=BrandFactory(name="Maison Rivière"), topics=["lifestyle"])
    InfluencerFactory(name="Léa Martin", topics=["lifestyle"])
    page = board(spring)

    page.get_by_label("Shortlist someone").press_sequentially("léa")
    page.get_by_role("button", name="Shortlist Léa Martin").click()

    expect(column(page, "shortlisted").get_by_role("link", name="Léa Martin", exact=True)).to_be_visible()
    expect(page.get_by_role("status").filter(has_text="Léa Martin is shortlisted on")).to_have_text(
        "Léa Martin is shortlisted on Maison Rivière · Spring range."
    )
    assert Relationship.objects.get().influencer.name == "Léa Martin"


def test_at_phone_width_one_column_shows_and_the_page_does_not_scroll_sideways(board):
    spring = CampaignFactory(name="Spring range")
    RelationshipFactory(campaign=spring)
    page = board(spring, width=390)

    region = page.get_by_role("region", name="Pipeline board: one column per stage")
    widths = region.evaluate("element => [element.scrollWidth, element.clientWidth, document.body.scrollWidth]")

    # One column at a time (the stage tabs choose it: tests/browser/test_daily_use.py), within the screen.
    assert page.locator(".stage-column:visible").count() == 1
    assert widths[0] <= widths[1]
    assert widths[2] <= 390


def test_record_the_content_from_the_deliver_dialog_is_on_that_campaign(board):
    spring = CampaignFactory(name="Spring range")
    relationship = RelationshipFactory(campaign=spring, stage=Stage.ACTIVE)
    page = board(spring)

    page.locator(f"#card-{relationship.pk} a[href$='/{relationship.pk}/deliver/']").click()
    follow(page.locator("#move-modal").get_by_role("link", name="Record the content"))

    assert page.get_by_label("Campaign", exact=True).input_value() == str(relationship.pk)  # loaded: no wait
    assert page.locator("input[name=direction][value=get]").is_checked()

    page.select_option("select[name=kind]", "post")
    follow(page.get_by_role("button", name="Record"))

    assert page.url.endswith(f"/campaigns/{spring.pk}/")  # back on the board, the content on that campaign
    assert relationship.exchanges.filter(direction="get", kind="post").count() == 1


def test_show_more_adds_the_rest_of_a_long_column_and_the_focus_goes_to_the_first_new_card(board):
    spring = CampaignFactory(name="Spring range")
    for n in range(COLUMN_CARDS + 2):
        RelationshipFactory(campaign=spring, stage=Stage.PITCHED, influencer__name=f"Person {n:03}")
    page = board(spring)
    pitched = column(page, "pitched")
    expect(pitched.locator("li.card")).to_have_count(COLUMN_CARDS)

    pitched.get_by_role("button", name="Show more").focus()
    page.keyboard.press("Enter")

    expect(pitched.locator("li.card")).to_have_count(COLUMN_CARDS + 2)
    expect(pitched.get_by_role("button", name="Show more")).to_have_count(0)
    expect(pitched.get_by_role("link", name=f"Person {COLUMN_CARDS:03}", exact=True)).to_be_focused()


def test_a_post_found_in_a_feed_is_confirmed_from_its_card_then_the_card_is_delivered(board, bob):
    spring = CampaignFactory(name="Spring range", sponsored=True, disclosure="#ad")
    karim = InfluencerFactory(name="Karim")
    relationship = RelationshipFactory(influencer=karim, campaign=spring, stage=Stage.ACTIVE, owner=bob)
    channel = ChannelFactory(influencer=karim, platform="blog", handle="karim-blog")
    post = Post.objects.create(channel=channel, key="1", url="https://karim.example/1", title="Mon printemps")
    ContentMatch.objects.create(relationship=relationship, post=post, matched="Spring", disclosure="missing")
    page = board(spring)

    card = page.locator(f"#card-{relationship.pk}")
    card.get_by_role("link", name="post without ad disclosure · Karim").click()
    dialog = page.locator("#move-modal")
    expect(dialog.get_by_role("link", name="Mon printemps")).to_be_visible()
    expect(dialog.get_by_text("ask them to add the disclosure")).to_be_visible()
    dialog.get_by_role("button", name="It is the content: record it").click()

    expect(dialog).to_be_hidden()
    expect(page.get_by_role("alert").filter(has_text="The post is recorded as received from Karim")).to_be_visible()
    # Still flagged (the disclosure is still missing), and now it can be marked delivered.
    page.locator(f"#card-{relationship.pk} a[href$='/{relationship.pk}/deliver/']").click()
    expect(dialog.get_by_text("Received on this campaign:")).to_be_visible()
    dialog.get_by_role("button", name="Mark delivered").click()

    expect(column(page, "delivered").get_by_role("link", name="Karim", exact=True)).to_be_visible()
    relationship.refresh_from_db()
    assert relationship.stage == Stage.DELIVERED
    assert relationship.exchanges.get().url == "https://karim.example/1"
