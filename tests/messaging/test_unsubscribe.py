"""One-click unsubscribe: a signed link that records the opt-out, and refuses or ignores anything else."""

import datetime

import pytest
from django.core import signing

from crm.services.consent import influencer_opt_in
from messaging.unsubscribe import SALT, make_token
from tests.factories import InfluencerFactory

pytestmark = pytest.mark.django_db


def url(token: str) -> str:
    return f"/unsubscribe/{token}/"


def test_the_link_asks_to_confirm_without_changing_anything(client, now, lea):
    response = client.get(url(make_token(lea)))

    assert response.status_code == 200
    assert b"lea@example.org" in response.content
    lea.refresh_from_db()
    assert lea.consent == "unknown"


def test_confirming_records_the_opt_out_with_its_date_and_source(client, now, lea):
    response = client.post(url(make_token(lea)))

    assert response.status_code == 200
    lea.refresh_from_db()
    assert (lea.consent, lea.consent_at, lea.consent_source) == ("opted_out", now, "unsubscribe link")


def test_one_click_from_a_mail_client_works_without_a_csrf_token(now, lea):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    response = strict.post(url(make_token(lea)), {"List-Unsubscribe": "One-Click"})

    assert response.status_code == 200
    lea.refresh_from_db()
    assert lea.consent == "opted_out"


def test_a_tampered_token_is_refused(client, now, lea):
    token = make_token(lea)
    tampered = token[:-3] + ("AAA" if not token.endswith("AAA") else "BBB")

    response = client.post(url(tampered))

    assert response.status_code == 400
    lea.refresh_from_db()
    assert lea.consent == "unknown"


def test_a_token_naming_another_person_cannot_be_forged(client, now, lea):
    other = InfluencerFactory(email="other@example.org")
    payload = signing.loads(make_token(lea), salt=SALT)
    payload["i"] = other.pk
    forged = signing.dumps(payload, salt="another purpose")

    assert client.post(url(forged)).status_code == 400
    other.refresh_from_db()
    assert other.consent == "unknown"


def test_a_token_for_an_address_the_person_no_longer_has_is_refused(client, now, lea):
    token = make_token(lea)
    lea.email = "lea.new@example.org"
    lea.save()

    assert client.post(url(token)).status_code == 400
    lea.refresh_from_db()
    assert lea.consent == "unknown"


def test_an_expired_token_is_refused(client, time_machine, lea, settings):
    settings.UNSUBSCRIBE_MAX_AGE_DAYS = 30
    time_machine.move_to(datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC), tick=False)
    token = make_token(lea)
    time_machine.move_to(datetime.datetime(2026, 2, 5, tzinfo=datetime.UTC), tick=False)

    assert client.post(url(token)).status_code == 400
    lea.refresh_from_db()
    assert lea.consent == "unknown"


def test_replaying_the_link_while_opted_out_is_harmless(client, now, lea):
    token = make_token(lea)
    client.post(url(token))

    response = client.post(url(token))

    assert response.status_code == 200
    lea.refresh_from_db()
    assert (lea.consent, lea.consent_at) == ("opted_out", now)


def test_an_old_link_cannot_undo_a_later_opt_in(client, time_machine, lea):
    time_machine.move_to(datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC), tick=False)
    token = make_token(lea)
    client.post(url(token))
    time_machine.move_to(datetime.datetime(2026, 1, 10, tzinfo=datetime.UTC), tick=False)
    influencer_opt_in(influencer=lea, source="signed the 2026 ambassador charter")

    assert client.post(url(token)).status_code == 400
    lea.refresh_from_db()
    assert lea.consent == "opted_in"


def test_garbage_is_refused_not_a_server_error(client, db):
    for junk in ["x", "a" * 500, "%00", "..%2F..%2Fetc"]:
        assert client.get(url(junk)).status_code in (400, 404)
