"""A manager sets the team's own rules in the admin; their history says who changed what (issue 18)."""

import pytest
from playwright.sync_api import expect

from core.models import TeamRules
from tests.browser.steps import follow
from tests.browser.test_csp import admin_log_in
from tests.browser.test_daily_use import VIEWPORTS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize(
    ("viewport", "locale", "section", "rules", "field", "history"),
    [
        ("desktop", "en-GB", "Team", "Team rules", "Pitches per person in that window", "Change history"),
        ("phone", "fr-FR", "Équipe", "Règles de l’équipe", "Propositions par personne dans cette", "Historique"),
    ],
)
def test_a_manager_lowers_the_frequency_cap_and_the_history_names_her(
    page_in, alice, viewport, locale, section, rules, field, history
):
    page = page_in(locale)
    page.set_viewport_size(VIEWPORTS[viewport])
    admin_log_in(page, "alice", "pw-alice")

    module = page.locator(".app-core.module")
    expect(module.locator("caption")).to_contain_text(section)
    follow(module.get_by_role("link", name=rules, exact=True))
    cap = page.get_by_label(field)
    expect(cap).to_have_value("3")  # the environment's default until saved
    cap.fill("1")
    follow(page.locator("input[name=_continue]"))

    expect(page.locator(".messagelist .success")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= VIEWPORTS[viewport]["width"]
    assert TeamRules.objects.get().guardrail_max_pitches == 1
    follow(page.locator("a.historylink"))
    expect(page.locator("#change-history")).to_contain_text("alice")
    expect(page.locator("h1")).to_contain_text(history)
