import pytest

from campaigns.models import Stage
from messaging import delivery, tasks
from messaging.services import thank_you_queue
from tests.factories import CampaignFactory, InfluencerFactory, RelationshipFactory, paris
from tests.messaging.dispatching import Broker

MONDAY_10 = paris(2026, 3, 2, 10, 0)


@pytest.fixture
def now(time_machine):
    time_machine.move_to(MONDAY_10, tick=False)
    return MONDAY_10


@pytest.fixture
def lea(db, bob):
    return InfluencerFactory(
        name="Léa Martin", email="lea@example.org", language="fr", owner=bob, topics=["lifestyle", "food"]
    )


@pytest.fixture
def spring(db):
    return CampaignFactory(name="Spring range", topics=["lifestyle"])


@pytest.fixture
def active(lea, spring, bob):
    """Léa, active on the spring campaign, owned by bob."""
    return RelationshipFactory(influencer=lea, campaign=spring, owner=bob, stage=Stage.ACTIVE)


@pytest.fixture
def enqueued(monkeypatch):
    """What the dispatcher hands to the broker after commit: (id, claim) pairs, instead of a real broker."""
    calls = []
    monkeypatch.setattr(delivery, "_enqueue", lambda task, ids, token, report: calls.extend((pk, token) for pk in ids))
    return calls


@pytest.fixture
def due_thank_you(now, active, bob, settings):
    settings.THANK_YOU_DELAY_MINUTES = 0
    return thank_you_queue(relationship=active, by=bob)


@pytest.fixture
def broker(monkeypatch):
    broker = Broker()
    monkeypatch.setattr(tasks, "send_messages", broker)
    return broker
