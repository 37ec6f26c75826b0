"""Consent: an opt-out holds until an explicit opt-in, whatever path tries to change it (the edit form and
service, the admin, an import, a merge)."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from crm.imports import influencers_import
from crm.imports.reading import csv_rows, decode_csv, numbered_rows
from crm.models import Influencer
from crm.services import influencer_create, influencer_merge, influencer_update
from crm.services.consent import influencer_opt_in, influencer_opt_out
from messaging.services import follow_up_schedule
from tests.factories import paris

pytestmark = pytest.mark.django_db

NOW = paris(2026, 3, 4, 11, 0)


@pytest.fixture
def now(time_machine):
    time_machine.move_to(NOW, tick=False)
    return NOW


@pytest.fixture
def opted_out(db, bob, now):
    lea = influencer_create(by=bob, name="Léa Martin", email="lea@example.org")
    influencer_opt_out(influencer=lea, source="unsubscribe link", at=now - dt.timedelta(days=10))
    lea.refresh_from_db()
    return lea


def _consent(person: Influencer) -> tuple:
    person.refresh_from_db()
    return person.consent, person.consent_at, person.consent_source


def test_editing_cannot_turn_an_opt_out_back_into_a_consent(opted_out, bob, now):
    before = _consent(opted_out)
    for consent in ("opted_in", "unknown"):
        with pytest.raises(ValidationError) as refused:
            influencer_update(influencer=opted_out, by=bob, consent=consent, consent_source="I think she agreed")
        assert refused.value.message_dict == {
            "consent": ["Léa Martin opted out. Only a recorded opt-in, saying how they agreed, can change that."]
        }
    influencer_update(influencer=opted_out, by=bob, city="Nantes", consent="opted_out", consent_at=now)

    assert _consent(opted_out) == before, "the opt-out's date and source are its record: they stay"
    assert opted_out.city == "Nantes"


def test_the_edit_page_shows_the_refusal_on_the_consent_field(opted_out, client, bob):
    client.force_login(bob)
    data = {
        "name": "Léa Martin", "email": "lea@example.org", "kind": "blogger", "language": "fr",
        "timezone": "Europe/Paris", "city": "", "region": "", "country": "FR", "owner": "", "cadence_days": "",
        "consent": "opted_in", "consent_at": "", "consent_source": "", "notes": "",
        "channels-TOTAL_FORMS": "0", "channels-INITIAL_FORMS": "0", "channels-MIN_NUM_FORMS": "0",
        "channels-MAX_NUM_FORMS": "20",
    }  # fmt: skip

    response = client.post(reverse("crm:influencer_edit", args=[opted_out.pk]), data)

    assert response.status_code == 200
    assert "Only a recorded opt-in, saying how they agreed, can change that." in response.content.decode()
    assert _consent(opted_out)[0] == "opted_out"


def test_the_admin_shows_consent_read_only_on_an_existing_person(opted_out, client, alice):
    client.force_login(alice)

    form = client.get(reverse("admin:crm_influencer_change", args=[opted_out.pk])).context["adminform"].form

    assert {"consent", "consent_at", "consent_source"}.isdisjoint(form.fields)


def test_an_import_row_cannot_change_consent(opted_out, alice):
    csv = "name,email,city,consent,consent_source\r\nLéa Martin,LEA@example.org,Angers,opted_in,import\r\n"

    outcome = influencers_import(rows=numbered_rows(csv_rows(decode_csv(csv.encode()))), by=alice)

    assert outcome.invalid == 0, outcome.errors
    assert Influencer.objects.get(pk=opted_out.pk).city == "Angers", "the row did match her"
    assert _consent(opted_out)[0] == "opted_out"


def test_a_merge_keeps_the_opt_out_and_cancels_what_was_queued_to_the_survivor(opted_out, alice, bob, now):
    twin = influencer_create(by=bob, name="Lea Martin", email="lea.martin@example.org")
    influencer_opt_in(influencer=twin, source="signed the charter", at=now - dt.timedelta(days=1))
    queued = follow_up_schedule(influencer=twin, by=bob, subject="Hi", body="News?", send_at=now + dt.timedelta(days=2))

    survivor = influencer_merge(survivor=twin, duplicate=opted_out, by=alice)

    assert (survivor.consent, survivor.consent_source) == ("opted_out", "unsubscribe link")
    queued.refresh_from_db()
    assert (queued.status, queued.last_error) == ("cancelled", "The person opted out.")


def test_only_an_explicit_opt_in_with_a_source_lifts_an_opt_out(opted_out, now):
    with pytest.raises(ValidationError) as refused:
        influencer_opt_in(influencer=opted_out, source="  ")
    assert refused.value.message_dict == {
        "source": ["Say how the person gave their consent (a form, an e-mail, a call…)."]
    }
    assert _consent(opted_out)[0] == "opted_out"

    influencer_opt_in(influencer=opted_out, source="wrote back asking for news")

    assert _consent(opted_out) == ("opted_in", now, "wrote back asking for news")


def test_the_admin_consent_page_records_an_opt_in_with_its_source(opted_out, client, alice, now):
    client.force_login(alice)
    url = reverse("admin:crm_influencer_consent", args=[opted_out.pk])

    missing = client.post(url, {"consent": "opted_in", "source": ""})
    assert missing.status_code == 200 and _consent(opted_out)[0] == "opted_out"
    response = client.post(url, {"consent": "opted_in", "source": "phone call, 4 March"})

    assert response.status_code == 302
    assert _consent(opted_out) == ("opted_in", now, "phone call, 4 March")
