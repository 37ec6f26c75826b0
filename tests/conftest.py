"""Shared fixtures: a small team with names, so tests read like stories.

alice is a manager (reaches the admin and the reports), bob and dave are
marketers, carol is a viewer.
"""

import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from django.core.cache import caches
from django.test import override_settings
from django.utils import timezone, translation

from crm import roles


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
