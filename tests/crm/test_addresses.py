"""One e-mail address, however it is spelt, is one person (crm.addresses): on SQLite as on PostgreSQL.

"uni@EXÄMPLE.com" was a second person beside "uni@exämple.com" on SQLite, whose LOWER() folds ASCII only; and
neither database told a composed "ä" from "a" + combining diaeresis. Run this module with DATABASE_URL set to
check PostgreSQL too.
"""

import importlib
import unicodedata

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from crm.addresses import email_key
from crm.forms import InfluencerForm
from crm.imports import influencers_import
from crm.imports.reading import csv_rows, decode_csv, numbered_rows
from crm.models import Influencer
from crm.selectors import matching_people, people_with_email
from crm.services import influencer_create, influencer_update
from tests.crm.admin_factories import person

TYPED = "uni@EXÄMPLE.com"
# The same address as others type it: lower case; decomposed (a + U+0308, as macOS keyboards and some PDFs give
# it); the domain in its ASCII (IDNA) form.
SPELLINGS = [
    "uni@exämple.com",
    unicodedata.normalize("NFD", "uni@exämple.com"),
    "Uni@xn--exmple-cua.com",
]
# Full-width letters, as a Japanese input method types them: Django's validators refuse them in the local part, the
# key still folds them (a row written another way cannot slip past the unique key).
FULL_WIDTH = "ｕｎｉ@exämple.com"
TAKEN = "Someone in the directory already has the e-mail {}."


@pytest.mark.parametrize("spelling", [TYPED, *SPELLINGS, FULL_WIDTH])
def test_every_spelling_of_one_address_has_one_key(spelling):
    assert email_key(spelling) == "uni@exämple.com"


@pytest.mark.parametrize(
    "one, other",
    [
        ("lea@example.org", "leo@example.org"),
        ("uni@exämple.com", "uni@example.com"),
        ("uni@xn--example-.com", "uni@example.com"),  # decodes to ASCII: not an IDNA label
        ("uni@xn---.com", "uni@.com"),
    ],
)
def test_different_addresses_keep_different_keys(one, other):
    assert email_key(one) != email_key(other)


def test_no_address_has_no_key():
    assert email_key("") == email_key("   ") == ""


@pytest.fixture
def uni(db):
    return influencer_create(by=None, name="Uni Versel", email=TYPED)


def test_the_address_is_kept_as_typed_and_its_key_beside_it(uni):
    stored = Influencer.objects.get(pk=uni.pk)
    assert (stored.email, stored.email_key) == (TYPED, "uni@exämple.com")


@pytest.mark.parametrize("spelling", [*SPELLINGS, FULL_WIDTH])
def test_the_database_refuses_a_second_person_with_the_address_spelt_otherwise(uni, spelling):
    with pytest.raises(IntegrityError), transaction.atomic():
        Influencer.objects.create(name="Twin", email=spelling)


@pytest.mark.parametrize("spelling", SPELLINGS)
def test_the_services_refuse_it_with_a_readable_message(uni, spelling):
    with pytest.raises(ValidationError) as refused:
        influencer_create(by=None, name="Twin", email=spelling)
    assert refused.value.message_dict == {"email": [TAKEN.format(spelling)]}
    other = influencer_create(by=None, name="Other", email="other@example.org")
    with pytest.raises(ValidationError) as refused:
        influencer_update(influencer=other, by=None, email=spelling)
    assert refused.value.message_dict == {"email": [TAKEN.format(spelling)]}


def test_a_person_may_respell_their_own_address(uni):
    influencer_update(influencer=uni, by=None, email="UNI@exämple.com")
    assert Influencer.objects.get(pk=uni.pk).email == "UNI@exämple.com"


def _form_data(email: str) -> dict:
    return {
        "name": "Twin",
        "email": email,
        "kind": "blogger",
        "language": "fr",
        "timezone": "Europe/Paris",
        "consent": "unknown",
    }


@pytest.mark.parametrize("spelling", SPELLINGS)
def test_the_form_refuses_the_address_spelt_otherwise_but_lets_the_person_keep_it(uni, spelling):
    assert InfluencerForm(_form_data(spelling)).errors["email"] == [TAKEN.format(spelling)]
    assert InfluencerForm(_form_data(spelling), instance=uni).is_valid()


def test_the_add_page_refuses_it(uni, client, bob):
    client.force_login(bob)
    data = {
        **_form_data("uni@exämple.com"),
        "channels-TOTAL_FORMS": "0",
        "channels-INITIAL_FORMS": "0",
        "channels-MIN_NUM_FORMS": "0",
        "channels-MAX_NUM_FORMS": "20",
    }

    response = client.post(reverse("crm:influencer_add"), data)

    assert response.status_code == 200
    assert TAKEN.format("uni@exämple.com") in response.content.decode()
    assert Influencer.objects.count() == 1


def _admin_data(email: str) -> dict:
    return {
        **_form_data(email),
        "country": "FR",
        "channels-TOTAL_FORMS": "0",
        "channels-INITIAL_FORMS": "0",
        **{
            f"{prefix}-{key}": "0"
            for prefix in ("addresses", "relationships", "contacts", "exchanges")
            for key in ("TOTAL_FORMS", "INITIAL_FORMS")
        },
    }


def test_the_admin_refuses_it_on_adding_and_on_editing_someone_else(uni, admin_client):
    other = influencer_create(by=None, name="Other", email="other@example.org")
    spelling = SPELLINGS[1]

    added = admin_client.post(reverse("admin:crm_influencer_add"), _admin_data(spelling))
    edited = admin_client.post(reverse("admin:crm_influencer_change", args=[other.pk]), _admin_data(spelling))

    for response in (added, edited):
        assert response.status_code == 200
        assert response.context["adminform"].form.errors["email"] == [TAKEN.format(spelling)]
    assert sorted(Influencer.objects.values_list("email", flat=True)) == ["other@example.org", TYPED]


def test_the_import_matches_the_person_whatever_the_spelling(uni, alice):
    rows = "name;email;city\n" + "".join(f"Uni V.;{spelling};Lyon\n" for spelling in SPELLINGS)

    outcome = influencers_import(rows=numbered_rows(csv_rows(decode_csv(rows.encode()))), by=alice)

    assert (outcome.created, outcome.updated, outcome.invalid) == (0, 1, 0)
    # Uni, updated; the address as the file's last row spells it (a file's cell replaces what was there).
    assert list(Influencer.objects.values_list("pk", "city", "email", "email_key")) == [
        (uni.pk, "Lyon", SPELLINGS[-1], "uni@exämple.com")
    ]


def test_a_new_person_spelt_two_ways_in_one_file_is_one_person(db, alice):
    rows = "name;email\nNew One;new@exämple.com\nNew One;NEW@xn--exmple-cua.com\n"

    outcome = influencers_import(rows=numbered_rows(csv_rows(decode_csv(rows.encode()))), by=alice)

    assert (outcome.created, outcome.invalid) == (1, 0)
    assert Influencer.objects.get().email_key == "new@exämple.com"


def test_a_person_changing_address_through_the_admins_import_gets_its_key(db, alice):
    lea = person("Léa", channels=[("instagram", "lea.m")])
    rows = numbered_rows(csv_rows(decode_csv("name;email;instagram\nLéa;LEA@Exämple.com;lea.m\n".encode())))

    influencers_import(rows=rows, by=alice)

    lea.refresh_from_db()
    assert (lea.email, lea.email_key) == ("LEA@Exämple.com", "lea@exämple.com")
    assert people_with_email("lea@exämple.com").get() == lea


def test_a_search_by_email_finds_the_person_whatever_the_spelling(uni):
    for text in ("EXÄMPLE", unicodedata.normalize("NFD", "exämple.com"), "uni@exä"):
        assert list(matching_people(text).values_list("pk", flat=True)) == [uni.pk], text


# --- The migration that fills the keys (crm 0012) -------------------------------------------------------------------


def fill_keys():
    from types import SimpleNamespace

    from django.apps import apps
    from django.db import connection

    migration = importlib.import_module("crm.migrations.0012_email_key")
    migration.fill_keys(apps, SimpleNamespace(connection=connection))


def written_before_the_keys(**fields) -> Influencer:
    """A row as the previous version left it: an address, no key (update() skips the key's pre_save)."""
    person = Influencer.objects.create(name=fields.pop("name"))
    Influencer.objects.filter(pk=person.pk).update(**fields)
    return person


def test_the_migration_gives_every_address_its_key(db):
    uni = written_before_the_keys(name="Uni", email=TYPED)
    nobody = written_before_the_keys(name="No address", email="")

    fill_keys()

    assert dict(Influencer.objects.values_list("pk", "email_key")) == {uni.pk: "uni@exämple.com", nobody.pk: ""}


def test_the_migration_stops_on_two_records_of_one_address_and_names_them(db):
    uni = written_before_the_keys(name="Uni", email=TYPED)
    twin = written_before_the_keys(name="Uni twin", email=SPELLINGS[1])

    with pytest.raises(RuntimeError, match=f"merge each pair.* #{uni.pk} and #{twin.pk} "):
        fill_keys()
