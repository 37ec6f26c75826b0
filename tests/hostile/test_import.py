"""Hostile files through the import: the admin's upload page stores them, the job imports them (run here in the
test's process, as the worker would). Any cell of any row may be random unicode, control characters, NUL,
markup or far too long; the header may be garbage; the bytes may not be text at all. The import then either
writes the file or refuses it with the rows and reasons, never stops on an "unexpected error", and what it
wrote comes back escaped on the person's page and the admin list."""

import csv
import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from hypothesis import example, given
from hypothesis import strategies as st

from crm.imports import import_job_run
from crm.imports.rules import COLUMNS
from crm.models import ImportJob, Influencer
from tests.hostile.strategies import (
    CONTROL,
    HOSTILE,
    LONG,
    NUL,
    SCRIPT,
    assert_harmless,
    assert_no_live_markup,
    hostile_text,
    printable_text,
    rolled_back,
)

pytestmark = pytest.mark.django_db

VALID_ROW = {
    "name": "Ana Martin",
    "email": "ana@example.org",
    "kind": "blogger",
    "language": "fr",
    "city": "Lyon",
    "region": "Bretagne",
    "country": "FR",
    "topics": "cuisine, vélo",
    "instagram": "@ana.martin",
}
UNEXPECTED = "The import stopped on an unexpected error"


def hostile_rows() -> st.SearchStrategy[list[dict]]:
    """One to three rows: a valid row with one to three cells replaced by hostile text."""
    cell = st.tuples(st.sampled_from(COLUMNS), st.one_of(hostile_text(120), printable_text()))
    row = st.lists(cell, min_size=1, max_size=3).map(lambda cells: {**VALID_ROW, **dict(cells)})
    return st.lists(row, min_size=1, max_size=3)


def as_csv(rows: list[dict], header: list[str] = COLUMNS) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    for row in rows:
        writer.writerow([row.get(column, "") for column in COLUMNS])
    return out.getvalue().encode("utf-8", errors="surrogatepass")


def as_xlsx(rows: list[dict]) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(COLUMNS)
    for row in rows:
        # openpyxl itself refuses control characters in a cell, so a real spreadsheet cannot hold them either.
        sheet.append([openpyxl.cell.cell.ILLEGAL_CHARACTERS_RE.sub("", row.get(c, "")) for c in COLUMNS])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def upload_and_run(client, content: bytes, name: str) -> ImportJob | None:
    upload = SimpleUploadedFile(name, content, content_type="application/octet-stream")
    response = client.post(reverse("admin:crm_importjob_add"), {"file": upload})
    assert_harmless(response)
    assert_no_live_markup(response.content)
    job = ImportJob.objects.order_by("-pk").first()
    if job is None:
        return None
    import_job_run(job_id=job.pk)
    job.refresh_from_db()
    return job


def assert_done_or_refused_with_reasons(client, job: ImportJob) -> None:
    assert job.status in {ImportJob.Status.DONE, ImportJob.Status.FAILED}, job.status
    assert UNEXPECTED not in (job.failure or ""), job.failure
    page = client.get(reverse("admin:crm_importjob_change", args=[job.pk]))
    assert page.status_code == 200
    assert_no_live_markup(page.content)
    if job.status == ImportJob.Status.DONE:
        for person in Influencer.objects.all():
            shown = client.get(reverse("crm:influencer_detail", args=[person.pk]))
            assert shown.status_code == 200
            assert_no_live_markup(shown.content)
        assert_no_live_markup(client.get(reverse("admin:crm_influencer_changelist")).content)


@HOSTILE
@example(rows=[{**VALID_ROW, "name": NUL, "city": NUL}])
@example(rows=[{**VALID_ROW, "topics": NUL, "instagram": "ana\x00"}])
@example(rows=[{**VALID_ROW, "name": CONTROL, "region": "Bre\x1btagne"}])
@example(rows=[{**VALID_ROW, "name": LONG, "topics": "t" * 200, "instagram": "h" * 200}])
@example(rows=[{**VALID_ROW, "topics": "a" * 80 + "x, " + "A" * 80 + "y"}])
@example(rows=[{**VALID_ROW, "name": SCRIPT, "city": SCRIPT, "topics": SCRIPT, "instagram": SCRIPT}])
@example(rows=[{**VALID_ROW, "email": '"\x01"@example.org'}])
@example(rows=[{**VALID_ROW, "name": '=HYPERLINK("http://evil.example")', "city": "+1", "region": "-1"}])
@given(rows=hostile_rows())
def test_a_hostile_csv_is_imported_or_refused_with_its_reasons(as_alice, rows):
    with rolled_back():
        job = upload_and_run(as_alice, as_csv(rows), "people.csv")

        assert job is not None
        assert_done_or_refused_with_reasons(as_alice, job)


@HOSTILE
@example(rows=[{**VALID_ROW, "name": SCRIPT, "topics": "x" * 300}])
@given(rows=hostile_rows())
def test_a_hostile_xlsx_is_imported_or_refused_with_its_reasons(as_alice, rows):
    with rolled_back():
        job = upload_and_run(as_alice, as_xlsx(rows), "people.xlsx")

        assert job is not None
        assert_done_or_refused_with_reasons(as_alice, job)


@HOSTILE
@example(content=b"\x00" * 100, name="people.csv")
@example(content=b"PK\x03\x04 not a zip", name="people.xlsx")
@example(content=b"\xff\xfe" + "name\nAna\n".encode("utf-16-le"), name="people.csv")
@example(content=b"name\n" + b"A" * 200_000 + b"\n", name="people.csv")
@example(content=b'name,email\n"unterminated,ana@example.org\n', name="people.csv")
@example(content=b"", name="people.csv")
@example(content=b"name\nAna\n", name="people.exe")
@given(
    content=st.one_of(
        st.binary(max_size=300),
        st.lists(hostile_text(40), min_size=1, max_size=6).map(lambda header: as_csv([VALID_ROW], header)),
    ),
    name=st.sampled_from(["people.csv", "people.xlsx", "people.CSV", "people"]),
)
def test_any_uploaded_bytes_are_refused_or_imported_never_a_crash(as_alice, content, name):
    with rolled_back():
        job = upload_and_run(as_alice, content, name)

        if job is not None:
            assert_done_or_refused_with_reasons(as_alice, job)


def damaged(workbook: bytes, changes: list[tuple[int, int]]) -> bytes:
    content = bytearray(workbook)
    for where, byte in changes:
        content[where % len(content)] = byte
    return bytes(content)


@HOSTILE
# Found by this test: a central directory whose offsets point before the file (a negative seek, ValueError) and a
# part name that is not UTF-8 (UnicodeDecodeError) escaped the archive check at upload as a 500.
@example(changes=[(1639, 76)])  # the central directory's offset
@example(changes=[(691, 168), (659, 200)])  # a part's name, in the local and central headers
@given(changes=st.lists(st.tuples(st.integers(min_value=0), st.integers(0, 255)), min_size=1, max_size=4))
def test_a_damaged_workbook_is_refused_or_imported_never_a_crash(as_alice, changes):
    from bench.bombs import workbook

    with rolled_back():
        job = upload_and_run(as_alice, damaged(workbook(), changes), "people.xlsx")

        if job is not None:
            assert_done_or_refused_with_reasons(as_alice, job)
