"""Whatever the directory holds — typed before the forms refused it, or through a path that does not check —
the exports never hand a spreadsheet a formula and never fail: the directory's CSV and XLSX (the admin's
export) and every report's CSV and XLSX. Text that starts like a formula (=, +, -, @, tab, CR) gets a leading
apostrophe; characters a workbook cannot hold are dropped."""

import csv
import io

import openpyxl
import pytest
from django.urls import reverse
from django.utils import timezone
from hypothesis import example, given
from hypothesis import strategies as st

from campaigns.models import Stage
from crm.exports import FORMULA_STARTS, neutralise
from reports.exports import safe_cell
from reports.registry import REPORTS
from tests.factories import (
    BrandFactory,
    CampaignFactory,
    ChannelFactory,
    ContactFactory,
    ExchangeFactory,
    InfluencerFactory,
    RelationshipFactory,
)
from tests.hostile.strategies import CONTROL, HOSTILE, SCRIPT, any_char, control_char, rolled_back

pytestmark = pytest.mark.django_db

FORMULAS = ["=1+1", "+1", "-1", "@SUM(A1)", "\t=1", "\r=1", '=HYPERLINK("http://evil.example")', "-"]

# Stored text, as any path may have written it: formulas, control characters, markup, unicode.
stored_text = st.one_of(
    st.sampled_from([*FORMULAS, CONTROL, SCRIPT, "Ana\x00", "\x1b[31mred"]),
    st.tuples(st.sampled_from(FORMULAS), st.text(st.one_of(any_char, control_char), max_size=20)).map("".join),
    st.text(st.one_of(any_char, control_char), min_size=1, max_size=30),
)


def _no_nul(value: str) -> str:
    # The one character no database column holds (PostgreSQL refuses it): stored data cannot contain it.
    return value.replace("\x00", "") or "x"


def stored_people(texts: list[str]) -> None:
    """A small community with the texts in every field an export shows."""
    texts = [_no_nul(t) for t in texts]
    name, city, topic, brand, reason = (texts * 5)[:5]
    person = InfluencerFactory(name=name, city=city, region=city, email="", topics=[topic[:80]])
    ChannelFactory(influencer=person, handle=name[:150])
    campaign = CampaignFactory(brand=BrandFactory(name=brand[:120]), name=name[:150], topics=[topic[:80]])
    closed = RelationshipFactory(
        influencer=person,
        campaign=campaign,
        stage=Stage.CLOSED,
        thank_you="skipped",
        thank_you_skip_reason=reason,
        off_topic_reason=reason,
        closed_at=timezone.now(),
    )
    ContactFactory(influencer=person, relationship=closed, summary=reason)
    ExchangeFactory(influencer=person, relationship=closed, note=reason)


def assert_inert_csv(text: str) -> None:
    for row in csv.reader(io.StringIO(text, newline="")):
        for value in row:
            assert not value.startswith(FORMULA_STARTS), value


def assert_inert_xlsx(content: bytes) -> None:
    workbook = openpyxl.load_workbook(io.BytesIO(content))
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", cell.value
                if isinstance(cell.value, str):
                    assert not cell.value.startswith(FORMULA_STARTS), cell.value


@HOSTILE
@example(texts=FORMULAS)
@example(texts=[CONTROL, "\x01=1", "\x0b", "\x7f", "\x1f+1"])
@given(texts=st.lists(stored_text, min_size=1, max_size=5))
def test_every_report_exports_inert_csv_and_xlsx_whatever_is_stored(as_alice, texts):
    with rolled_back():
        stored_people(texts)
        for slug in REPORTS:
            as_csv = as_alice.get(reverse("admin:reports_report_csv", args=[slug]))
            as_xlsx = as_alice.get(reverse("admin:reports_report_xlsx", args=[slug]))

            assert as_csv.status_code == as_xlsx.status_code == 200, slug
            assert_inert_csv(as_csv.content.decode("utf-8"))
            assert_inert_xlsx(as_xlsx.content)


@HOSTILE
@example(texts=FORMULAS, fmt="0")
@example(texts=FORMULAS, fmt="1")
@example(texts=[CONTROL, "\x01=1", "\x0b", "\x7f", "\x1f+1"], fmt="1")
@given(texts=st.lists(stored_text, min_size=1, max_size=5), fmt=st.sampled_from(["0", "1"]))
def test_the_directory_exports_inert_csv_and_xlsx_whatever_is_stored(as_alice, texts, fmt):
    with rolled_back():
        stored_people(texts)
        fields = {f"influencerresource_{column}": "on" for column in ("name", "city", "region", "topics", "instagram")}

        response = as_alice.post(reverse("admin:crm_influencer_export"), {"format": fmt, "resource": "0", **fields})

        assert response.status_code == 200
        if fmt == "0":
            assert_inert_csv(response.content.decode("utf-8"))
        else:
            assert_inert_xlsx(response.content)


@given(value=st.one_of(stored_text, st.integers(), st.floats(allow_nan=False), st.none()))
@example(value="=1+1")
@example(value="\x01=1")
def test_no_cell_of_any_export_starts_a_formula_or_holds_a_character_a_workbook_refuses(value):
    for safe in (safe_cell(value), neutralise(value)):
        if isinstance(safe, str):
            assert not safe.startswith(FORMULA_STARTS), safe
    cell = safe_cell(value)
    if isinstance(cell, str):
        assert not openpyxl.cell.cell.ILLEGAL_CHARACTERS_RE.search(cell), cell
