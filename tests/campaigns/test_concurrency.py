"""Two people click "accept" on the same pitched relationship at the same moment: one wins, one is told.

Real threads, each with its own database connection, so each runs its own transaction. On PostgreSQL the
second waits on the row lock (select_for_update) and then sees the new stage. On SQLite the lock is the whole
database: the project opens every transaction with BEGIN IMMEDIATE, so the second writer waits for the first
to commit and the outcome is the same.
"""

import threading
import time

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from campaigns.models import Relationship, Stage, StageChange
from campaigns.services import lifecycle, relationship_accept
from tests.factories import RelationshipFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_two_people_accepting_the_same_pitch_at_once_one_wins_the_other_is_told(bob, dave, monkeypatch):
    relationship = RelationshipFactory(stage=Stage.PITCHED)
    # Hold each move for a moment once it has read the stage, so that without the lock both would read
    # "pitched" before either writes, and both would succeed.
    real_move = lifecycle._move

    def slow_move(*args, **kwargs):
        time.sleep(0.3)
        return real_move(*args, **kwargs)

    monkeypatch.setattr(lifecycle, "_move", slow_move)
    start = threading.Barrier(2)
    results: dict[str, object] = {}

    def accept(user, cadence_days):
        copy = Relationship.objects.get(pk=relationship.pk)  # each person's page loaded before anyone clicked
        start.wait()
        try:
            relationship_accept(relationship=copy, by=user, cadence_days=cadence_days)
            results[user.username] = "accepted"
        except ValidationError as refused:
            results[user.username] = refused.messages[0]
        finally:
            connection.close()

    threads = [threading.Thread(target=accept, args=(bob, 10)), threading.Thread(target=accept, args=(dave, 20))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(results) == ["bob", "dave"]
    winners = [name for name, result in results.items() if result == "accepted"]
    assert len(winners) == 1, results
    (loser,) = set(results) - set(winners)
    assert "is active, so it cannot be accepted" in results[loser]
    relationship.refresh_from_db()
    assert relationship.stage == Stage.ACTIVE
    assert relationship.cadence_days == {"bob": 10, "dave": 20}[winners[0]]
    changes = StageChange.objects.filter(relationship=relationship, to_stage=Stage.ACTIVE)
    assert list(changes.values_list("changed_by__username", flat=True)) == winners
