"""The report pages: chart data for the static script, the table, the exports, a bounded number of queries."""

import csv
import io
import json

import pytest
from django.core.cache import caches
from django.urls import reverse
from openpyxl import load_workbook

from reports.registry import REPORTS
from tests.reports.conftest import QUERY, build_community

pytestmark = pytest.mark.django_db


def test_a_report_page_passes_its_chart_as_json_and_shows_the_table_with_no_inline_script(manager, community):
    response = manager.get(reverse("admin:reports_report_detail", args=["pipeline"]), QUERY)
    html = response.content.decode()

    chart = json.loads(html.split('<script id="report-chart-data" type="application/json">')[1].split("</script>")[0])
    assert chart["labels"] == ["Acme · Autumn", "Acme · Spring", "Zeta · Sport"]
    assert chart["datasets"][0] == {"label": "shortlisted", "data": [0, 1, 0]}
    assert 'src="/static/vendor/chart.js/chart.umd.min.js"' in html and 'src="/static/js/reports.js"' in html
    assert "<td>66.7</td>" in html
    # Only the admin's own scripts and ours, all from files; json_script is data, not code.
    body = html.split('id="content-main"')[1]
    assert "<script>" not in body and '<script type="text/javascript">' not in body


def test_the_csv_has_the_tables_with_formula_cells_defused(manager, community):
    response = manager.get(reverse("admin:reports_report_csv", args=["endings"]), QUERY)

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="endings-2025-01-01-2025-06-30.csv"'
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[:5] == [
        ["Endings per campaign"],
        [
            "campaign",
            "closed",
            "thank-you sent",
            "thank-you pending",
            "thank-you skipped",
            "thank-you missing",
            "declined or no reply, still thanked",
        ],
        ["Acme · Autumn", "1", "0", "0", "0", "1", "0"],
        ["Acme · Spring", "2", "2", "0", "0", "0", "1"],
        ["Zeta · Sport", "1", "0", "0", "1", "0", "0"],
    ]
    assert ["Léa", "Zeta · Sport", "no reply", "2025-04-01", '\'=HYPERLINK("http://evil.example")'] in rows
    assert ["thank-you", "marc@example.org", "2025-05-01 13:00:00", "8", "'-550 mailbox unavailable"] in rows


def test_the_xlsx_has_one_sheet_per_table_numbers_as_numbers_and_formula_cells_defused(manager, community):
    response = manager.get(reverse("admin:reports_report_xlsx", args=["guardrails"]), QUERY)

    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["Per rule", "Off-topic pitches and their rea", "Sponsored posts still without t"]
    rules = [list(row) for row in book["Per rule"].iter_rows(values_only=True)]
    assert rules[0] == ["rule", "blocked", "overridden with a reason", "acknowledged", "flagged"]
    assert rules[2] == ["off-topic pitch", 1, 2, 0, 0]
    reasons = [list(row) for row in book.worksheets[1].iter_rows(values_only=True)]
    assert [row[1:] for row in reasons[1:]] == [
        ["Léa", "Zeta · Sport", None, "'+33 launch fits her audience"],
        ["Omar", "Zeta · Sport", None, "Sport podcast special"],
    ]
    assert all(cell.data_type != "f" for sheet in book for row in sheet.iter_rows() for cell in row)


def test_the_overview_shows_the_key_figures_of_every_report(manager, community):
    response = manager.get(reverse("admin:reports_report_changelist"), QUERY)

    # Each card fetches its report's figures, with the overview's filters.
    html = response.content.decode()
    cards = [f'data-report-figures="{reverse("admin:reports_report_figures", args=[slug])}?' for slug in REPORTS]
    assert [html.index(card) for card in cards] == sorted(html.index(card) for card in cards)
    assert 'src="/static/js/report-overview.js"' in html
    overview = {
        slug: {
            str(k): v
            for k, v in manager.get(reverse("admin:reports_report_figures", args=[slug]), QUERY).context["figures"]
        }
        for slug in REPORTS
    }
    assert overview["pipeline"]["pitched → active (%)"] == 42.9
    assert overview["followups"]["overdue relationships"] == 2
    assert overview["responsiveness"]["answered within 7 days (%)"] == 20.0
    assert overview["endings"]["thank-you missing"] == 1
    assert overview["guardrails"]["off-topic pitches overridden"] == 2
    assert overview["spread"]["Paris / Île-de-France: share of people (%)"] == 50.0
    assert overview["reciprocity"]["reach"] == 32500
    assert overview["audience"]["growth"] == 6000


@pytest.mark.parametrize("slug", [None, *REPORTS])
def test_computing_a_report_costs_the_same_queries_whatever_the_data(
    manager, community, bob, dave, slug, django_assert_num_queries
):
    url = reverse("admin:reports_report_detail", args=[slug]) if slug else reverse("admin:reports_report_changelist")
    extra = KEEPING if slug else 0
    with django_assert_num_queries(QUERIES[slug] + extra):
        assert manager.get(url, QUERY).status_code == 200
    for copy in range(3):  # four times the data
        build_community(bob, dave, suffix=f" {copy}")
    caches["reports"].clear()
    with django_assert_num_queries(QUERIES[slug] + extra):
        assert manager.get(url, QUERY).status_code == 200


@pytest.mark.parametrize("slug", list(REPORTS))
def test_an_overview_card_costs_its_report_without_the_form(
    manager, community, bob, dave, slug, django_assert_num_queries
):
    url = reverse("admin:reports_report_figures", args=[slug])
    with django_assert_num_queries(QUERIES[slug] - 1 + KEEPING):
        assert manager.get(url, QUERY).status_code == 200
    for copy in range(3):  # four times the data
        build_community(bob, dave, suffix=f" {copy}")
    caches["reports"].clear()
    with django_assert_num_queries(QUERIES[slug] - 1 + KEEPING):
        assert manager.get(url, QUERY).status_code == 200


@pytest.mark.parametrize("slug", list(REPORTS))
def test_a_kept_report_is_read_in_one_query_beside_the_page_s_own(manager, community, slug, django_assert_num_queries):
    url = reverse("admin:reports_report_detail", args=[slug])
    manager.get(url, QUERY)

    # session, user, permissions, the filter form's owners, and the kept report.
    with django_assert_num_queries(5):
        assert manager.get(url, QUERY).status_code == 200
    # The overview's card: no filter form.
    with django_assert_num_queries(4):
        assert manager.get(reverse("admin:reports_report_figures", args=[slug]), QUERY).status_code == 200


# 4 for every page: session and user (2), the user's permissions (own and groups', one query), the filter form's
# owners (brands and campaigns are searched as one types: none is read until one is chosen). The rest is the
# report's own: pipeline 2 (per campaign, the medians), follow-ups 5, responsiveness 4 (per owner and kind in one,
# three medians), endings 3, guardrails 4 (the posts still without their disclosure are one), spread 4 (people and
# relationships: their region, tier and kind in one, their topics in another), reciprocity 3 (the totals, the first
# people, per campaign), audience 3 (the totals, the channels that grew most, their names).
# The overview builds none: each card fetches its report's figures (3 + the report's own; the form is not shown).
# A report computed and kept (reports.cache) adds KEEPING: the cache read, then the write in a savepoint (how many
# rows it holds, whether the key exists, the insert).
KEEPING = 6
QUERIES = {
    None: 4,
    "pipeline": 6,
    "followups": 9,
    "responsiveness": 8,
    "endings": 7,
    "guardrails": 8,
    "spread": 8,
    "reciprocity": 7,
    "audience": 7,
}


def downloaded_rows(client, slug: str) -> list[list[str]]:
    response = client.get(reverse("admin:reports_report_csv", args=[slug]), QUERY)
    return list(csv.reader(io.StringIO(response.content.decode())))


def test_a_page_shows_the_first_rows_of_a_long_table_and_the_download_has_them_all(manager, community, monkeypatch):
    monkeypatch.setattr("reports.admin.PAGE_ROWS", 2)

    page = manager.get(reverse("admin:reports_report_detail", args=["reciprocity"]), QUERY)
    csv_rows = downloaded_rows(manager, "reciprocity")

    people = page.context["result"].tables[0]
    assert [row[0] for row in people.rows] == ["Léa", "Marc"]
    assert (people.total, people.cut) == (3, True)
    assert "The first 2 rows of 3: the CSV and XLSX downloads have them all." in page.content.decode()
    assert [row[0] for row in csv_rows[2:5]] == ["Léa", "Marc", "Nina"]
    # The figures count everyone, not the rows shown.
    assert {str(k): v for k, v in page.context["result"].figures}["reach"] == 32500


def test_the_pipeline_page_shows_and_draws_the_first_campaigns_and_counts_them_all(manager, community, monkeypatch):
    monkeypatch.setattr("reports.admin.PAGE_ROWS", 2)

    page = manager.get(reverse("admin:reports_report_detail", args=["pipeline"]), QUERY)
    csv_rows = downloaded_rows(manager, "pipeline")

    result = page.context["result"]
    assert [row[0] for row in result.tables[0].rows] == ["Acme · Autumn", "Acme · Spring"]
    assert (result.tables[0].total, result.tables[0].cut) == (3, True)
    assert result.chart["labels"] == ["Acme · Autumn", "Acme · Spring"]
    assert {str(k): v for k, v in result.figures}["relationships"] == 8
    assert [row[0] for row in csv_rows[2:5]] == ["Acme · Autumn", "Acme · Spring", "Zeta · Sport"]


def test_the_audience_page_cuts_its_channels_and_keeps_its_totals(manager, community, monkeypatch):
    monkeypatch.setattr("reports.admin.PAGE_ROWS", 1)

    result = manager.get(reverse("admin:reports_report_detail", args=["audience"]), QUERY).context["result"]

    assert [row[0] for row in result.tables[0].rows] == ["Marc"]
    assert result.tables[0].total == 3
    assert {str(k): v for k, v in result.figures}["growth"] == 6000


@pytest.mark.parametrize(("language", "grouped"), [("en", "255,000"), ("fr", "255\xa0000")])
def test_counts_read_with_the_readers_thousands_separator(manager, community, language, grouped):
    """Followers at the end: Léa 5,000, Marc 50,000, Nina 200,000 (Omar's only snapshot is before the range)."""
    response = manager.get(
        reverse("admin:reports_report_detail", args=["audience"]), QUERY, headers={"accept-language": language}
    )
    html = response.content.decode()

    assert f"<td>{grouped}</td>" in html
    assert "<td>255000</td>" not in html
    assert f"<td>{'200,000' if language == 'en' else '200' + chr(160) + '000'}</td>" in html  # a row of the table
