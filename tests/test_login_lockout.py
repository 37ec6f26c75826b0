"""Login lockout (django-axes): 5 failed logins for one username from one address lock that pair for 15 minutes.

bob guesses wrong from 203.0.113.5 (his home address) and gets locked out there; dave, in the same office, and
bob himself from the office at 198.51.100.7 still log in.
"""

from datetime import UTC, datetime, timedelta

import pytest
from axes.models import AccessAttempt, AccessLog
from django.contrib.auth import SESSION_KEY
from django.test import RequestFactory
from django.urls import reverse
from django.utils import translation

from config.lockout import client_ip
from crm import tasks

NOW = datetime(2025, 3, 10, 9, 0, tzinfo=UTC)
HOME = "203.0.113.5"
OFFICE = "198.51.100.7"


@pytest.fixture(autouse=True)
def quick_passwords(settings):
    """Every attempt checks a password: with the production hasher this module takes minutes instead of seconds."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def frozen(time_machine):
    time_machine.move_to(NOW, tick=False)
    return time_machine


def log_in(client, username: str, password: str, *, address: str = HOME, url: str = "", **headers):
    """One login attempt through the login page (a fresh client each time, as a guesser would be)."""
    client.logout()
    credentials = {"username": username, "password": password}
    return client.post(url or reverse("login"), credentials, REMOTE_ADDR=address, **headers)


def fail(client, username: str, times: int, **kwargs) -> list[int]:
    return [log_in(client, username, "wrong guess", **kwargs).status_code for _ in range(times)]


def logged_in_as(client) -> str | None:
    return client.session.get(SESSION_KEY)


def test_the_fifth_failure_locks_the_pair_and_the_page_says_so(client, bob):
    assert fail(client, "bob", 4) == [200, 200, 200, 200]

    fifth = log_in(client, "bob", "wrong guess")

    assert fifth.status_code == 429
    assert "registration/locked_out.html" in [t.name for t in fifth.templates]
    assert '<a class="navbar-brand" href="/">Influence CRM</a>' in fifth.text
    assert "After 5 failed logins, this account is locked on this connection for 15 minutes." in fifth.text


def test_once_locked_the_right_password_is_refused_for_that_pair(client, bob):
    fail(client, "bob", 5)

    response = log_in(client, "bob", "pw-bob")

    assert response.status_code == 429
    assert logged_in_as(client) is None


def test_the_same_username_from_another_address_still_logs_in(client, bob):
    fail(client, "bob", 5, address=HOME)

    response = log_in(client, "bob", "pw-bob", address=OFFICE)

    assert response.status_code == 302
    assert logged_in_as(client) == str(bob.pk)


def test_another_username_from_the_same_address_still_logs_in(client, bob, dave):
    fail(client, "bob", 5, address=HOME)

    response = log_in(client, "dave", "pw-dave", address=HOME)

    assert response.status_code == 302
    assert logged_in_as(client) == str(dave.pk)


def test_the_lock_ends_fifteen_minutes_after_it_began(client, bob, frozen):
    fail(client, "bob", 5)

    frozen.move_to(NOW + timedelta(minutes=14, seconds=59), tick=False)
    assert log_in(client, "bob", "pw-bob").status_code == 429
    frozen.move_to(NOW + timedelta(minutes=15, seconds=1), tick=False)
    response = log_in(client, "bob", "pw-bob")

    assert response.status_code == 302
    assert logged_in_as(client) == str(bob.pk)


def test_a_successful_login_starts_the_count_again(client, bob):
    fail(client, "bob", 4)
    assert log_in(client, "bob", "pw-bob").status_code == 302

    assert fail(client, "bob", 4) == [200, 200, 200, 200]
    assert log_in(client, "bob", "pw-bob").status_code == 302


def test_failures_older_than_the_cool_off_do_not_count(client, bob, frozen):
    fail(client, "bob", 4)
    frozen.move_to(NOW + timedelta(minutes=16), tick=False)

    assert fail(client, "bob", 4) == [200, 200, 200, 200]
    assert log_in(client, "bob", "pw-bob").status_code == 302


def test_the_admin_login_page_is_locked_too(client, alice):
    admin_login = reverse("admin:login")

    assert fail(client, "alice", 5, url=admin_login) == [200, 200, 200, 200, 429]
    assert log_in(client, "alice", "pw-alice", url=admin_login).status_code == 429
    assert log_in(client, "alice", "pw-alice", url=admin_login, address=OFFICE).status_code == 302


def test_failures_on_the_admin_and_the_app_login_pages_add_up(client, alice):
    fail(client, "alice", 3, url=reverse("admin:login"))

    assert fail(client, "alice", 2) == [200, 429]


def test_the_lockout_page_speaks_the_browser_language(client, bob):
    fail(client, "bob", 4)

    response = log_in(client, "bob", "wrong guess", HTTP_ACCEPT_LANGUAGE="fr")

    assert response.status_code == 429
    assert '<html lang="fr">' in response.text
    with translation.override("fr"):
        assert translation.gettext("Too many failed logins") in response.text


def test_x_forwarded_for_is_ignored_without_a_trusted_proxy(client, bob):
    """Without a proxy, the header is written by the guesser: a new fake address per try must not reset the count."""
    statuses = [
        log_in(client, "bob", "wrong guess", address=HOME, HTTP_X_FORWARDED_FOR=f"192.0.2.{n}").status_code
        for n in range(5)
    ]

    assert statuses == [200, 200, 200, 200, 429]
    assert log_in(client, "bob", "pw-bob", address=HOME, HTTP_X_FORWARDED_FOR=OFFICE).status_code == 429


def test_behind_a_trusted_proxy_the_address_it_forwards_is_the_one_locked(client, bob, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    proxy = "10.0.0.2"

    assert fail(client, "bob", 5, address=proxy, HTTP_X_FORWARDED_FOR=HOME) == [200, 200, 200, 200, 429]
    # The same proxy forwards bob from the office: not locked.
    assert log_in(client, "bob", "pw-bob", address=proxy, HTTP_X_FORWARDED_FOR=OFFICE).status_code == 302
    # From home, a fake address the client puts first in the header changes nothing: the proxy appended the real one.
    spoofed = f"{OFFICE}, {HOME}"
    assert log_in(client, "bob", "pw-bob", address=proxy, HTTP_X_FORWARDED_FOR=spoofed).status_code == 429


@pytest.mark.parametrize(
    ("proxies", "forwarded_for", "expected"),
    [
        (0, "192.0.2.1", "10.0.0.2"),
        (1, "192.0.2.1", "192.0.2.1"),
        (1, "6.6.6.6, 192.0.2.1", "192.0.2.1"),
        (2, "6.6.6.6, 192.0.2.1, 10.0.0.9", "192.0.2.1"),
        (2, "192.0.2.1", "10.0.0.2"),  # fewer entries than proxies: it did not come through them
        (1, "", "10.0.0.2"),
        (1, "not an address", "10.0.0.2"),
        (1, " 2001:db8::1 ", "2001:db8::1"),
    ],
)
def test_the_client_address_is_read_from_the_right_of_the_header(settings, proxies, forwarded_for, expected):
    settings.TRUSTED_PROXY_COUNT = proxies
    request = RequestFactory().post("/login/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR=forwarded_for)

    assert client_ip(request) == expected


@pytest.mark.parametrize("username", ["b" * 10_000, "bob\x00", "\u202e\u0000\ufeff", "<script>alert(1)</script>", ""])
def test_hostile_usernames_get_the_login_page_back_not_a_server_error(client, bob, username):
    for url in (reverse("login"), reverse("admin:login")):
        assert log_in(client, username, "wrong guess", url=url).status_code == 200


def test_a_very_long_username_is_counted_cut_to_the_length_axes_stores(client, bob):
    """PostgreSQL refuses a string longer than its column: Django's login form lets one through to Axes."""
    statuses = [log_in(client, "b" * 10_000 + "-" + str(n), "wrong guess").status_code for n in range(5)]

    assert statuses == [200, 200, 200, 200, 429]
    assert list(AccessAttempt.objects.values_list("username", flat=True)) == ["b" * 255]


def test_a_new_browser_signature_per_try_does_not_reset_the_count(client, bob):
    statuses = [log_in(client, "bob", "wrong guess", HTTP_USER_AGENT=f"Guesser/{n}").status_code for n in range(5)]

    assert statuses == [200, 200, 200, 200, 429]
    assert log_in(client, "bob", "pw-bob", HTTP_USER_AGENT="Firefox").status_code == 429


def test_a_manager_unlocks_a_locked_out_teammate_from_the_admin(client, alice, bob):
    fail(client, "bob", 5)
    assert log_in(client, "bob", "pw-bob").status_code == 429
    attempt = AccessAttempt.objects.get(username="bob", ip_address=HOME)

    client.force_login(alice)
    listed = client.get(reverse("admin:axes_accessattempt_changelist"))
    unlocked = client.post(
        reverse("admin:axes_accessattempt_delete", args=[attempt.pk]), {"post": "yes"}, REMOTE_ADDR=OFFICE
    )

    assert listed.status_code == 200 and "bob" in listed.text
    assert unlocked.status_code == 302
    assert not AccessAttempt.objects.filter(username="bob").exists()
    assert log_in(client, "bob", "pw-bob").status_code == 302
    assert logged_in_as(client) == str(bob.pk)


def test_a_marketer_cannot_unlock_anyone(client, bob, dave):
    fail(client, "dave", 5)
    attempt = AccessAttempt.objects.get(username="dave")
    client.force_login(bob)

    refused = client.post(reverse("admin:axes_accessattempt_delete", args=[attempt.pk]), {"post": "yes"})

    assert refused.status_code == 302 and refused.url.startswith(reverse("admin:login"))
    assert AccessAttempt.objects.filter(pk=attempt.pk).exists()


def test_logins_are_forgotten_after_the_retention_and_younger_ones_stay(client, bob, frozen, settings):
    settings.LOGIN_LOG_RETENTION_DAYS = 90
    log_in(client, "bob", "pw-bob")
    frozen.move_to(NOW + timedelta(days=60), tick=False)
    log_in(client, "bob", "pw-bob", address=OFFICE)
    frozen.move_to(NOW + timedelta(days=91), tick=False)

    assert tasks.purge_old_login_logs.apply().get() == 1
    assert list(AccessLog.objects.values_list("ip_address", flat=True)) == [OFFICE]
    assert tasks.purge_old_login_logs.apply().get() == 0


def test_a_retention_of_zero_keeps_every_login(client, bob, frozen, settings):
    settings.LOGIN_LOG_RETENTION_DAYS = 0
    log_in(client, "bob", "pw-bob")
    frozen.move_to(NOW + timedelta(days=5000), tick=False)

    assert tasks.purge_old_login_logs.apply().get() == 0
    assert AccessLog.objects.count() == 1


def test_the_login_log_purge_runs_daily():
    from django.conf import settings as django_settings

    entry = django_settings.CELERY_BEAT_SCHEDULE["login-log-retention"]
    assert (entry["task"], entry["schedule"]) == ("crm.tasks.purge_old_login_logs", timedelta(days=1))
