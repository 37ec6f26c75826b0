"""Shared fixtures: a small team with names, so tests read like stories.

alice is a manager (reaches the admin and the reports), bob and dave are
marketers, carol is a viewer.
"""

import math
import os
from datetime import datetime

import pytest
import time_machine
from django.conf import settings
from django.contrib.auth.models import Group
from django.core.cache import caches
from django.test import override_settings
from django.utils import timezone, translation
from pytest_django.fixtures import _set_suffix_to_test_databases

from bench.imap_server import ImapServer, User, dovecot_binary
from core import roles, rules

# TEST_CLOCK=2027-03-28T01:59:00+01:00 runs the session as if it started at that moment (the clock then ticks on):
# scripts/test_clocks.sh runs the tests marked `clock` at the moments where dates break (midnight, DST, new year).
_clock = None


def pytest_configure(config):
    global _clock
    moment = os.environ.get("TEST_CLOCK")
    if not moment:
        return
    start = datetime.fromisoformat(moment)
    if start.tzinfo is None:
        raise pytest.UsageError(f"TEST_CLOCK={moment} needs an offset (+01:00, Z): which moment is it?")
    _clock = time_machine.travel(start, tick=True)
    _clock.start()


def pytest_unconfigure(config):
    if _clock is not None:
        _clock.stop()


def pytest_report_header(config):
    if os.environ.get("TEST_CLOCK"):
        return f"clock: started at {os.environ['TEST_CLOCK']} (TEST_CLOCK)"


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix) -> None:
    """TEST_DATABASE_SUFFIX=browser gives this run a test database of its own (as xdist's workers have), so
    `make test` runs the browser and the integration tests side by side (scripts/side_by_side.sh)."""
    suffix = os.environ.get("TEST_DATABASE_SUFFIX")
    if suffix:
        _set_suffix_to_test_databases(suffix)


@pytest.fixture(autouse=True)
def team_rules_as_the_environment_sets_them():
    """Each test's database starts with no team rules saved: the environment's defaults apply (which `settings`
    overrides reach), known without a query; a rule a test saves is forgotten with its rolled-back row."""
    rules.keep(None, seconds=math.inf)
    yield
    rules.keep(None, seconds=math.inf)


@pytest.fixture(autouse=True, scope="session")
def fast_password_hashing():
    """PBKDF2 on purpose costs ~0.1 s a password: every named person of every test paid it. Tests check who may
    log in, not the hash's strength (the password validators have their own tests)."""
    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        yield


@pytest.fixture(autouse=True)
def reports_cache_emptied_after_transactional_tests(request, django_db_blocker):
    """Kept reports (reports.cache) live in a table that the flush after a transactional test does not empty (it
    is not a model's): the next test would read this one's figures. A plain test's rollback takes them away."""
    yield
    if {"transactional_db", "live_server"} & set(request.fixturenames):
        with django_db_blocker.unblock():
            caches["reports"].clear()


def _member(django_user_model, username: str, role: str, *, staff: bool = False):
    user = django_user_model.objects.create_user(
        username=username,
        password="pw-" + username,
        email=f"{username}@team.example",
        first_name=username.capitalize(),
        is_staff=staff,
    )
    user.groups.add(Group.objects.get(name=role))
    return user


@pytest.fixture
def alice(db, django_user_model):
    return _member(django_user_model, "alice", roles.MANAGER, staff=True)


@pytest.fixture
def bob(db, django_user_model):
    return _member(django_user_model, "bob", roles.MARKETER)


@pytest.fixture
def dave(db, django_user_model):
    return _member(django_user_model, "dave", roles.MARKETER)


@pytest.fixture
def carol(db, django_user_model):
    return _member(django_user_model, "carol", roles.VIEWER)


@pytest.fixture(autouse=True)
def language_and_time_zone_reset_after_each_test():
    """The test client's requests activate the request's language (LocaleMiddleware) and the member's time zone
    in this thread and leave them active: a test asking for French, or a member in another time zone, would
    leave the next test in the same process with them."""
    yield
    translation.activate(settings.LANGUAGE_CODE)
    timezone.deactivate()


@pytest.fixture(scope="session")
def imap_server():
    """A real Dovecot on loopback for the session (bench/imap_server.py): `port` plain IMAP with STARTTLS,
    `tls_port` implicit TLS with a self-signed certificate, users alice and bob; stopped and removed at the end."""
    binary = dovecot_binary()
    if binary is None:
        if os.environ.get("CI"):
            pytest.fail("dovecot is missing: .ci/run installs dovecot-imapd, IMAP tests cannot be skipped in CI")
        pytest.skip("Dovecot is not installed (apt-get install dovecot-imapd)")
    server = ImapServer(binary).start()
    yield server
    server.stop()


@pytest.fixture
def imap_user(imap_server) -> User:
    """A user of the IMAP server whose mailbox (INBOX and Sent) is empty: no test sees another's mail."""
    return imap_server.new_user()
