"""A French manager whose browser is in American English reads the reports (issue #18): dates as French writes
them, whole-number ticks on a count axis, charts with a name, a page that prints on A4 without the admin around
it, and no report wider than a 1280 px screen."""

import re

import pytest
from playwright.sync_api import expect

from campaigns.models import Stage
from reports.registry import REPORTS
from tests.browser.test_csp import admin_log_in
from tests.factories import BrandFactory, CampaignFactory, RelationshipFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CHART = "canvas[data-report-chart]"


@pytest.fixture
def french_manager(page_in, live_server, alice):
    """alice, logged in to the admin in French from a browser set to en-US (which alone would ask for English)."""
    acme = BrandFactory(name="Acme")
    for name, stages in [("Printemps", [Stage.SHORTLISTED, Stage.PITCHED, Stage.PITCHED]), ("Automne", [Stage.ACTIVE])]:
        campaign = CampaignFactory(brand=acme, name=name)
        for stage in stages:
            RelationshipFactory(campaign=campaign, stage=stage)
    page = page_in("en-US")
    page.context.add_cookies([{"name": "django_language", "value": "fr", "url": live_server.url}])
    admin_log_in(page, "alice", "pw-alice")
    return page


def test_the_date_filters_read_and_show_dates_as_french_writes_them(french_manager):
    page = french_manager
    page.goto("/admin/reports/report/pipeline/")

    assert page.locator("html").get_attribute("lang") == "fr"
    date_from = page.locator("#id_date_from")
    assert date_from.get_attribute("type") == "text"
    assert date_from.get_attribute("placeholder") == "jj/mm/aaaa"
    assert re.fullmatch(r"\d\d/\d\d/\d{4}", date_from.input_value())

    date_from.fill("01/01/2020")
    page.locator("#id_date_to").fill("31/12/2099")
    page.get_by_role("button", name="Afficher", exact=True).click()
    page.wait_for_load_state()

    assert "date_from=01%2F01%2F2020" in page.url
    assert page.locator("#id_date_from").input_value() == "01/01/2020"
    expect(page.locator(".report-filters .errorlist")).to_have_count(0)
    assert page.locator(".report-figures td").first.inner_text() == "4"


def test_a_count_axis_has_whole_number_ticks_in_the_page_s_language(french_manager):
    page = french_manager
    page.goto("/admin/reports/report/pipeline/")
    page.wait_for_function(f"() => window.Chart && Chart.getChart(document.querySelector('{CHART}'))")

    ticks = page.evaluate(f"() => Chart.getChart(document.querySelector('{CHART}')).scales.y.ticks")

    assert [tick["value"] for tick in ticks] == list(range(len(ticks)))  # 0, 1, 2…: no 0.5
    assert all(re.fullmatch(r"\d+", tick["label"]) for tick in ticks)


def test_every_chart_has_an_accessible_name(french_manager):
    page = french_manager
    for slug in REPORTS:
        page.goto(f"/admin/reports/report/{slug}/")
        chart = page.locator(CHART)
        if chart.count():
            expect(page.get_by_role("img", name=re.compile("graphique de"))).to_have_count(1)


def test_a_report_prints_on_a4_without_the_admin_around_it(french_manager):
    page = french_manager
    page.goto("/admin/reports/report/pipeline/")
    page.wait_for_function(f"() => window.Chart && Chart.getChart(document.querySelector('{CHART}'))")

    assert page.pdf(format="A4").startswith(b"%PDF")

    # A4's printable width (210 mm less the margins) is about 700 CSS pixels.
    page.set_viewport_size({"width": 700, "height": 990})
    page.emulate_media(media="print")
    for hidden in ["#header", "#nav-sidebar", ".breadcrumbs", ".report-filters", ".report-downloads"]:
        expect(page.locator(hidden)).to_be_hidden()
    expect(page.locator(".report-table").first).to_be_visible()
    assert page.evaluate("() => document.documentElement.scrollWidth <= document.documentElement.clientWidth")
    tables_fit = "tables => tables.every(t => t.getBoundingClientRect().right <= document.documentElement.clientWidth)"
    assert page.locator(".report-table").evaluate_all(tables_fit)


def test_no_report_scrolls_sideways_at_1280_pixels(french_manager):
    page = french_manager
    page.set_viewport_size({"width": 1280, "height": 800})
    wider = []
    for slug in REPORTS:
        page.goto(f"/admin/reports/report/{slug}/")
        if not page.evaluate("() => document.documentElement.scrollWidth <= document.documentElement.clientWidth"):
            wider.append(slug)
    assert wider == []
