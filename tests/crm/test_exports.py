"""Exporting the directory to spreadsheets safely (crm.exports): no cell runs as a formula, the file imports back."""

import csv
import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from import_export.formats import base_formats

from crm.exports import InfluencerResource, neutralise
from crm.imports import import_job_create, import_job_run
from crm.models import Influencer
from tests.crm.admin_factories import person

pytestmark = pytest.mark.django_db


DANGEROUS = ['=HYPERLINK("http://evil")', "+33 6 12", "-2+3", "@SUM(A1)", "\tcmd", "\rcmd"]


@pytest.fixture
def dangerous_people():
    for n, value in enumerate(DANGEROUS):
        person(f"P{n}", city=value, channels=[("instagram", f"h{n}")], topics=["=cmd|calc"])
    person("Plain", city="Lyon")


def test_exported_csv_cells_cannot_run_as_formulas(dangerous_people):
    data = base_formats.CSV().export_data(InfluencerResource().export())

    header, *rows = csv.reader(io.StringIO(data, newline=""))
    cities = [row[header.index("city")] for row in rows]
    # The CSV writer may turn a lone CR into a newline; what matters is the quote in front.
    assert sorted(c.replace("\n", "\r") for c in cities if c != "Lyon") == sorted("'" + v for v in DANGEROUS)
    assert "Lyon" in cities
    assert {row[header.index("topics")] for row in rows} == {"'=cmd|calc", ""}


def test_exported_xlsx_cells_cannot_run_as_formulas(dangerous_people):
    data = base_formats.XLSX().export_data(InfluencerResource().export())

    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    rows = list(sheet.iter_rows(values_only=True))
    city = rows[0].index("city")
    cities = [r[city] for r in rows[1:]]
    assert sorted(c.replace("\n", "\r") for c in cities if c != "Lyon") == sorted("'" + v for v in DANGEROUS)
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)


def test_an_export_imports_back_unchanged(alice):
    person("Ana", email="ana@example.org", city="-Lyon-", topics=["vélo", "cuisine"], channels=[("x", "ana_x")])
    exported = base_formats.CSV().export_data(InfluencerResource().export())
    Influencer.objects.all().delete()

    job = import_job_create(by=alice, upload=SimpleUploadedFile("people.csv", exported.encode()))
    import_job_run(job_id=job.pk)

    ana = Influencer.objects.get()
    assert ana.city == "-Lyon-"
    assert sorted(ana.topics.values_list("name", flat=True)) == ["cuisine", "vélo"]
    assert ana.channels.get().handle == "ana_x"


def test_neutralise_leaves_plain_text_and_numbers_alone():
    assert neutralise("Lyon") == "Lyon"
    assert neutralise(12) == 12
    assert neutralise("=1+1") == "'=1+1"


def test_the_admin_export_neutralises_cells(client, alice):
    client.force_login(alice)
    person("Evil", city="=2+5")

    response = client.post(
        reverse("admin:crm_influencer_export"),
        {"format": "0", "resource": "0", **{f"influencerresource_{c}": "on" for c in ("name", "city")}},
    )

    assert response.status_code == 200
    assert "'=2+5" in response.content.decode()


def test_only_a_manager_may_export_the_whole_directory(client, alice, bob):
    # bob is a marketer given staff status: he reaches the admin, but the directory's personal data in one file is
    # the managers' (as one person's privacy export is).
    bob.is_staff = True
    bob.save(update_fields=["is_staff"])
    person("Evil", city="Lyon")
    client.force_login(bob)

    assert client.get(reverse("admin:crm_influencer_export")).status_code == 403
    assert client.get(reverse("admin:crm_influencer_changelist")).status_code == 200

    client.force_login(alice)
    assert client.get(reverse("admin:crm_influencer_export")).status_code == 200
