"""My settings: any team member's time zone, language, signature and morning digest."""

import pytest
from django.conf import settings
from django.urls import reverse

from messaging.models import Message, Profile

URL = "/settings/"


@pytest.fixture(autouse=True)
def frozen(now):
    return now


def _form(**fields) -> dict:
    data = {"timezone": "America/New_York", "language": "fr", "signature": "Bob — Maison Lumière", "wants_digest": ""}
    data.update(fields)
    return data


def test_the_nav_links_to_my_settings(client, bob):
    client.force_login(bob)

    html = client.get(reverse("home")).content.decode()

    assert reverse("my_settings") == URL
    assert f'href="{URL}">My settings</a>' in html


def test_opening_my_settings_makes_my_profile_with_the_teams_time_zone(client, bob):
    client.force_login(bob)

    html = client.get(URL).content.decode()

    profile = Profile.objects.get(user=bob)
    assert (profile.timezone, profile.language, profile.signature, profile.wants_digest) == (
        settings.TIME_ZONE,
        "en",
        "",
        True,
    )
    for field in ("timezone", "language", "signature", "wants_digest"):
        assert f'for="id_{field}"' in html, f"{field} has a label"


def test_saving_my_settings_stores_them_and_switches_the_language_at_once(client, bob):
    client.force_login(bob)

    response = client.post(URL, _form())

    profile = Profile.objects.get(user=bob)
    assert response.status_code == 302 and response["Location"] == URL
    assert (profile.timezone, profile.language, profile.signature, profile.wants_digest) == (
        "America/New_York",
        "fr",
        "Bob — Maison Lumière",
        False,
    )
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "fr"
    assert '<html lang="fr">' in client.get(URL).content.decode()


@pytest.mark.parametrize(
    ("fields", "error"),
    [
        (
            {"timezone": "Mars/Olympus_Mons"},
            "Select a valid choice. Mars/Olympus_Mons is not one of the available choices.",
        ),
        ({"timezone": "../../etc/passwd"}, "Select a valid choice."),
        ({"timezone": ""}, "This field is required."),
        ({"language": "tlh"}, "Select a valid choice. tlh is not one of the available choices."),
        ({"signature": "x" * 1001}, "Ensure this value has at most 1000 characters (it has 1001)."),
    ],
)
def test_bad_settings_are_field_errors_and_change_nothing(client, bob, fields, error):
    client.force_login(bob)

    response = client.post(URL, _form(**fields))

    assert response.status_code == 200
    assert error in response.content.decode()
    assert Profile.objects.get(user=bob).timezone == settings.TIME_ZONE
    assert settings.LANGUAGE_COOKIE_NAME not in response.cookies


def test_my_signature_and_time_zone_are_used_in_my_next_follow_up(client, bob, lea):
    client.force_login(bob)
    client.post(URL, _form(language="en"))

    form = client.get(reverse("follow_up_new", args=[lea.pk])).content.decode()
    client.post(
        reverse("follow_up_new", args=[lea.pk]),
        {"subject": "Des nouvelles ?", "body": "Bonjour Léa", "send_at": "2026-03-03T04:00"},
    )

    message = Message.objects.get()
    assert "Your time (America/New_York)." in form
    assert message.body == "Bonjour Léa\n\nBob — Maison Lumière"
    assert message.send_at.isoformat() == "2026-03-03T09:00:00+00:00"  # 4:00 in New York


def test_a_viewer_has_settings_too(client, carol):
    client.force_login(carol)

    response = client.post(URL, _form(language="en", signature="Carol, who reads the reports"))

    assert response.status_code == 302
    assert Profile.objects.get(user=carol).signature == "Carol, who reads the reports"


def test_my_settings_need_a_login(client):
    response = client.get(URL)

    assert response.status_code == 302 and response["Location"].startswith("/login/")
