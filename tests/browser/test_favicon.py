"""The app's icon: named by every page (UI and admin), and /favicon.ico answers for the pages that name none.

Without it, every page's /favicon.ico was a 404 on the browser's console; page_in fails a test on any console
error, so every browser test keeps this fixed on the pages it visits.
"""

import pytest

from tests.browser.steps import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def icon_of(page) -> tuple[int, str]:
    href = page.locator("link[rel=icon]").get_attribute("href")
    response = page.request.get(href)
    return response.status, response.headers["content-type"]


def test_the_ui_and_the_admin_name_the_icon_and_favicon_ico_leads_to_it(page_in, alice):
    page = page_in()
    log_in(page, "alice", "pw-alice")
    ui_icon = icon_of(page)
    page.goto("/admin/")
    admin_icon = icon_of(page)

    favicon = page.request.get("/favicon.ico")

    assert ui_icon == admin_icon == (200, "image/svg+xml")
    assert (favicon.status, favicon.headers["content-type"]) == (200, "image/svg+xml")
