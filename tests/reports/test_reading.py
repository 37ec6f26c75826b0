"""What a manager reads on a report page, in English and in French: headers, rule names, owners' names, dates
typed as the page's language writes them, the printed page and the charts' text alternative (issue #18)."""

import datetime
import json
import re

import pytest
from django.urls import reverse
from django.utils import translation

from reports.filters import ReportFilterForm
from reports.registry import REPORTS
from tests.reports.conftest import QUERY

pytestmark = pytest.mark.django_db


def page(client, slug: str, query: dict, language: str = "en") -> str:
    response = client.get(reverse("admin:reports_report_detail", args=[slug]), query, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    return response.content.decode()


def headers(html: str) -> list[list[str]]:
    return [re.findall(r'<th scope="col">(.*?)</th>', head) for head in re.findall(r"<thead>(.*?)</thead>", html)]


@pytest.mark.parametrize("language", ["en", "fr"])
def test_no_report_table_repeats_a_column_header(manager, community, language):
    for slug in REPORTS:
        for columns in headers(page(manager, slug, QUERY, language)):
            assert len(columns) == len(set(columns)), (slug, columns)


def test_the_pipeline_says_ever_pitched_beside_the_pitched_stage(manager, community):
    pipeline = headers(page(manager, "pipeline", QUERY))[0]

    assert pipeline.count("Pitched") == 1 and "Ever pitched" in pipeline


def test_a_wide_table_scrolls_in_its_own_box(manager, community):
    html = page(manager, "pipeline", QUERY)

    assert html.count('<div class="report-table-scroll" role="region"') == html.count('<table class="report-table">')
    assert 'href="/static/css/reports.css"' in html


@pytest.mark.parametrize("language", ["en", "fr"])
def test_the_guardrails_report_names_rules_without_their_internal_codes(manager, community, language):
    html = page(manager, "guardrails", QUERY, language)

    assert not re.search(r"\((B|M|E)\d\)", html)
    assert ("off-topic pitch" if language == "en" else "proposition hors sujet") in html.lower()


def test_the_guardrails_download_names_rules_as_the_page_does(manager, community):
    response = manager.get(reverse("admin:reports_report_csv", args=["guardrails"]), QUERY)

    assert "incomplete brief,2,0,0,0" in response.content.decode()
    assert not re.search(r"\((B|M|E)\d\)", response.content.decode())


def test_the_owner_filter_lists_members_by_name(manager, community, bob, django_user_model):
    bob.last_name = "Martin"
    bob.save()
    django_user_model.objects.create_user(username="zoe", password="pw-zoe")

    html = page(manager, "pipeline", QUERY)
    owners = re.search(r'<select name="owner".*?</select>', html, re.S).group()

    assert f'<option value="{bob.pk}">Bob Martin</option>' in owners
    assert ">zoe</option>" in owners  # no name: the username
    assert ">bob</option>" not in owners


@pytest.mark.parametrize(
    ("language", "typed"),
    [("fr", "31/12/2025"), ("fr", "2025-12-31"), ("en", "12/31/2025"), ("en", "2025-12-31")],
)
def test_the_date_filter_reads_the_page_language_s_format(language, typed):
    with translation.override(language):
        form = ReportFilterForm({"date_from": "01/12/2025" if language == "fr" else "2025-12-01", "date_to": typed})
        assert form.is_valid(), form.errors
    assert form.filters().date_to == datetime.date(2025, 12, 31)


@pytest.mark.parametrize(
    ("language", "message"),
    [("fr", "Écrivez la date sous la forme jj/mm/aaaa."), ("en", "Write the date as yyyy-mm-dd.")],
)
def test_the_date_filter_refuses_garbage_with_the_format_to_use(manager, community, language, message):
    html = page(manager, "pipeline", {"date_from": "31 février", "date_to": "2025-06-30"}, language)

    assert message in html
    assert 'value="31 février"' in html  # kept as typed, to be corrected


def test_a_french_manager_sees_dates_and_placeholders_as_french_writes_them(manager, community):
    # An old link, written with ISO dates, is read and shown back in the page's format.
    html = page(manager, "pipeline", QUERY, "fr")

    assert re.search(r'<input type="text" name="date_from" value="01/01/2025"[^>]* placeholder="jj/mm/aaaa"', html)
    assert re.search(r'name="date_to" value="30/06/2025"', html)
    assert 'type="date"' not in html


def test_a_page_without_dates_shows_the_default_range_in_its_fields(manager, community):
    html = page(manager, "pipeline", {}, "fr")

    assert re.search(r'name="date_from" value="30/06/2024"', html)  # a year before "now", 30 June 2025
    assert re.search(r'name="date_to" value="30/06/2025"', html)


def test_a_report_links_its_print_stylesheet(manager, community):
    html = page(manager, "guardrails", QUERY)

    assert '<link rel="stylesheet" href="/static/css/reports-print.css" media="print">' in html


@pytest.mark.parametrize("language", ["en", "fr"])
def test_a_chart_is_an_image_named_by_a_sentence_saying_what_it_shows(manager, community, language):
    html = page(manager, "pipeline", QUERY, language)

    label = re.search(r'<canvas data-report-chart="report-chart-data" role="img" aria-label="([^"]+)"', html).group(1)
    if language == "en":
        expected = "Pipeline: a chart of shortlisted, pitched, active, delivered, closed, 3 bars"
    else:
        expected = "Pipeline : graphique de présélectionné"
    assert label.startswith(expected), label


@pytest.mark.parametrize(("slug", "counts"), [("pipeline", True), ("guardrails", True), ("spread", False)])
def test_a_chart_of_counts_says_so_for_its_axis(manager, community, slug, counts):
    html = page(manager, slug, QUERY)

    chart = json.loads(html.split('<script id="report-chart-data" type="application/json">')[1].split("</script>")[0])
    assert chart.get("counts", False) is counts
