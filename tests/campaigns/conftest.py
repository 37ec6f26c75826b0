"""Fixtures the board's test modules share (a module may define its own `spring`, which wins)."""

import pytest

from tests.factories import CampaignFactory


@pytest.fixture
def spring(db):
    return CampaignFactory(name="Spring range", topics=["lifestyle"])
