"""Clients already logged in, once per test function: hypothesis runs many examples inside one test, and a
login per example would cost more than the example itself."""

import pytest
from django.test import Client


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    """The team's fixtures hash a password each; PBKDF2 would cost more than the examples of a test."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def as_alice(alice) -> Client:
    return _logged_in(alice)


@pytest.fixture
def as_bob(bob) -> Client:
    return _logged_in(bob)


@pytest.fixture
def as_carol(carol) -> Client:
    return _logged_in(carol)
