"""Importing a messy real-world directory, all or nothing, and exporting it safely to spreadsheets."""

import csv
import io

import openpyxl
import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from import_export.formats import base_formats

from crm.models import ImportJob, Influencer, Topic
from crm.resources import InfluencerResource, neutralise
from crm.services.imports import import_job_create, import_job_run
from tests.crm.admin_factories import person

pytestmark = pytest.mark.django_db

MESSY = (
    "\ufeffName;Email;Kind;Language;City;Region;Country;Topics;Instagram;Blog\r\n"
    "\r\n"
    "Hélène Dupré;Helene@Exemple.fr;blogger;fr;Besançon;Bourgogne-Franche-Comté;fr;"
    "Cuisine, Écologie|vélo;@helene.d;\r\n"
    "François Lefèvre;;Brand ambassador;French;Saint-Étienne;Auvergne-Rhône-Alpes;FR;sport;francois.l;fl-blog\r\n"
    ";;;;;;;;;\r\n"
    "Hélène Dupré;helene@exemple.fr;blogger;fr;Besançon;Bourgogne-Franche-Comté;fr;cuisine;helene.d;\r\n"
    'Zoé "Zozo" Martin;zoe@exemple.fr;micro-influencer;fr;Lille;Hauts-de-France;FR;mode;;zoe-blog\r\n'
    "\r\n"
)


def run_import(content: bytes, *, user) -> ImportJob:
    """As the admin's upload stores the file and a worker runs its job (here, in the test's process)."""
    job = import_job_create(by=user, upload=SimpleUploadedFile("people.csv", content))
    import_job_run(job_id=job.pk)
    job.refresh_from_db()
    return job


def test_a_messy_real_world_file_imports_each_person_once(alice):
    job = run_import(MESSY.encode("utf-8"), user=alice)

    assert (job.status, job.invalid) == ("done", 0), job.errors or job.failure
    assert sorted(Influencer.objects.values_list("name", flat=True)) == [
        "François Lefèvre",
        "Hélène Dupré",
        'Zoé "Zozo" Martin',
    ]
    helene = Influencer.objects.get(email__iexact="helene@exemple.fr")
    assert (helene.city, helene.region, helene.country, helene.owner) == (
        "Besançon",
        "Bourgogne-Franche-Comté",
        "FR",
        alice,
    )
    assert sorted(helene.topics.values_list("name", flat=True)) == ["Cuisine", "vélo", "Écologie"]
    assert list(helene.channels.values_list("platform", "handle")) == [("instagram", "helene.d")]
    francois = Influencer.objects.get(name="François Lefèvre")
    assert francois.kind == "ambassador" and francois.language == "fr"
    # The same defaults as adding a person by hand: an ambassador stays in touch, the importer owns them.
    assert francois.cadence_days == settings.AMBASSADOR_CADENCE_DAYS and francois.next_contact_due
    assert francois.history.get().history_user == alice
    assert sorted(francois.channels.values_list("handle", flat=True)) == ["fl-blog", "francois.l"]
    assert Topic.objects.filter(name__iexact="cuisine").count() == 1


def test_a_handle_matches_case_insensitively_without_an_email(alice):
    known = person("Zozo", channels=[("blog", "ZOE-BLOG")])

    run_import(MESSY.encode("utf-8"), user=alice)

    assert Influencer.objects.filter(pk=known.pk, email="zoe@exemple.fr").exists()
    assert Influencer.objects.count() == 3


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
