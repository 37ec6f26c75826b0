"""Importing a messy real-world directory, all or nothing, and exporting it safely to spreadsheets."""

import csv
import io

import openpyxl
import pytest
from django.conf import settings
from django.urls import reverse
from import_export.formats import base_formats

from crm.models import Channel, Influencer, Topic
from crm.resources import InfluencerResource, SniffingCSV, neutralise
from tests.crm.admin_factories import person

pytestmark = pytest.mark.django_db

# 40 new topics (one query each), lookups by 500, bulk writes by batches the database allows: row by row, it
# would be some 10,000.
QUERIES_FOR_A_THOUSAND_ROWS = 130

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


def run_import(content, fmt=SniffingCSV, user=None, dry_run=False):
    dataset = fmt().create_dataset(content)
    return InfluencerResource().import_data(dataset, dry_run=dry_run, user=user)


def test_a_messy_real_world_file_imports_each_person_once(alice):
    result = run_import(MESSY.encode("utf-8"), user=alice)

    assert not result.has_errors() and not result.has_validation_errors(), result.invalid_rows
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


def test_a_row_matching_someone_already_there_updates_them(alice):
    known = person("H. Dupré", email="HELENE@exemple.fr", channels=[("instagram", "Helene.D")], city="")

    run_import(MESSY.encode("utf-8"), user=alice)

    known.refresh_from_db()
    assert Influencer.objects.filter(name__startswith="H").count() == 1
    assert known.name == "Hélène Dupré" and known.city == "Besançon"
    assert known.channels.count() == 1


def test_a_handle_matches_case_insensitively_without_an_email(alice):
    known = person("Zozo", channels=[("blog", "ZOE-BLOG")])

    run_import(MESSY.encode("utf-8"), user=alice)

    assert Influencer.objects.filter(pk=known.pk, email="zoe@exemple.fr").exists()
    assert Influencer.objects.count() == 3


def test_a_file_with_one_bad_row_imports_nothing_and_says_which_row_and_why(alice):
    bad = (
        "name,email,kind,instagram\n"
        "Ana,ana@example.org,blogger,ana\n"
        "Ben,not-an-email,blogger,ben\n"
        "Cid,cid@example.org,wizard,cid\n"
        ",,,\n"
        ",dan@example.org,,\n"
    )

    result = run_import(bad.encode(), user=alice)

    assert not Influencer.objects.exists() and not Channel.objects.exists()
    errors = {row.number: row.error_dict for row in result.invalid_rows}
    assert errors == {
        2: {"email": ["Enter a valid email address."]},
        3: {"kind": ["“wizard” is not one of: blogger, ambassador, micro_influencer, journalist, podcaster, other."]},
        5: {"name": ["A new person needs a name."]},
    }


def test_a_row_naming_two_different_people_is_refused(alice):
    person("Ana", email="ana@example.org")
    person("Ben", channels=[("instagram", "ben")])

    result = run_import(b"name,email,instagram\nAna,ana@example.org,ben\n", user=alice)

    [invalid] = result.invalid_rows
    assert invalid.number == 1
    assert invalid.non_field_specific_errors == [
        "This row matches several people: Ana (by e-mail ana@example.org); Ben (by instagram ben). "
        "Fix the row, or merge those people first."
    ]


def test_an_xlsx_file_imports_too(alice):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Name", "Email", "Topics", "YouTube", "TikTok"])
    sheet.append(["Inès", "ines@example.org", "musique; danse", "ines-tube", "ines.tok"])
    sheet.append([None, None, None, None, None])
    sheet.append(["Inès", "INES@example.org", "danse", None, None])
    stream = io.BytesIO()
    book.save(stream)

    result = run_import(stream.getvalue(), fmt=base_formats.XLSX, user=alice)

    assert not result.has_validation_errors(), result.invalid_rows
    ines = Influencer.objects.get()
    assert sorted(ines.channels.values_list("platform", flat=True)) == ["tiktok", "youtube"]
    assert sorted(ines.topics.values_list("name", flat=True)) == ["danse", "musique"]


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

    run_import(exported, user=alice)

    ana = Influencer.objects.get()
    assert ana.city == "-Lyon-"
    assert sorted(ana.topics.values_list("name", flat=True)) == ["cuisine", "vélo"]
    assert ana.channels.get().handle == "ana_x"


def test_neutralise_leaves_plain_text_and_numbers_alone():
    assert neutralise("Lyon") == "Lyon"
    assert neutralise(12) == 12
    assert neutralise("=1+1") == "'=1+1"


def big_file(rows: int) -> bytes:
    lines = ["name;email;kind;city;region;topics;instagram;youtube"]
    for n in range(rows):
        lines.append(f"Person {n};p{n}@example.org;blogger;Nantes;Pays de la Loire;t{n % 40}|mode;insta{n};tube{n}")
    return ("\r\n".join(lines) + "\r\n").encode()


def test_the_resource_imports_a_thousand_rows_in_bulk_not_row_by_row(alice, django_assert_max_num_queries):
    """The admin imports through the background job (tests/crm/test_import_job.py); the resource stays bulk too."""
    content = big_file(1_000)
    # A quarter of them are already known: they must be updated, not added again.
    for n in range(0, 1_000, 4):
        Influencer.objects.create(name=f"Old {n}", email=f"P{n}@EXAMPLE.org")

    with django_assert_max_num_queries(QUERIES_FOR_A_THOUSAND_ROWS):
        result = run_import(content, user=alice)

    assert not result.has_errors() and not result.has_validation_errors()
    assert Influencer.objects.count() == 1_000
    assert Channel.objects.count() == 2_000


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
