"""The board in a real browser: htmx dialogs, the keyboard, a phone's width."""

import pytest

from campaigns.models import Relationship, Stage
from tests.browser.conftest import browser, page_in  # noqa: F401  (the browser fixtures, shared)
from tests.factories import CampaignFactory, InfluencerFactory, RelationshipFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _log_in(page, username: str, password: str) -> None:
    page.goto("/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.press("input[name=password]", "Enter")
    page.wait_for_load_state()


def _column(page, stage: str):
    return page.locator(f"section[aria-labelledby=stage-{stage}]")


def test_a_card_is_pitched_from_the_board_with_the_keyboard_only(page_in, bob):  # noqa: F811
    spring = CampaignFactory(name="Spring range", topics=["lifestyle"])
    karim = InfluencerFactory(name="Karim", topics=["sport"])
    relationship = RelationshipFactory(influencer=karim, campaign=spring)
    page = page_in()
    _log_in(page, "bob", "pw-bob")
    page.goto(f"/campaigns/{spring.pk}/")

    page.get_by_role("link", name="Pitch… Karim").focus()
    page.keyboard.press("Enter")
    reason = page.locator("#move-modal textarea[name=override_reason]")
    reason.wait_for()
    reason.fill("Sport fans cook too")
    page.locator("#move-modal button[type=submit]").focus()
    page.keyboard.press("Enter")

    page.locator("#move-modal").wait_for(state="hidden")
    _column(page, "pitched").get_by_role("link", name="Karim", exact=True).wait_for()
    assert _column(page, "shortlisted").get_by_role("link", name="Karim", exact=True).count() == 0
    assert page.get_by_role("alert").filter(has_text="Karim is pitched on").is_visible()
    relationship.refresh_from_db()
    assert (relationship.stage, relationship.off_topic_reason) == (Stage.PITCHED, "Sport fans cook too")


def test_a_refused_pitch_stays_in_the_dialog_with_what_is_missing(page_in, bob):  # noqa: F811
    spring = CampaignFactory(name="Spring range", topics=["lifestyle"])
    RelationshipFactory(influencer=InfluencerFactory(name="Karim", topics=["sport"]), campaign=spring)
    page = page_in()
    _log_in(page, "bob", "pw-bob")
    page.goto(f"/campaigns/{spring.pk}/")

    page.get_by_role("link", name="Pitch… Karim").click()
    page.locator("#move-modal button[type=submit]").click()

    page.get_by_text("Give the reason for this off-topic pitch.").wait_for()
    assert page.locator("#move-modal").is_visible()
    assert Relationship.objects.get().stage == Stage.SHORTLISTED


def test_someone_is_shortlisted_by_typing_their_name(page_in, bob):  # noqa: F811
    spring = CampaignFactory(name="Spring range", topics=["lifestyle"])
    InfluencerFactory(name="Léa Martin", topics=["lifestyle"])
    page = page_in()
    _log_in(page, "bob", "pw-bob")
    page.goto(f"/campaigns/{spring.pk}/")

    page.get_by_label("Shortlist someone").type("léa")
    page.get_by_role("button", name="Shortlist Léa Martin").click()

    _column(page, "shortlisted").get_by_role("link", name="Léa Martin", exact=True).wait_for()
    assert page.get_by_text("Léa Martin is shortlisted on").is_visible()
    assert Relationship.objects.get().influencer.name == "Léa Martin"


def test_at_phone_width_the_columns_scroll_sideways(page_in, bob):  # noqa: F811
    spring = CampaignFactory(name="Spring range")
    RelationshipFactory(campaign=spring)
    page = page_in()
    page.set_viewport_size({"width": 390, "height": 800})
    _log_in(page, "bob", "pw-bob")
    page.goto(f"/campaigns/{spring.pk}/")

    board = page.get_by_role("region", name="Pipeline board: one column per stage")
    widths = board.evaluate("element => [element.scrollWidth, element.clientWidth, document.body.scrollWidth]")

    assert widths[0] > widths[1]  # the board scrolls
    assert widths[2] <= 390  # the page itself does not
