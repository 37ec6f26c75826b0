"""A manager narrows a report to one campaign by typing part of its name (the admin's autocomplete), under the
Content Security Policy, in a real browser."""

import pytest

from tests.browser.test_csp import admin_log_in
from tests.factories import BrandFactory, CampaignFactory, RelationshipFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_manager_finds_a_campaign_by_typing_and_the_report_keeps_to_it(page_in, alice):
    acme = BrandFactory(name="Acme")
    spring = CampaignFactory(brand=acme, name="Spring launch")
    autumn = CampaignFactory(brand=acme, name="Autumn fair")
    for _ in range(2):
        RelationshipFactory(campaign=spring)
    for _ in range(3):
        RelationshipFactory(campaign=autumn)
    page = page_in()
    admin_log_in(page, "alice", "pw-alice")
    page.goto("/admin/reports/report/pipeline/")
    everyone = page.locator(".report-figures td").first.inner_text()

    page.locator("#id_campaign + .select2 .select2-selection").click()
    page.locator(".select2-search__field").fill("spri")
    page.locator(".select2-results__option", has_text="Acme · Spring launch").click()
    page.get_by_role("button", name="Show").click()
    page.wait_for_load_state()

    assert everyone == "5"
    assert f"campaign={spring.pk}" in page.url
    assert page.locator(".report-figures td").first.inner_text() == "2"
    # The choice stays shown in the filter, by its name.
    assert page.locator("#id_campaign").evaluate("select => select.selectedOptions[0].text") == "Acme · Spring launch"
    assert "Acme · Spring launch" in page.locator("#id_campaign + .select2 .select2-selection__rendered").inner_text()
