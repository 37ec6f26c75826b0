import pytest

from tests.crm.directory_people import make_directory


@pytest.fixture
def directory(db, bob, dave):
    """Four people of the directory (tests/crm/directory_people.py), shared by the list's and a person's tests."""
    return make_directory(bob, dave)
