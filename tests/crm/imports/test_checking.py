"""A messy real-world directory file through the import (crm.imports): each person once, matched, all or nothing."""

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile

from crm.imports import import_job_create, import_job_run
from crm.models import ImportJob, Influencer, Topic
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
