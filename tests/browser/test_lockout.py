"""A person who mistypes their password five times sees, in their language, why they cannot log in for now."""

import pytest
from django.utils import translation

from tests.browser.steps import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_fifth_wrong_password_shows_the_lockout_page_and_the_right_one_waits(page_in, bob):
    page = page_in("fr-FR")
    with translation.override("fr"):
        back, locked = translation.gettext("Back to the login page"), translation.gettext("Too many failed logins")

    statuses = []
    for _ in range(5):
        with page.expect_response(lambda r: r.url.endswith("/login/") and r.request.method == "POST") as answer:
            log_in(page, "bob", "wrong guess")
        statuses.append(answer.value.status)
    page.get_by_role("link", name=back).click()
    page.wait_for_load_state()
    log_in(page, "bob", "pw-bob")

    assert statuses == [200, 200, 200, 200, 429]
    assert page.locator("html").get_attribute("lang") == "fr"
    assert page.locator("h1").inner_text() == locked
