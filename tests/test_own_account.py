"""A member's own account: every role changes their own password, and an idle session ends (issue 14, item 5)."""

import datetime as dt

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import paris

pytestmark = pytest.mark.django_db

PASSWORD_PAGE = reverse("password_change")
NEW_PASSWORD = "a new and long passphrase 7"


def log_in(client: Client, username: str, password: str) -> bool:
    """Through the login page, as a person does (django-axes watches it)."""
    response = client.post(reverse("login"), {"username": username, "password": password})
    return response.status_code == 302


@pytest.mark.parametrize("name", ["carol", "bob", "alice"])  # viewer, marketer, manager
def test_every_member_changes_their_own_password_and_the_old_one_stops_working(request, client, name):
    member = request.getfixturevalue(name)
    assert log_in(client, name, f"pw-{name}")

    response = client.post(
        PASSWORD_PAGE,
        {"old_password": f"pw-{name}", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
        follow=True,
    )

    assert response.redirect_chain == [(reverse("password_change_done"), 302)]
    assert "Password changed" in response.content.decode()
    # Still logged in on this browser (Django keeps the session of whoever changed it).
    assert client.get(reverse("home")).status_code == 200
    assert not log_in(Client(), name, f"pw-{name}")
    assert log_in(Client(), name, NEW_PASSWORD)
    member.refresh_from_db()
    assert member.check_password(NEW_PASSWORD)


def test_a_wrong_current_password_changes_nothing_and_says_why(client, bob):
    client.force_login(bob)

    response = client.post(
        PASSWORD_PAGE, {"old_password": "a guess", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )

    assert response.status_code == 200
    assert response.context["form"].errors["old_password"]
    assert get_user_model().objects.get(pk=bob.pk).check_password("pw-bob")


def test_the_page_is_in_the_apps_layout_linked_from_the_header_and_translated(client, carol):
    client.force_login(carol)

    page = client.get(reverse("home")).content.decode()
    assert f'href="{PASSWORD_PAGE}"' in page
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    french = client.get(PASSWORD_PAGE).content.decode()
    assert "Changer mon mot de passe" in french
    assert "Ancien mot de passe" in french  # Django's own form, in Django's own French
    assert 'id="nav-main"' in french  # the app's header, not the admin's


def test_the_admins_password_page_keeps_the_admins_layout(client, alice):
    client.force_login(alice)

    page = client.get(reverse("admin:password_change")).content.decode()

    assert 'id="nav-main"' not in page
    assert 'id="header"' in page


# --- The idle timeout ------------------------------------------------------------------------------------------

IDLE = dt.timedelta(seconds=settings.SESSION_COOKIE_AGE)


def _logged_in(client, time_machine, member) -> None:
    time_machine.move_to(paris(2026, 3, 10, 9), tick=False)
    assert log_in(client, member.username, f"pw-{member.username}")


def test_the_idle_timeout_is_eight_hours_by_default():
    assert dt.timedelta(hours=8) == IDLE


def test_a_session_left_idle_past_the_timeout_is_sent_to_log_in(client, time_machine, bob):
    _logged_in(client, time_machine, bob)
    assert client.get(reverse("home")).status_code == 200

    time_machine.shift(IDLE + dt.timedelta(seconds=1))
    response = client.get(reverse("home"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_an_active_session_outlives_the_timeout(client, time_machine, bob):
    _logged_in(client, time_machine, bob)

    # A request every 2 hours for a day: three timeouts after the login, never idle for one.
    for _ in range(12):
        time_machine.shift(dt.timedelta(hours=2))
        assert client.get(reverse("home")).status_code == 200


def test_a_session_is_saved_at_most_once_a_minute_not_on_every_request(client, time_machine, bob):
    """The cheap way to an idle timeout: Django's SESSION_SAVE_EVERY_REQUEST writes the session on every request.
    Here a request within a minute of the last save costs no query more than it did without the timeout."""
    _logged_in(client, time_machine, bob)
    client.get(reverse("home"))

    def session_writes() -> int:
        with CaptureQueriesContext(connection) as seen:
            assert client.get(reverse("crm:influencer_list")).status_code == 200
        return sum(q["sql"].startswith("UPDATE") and "django_session" in q["sql"] for q in seen.captured_queries)

    time_machine.shift(dt.timedelta(seconds=30))
    assert session_writes() == 0
    time_machine.shift(dt.timedelta(seconds=31))
    assert session_writes() == 1
    assert session_writes() == 0


def test_a_visitors_made_up_or_expired_session_cookie_saves_no_session(client):
    client.cookies[settings.SESSION_COOKIE_NAME] = "made-up-or-expired-session-key"

    response = client.get(reverse("login"))

    assert response.status_code == 200
    assert not Session.objects.exists()
