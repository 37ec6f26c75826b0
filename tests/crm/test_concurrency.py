"""The same contact posted twice at the same moment (a double click, two tabs): one contact.

Real threads, each with its own database connection and transaction (as in tests/campaigns/test_concurrency.py).
The touch service checks for the very same contact under the person's lock, so the second post waits for the
first to commit and then finds it.
"""

import threading
import time

import pytest
from django.db import connection

from crm.models import Contact
from crm.services import contact_log, contacts
from tests.factories import InfluencerFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_same_contact_posted_twice_at_once_is_logged_once(bob, monkeypatch):
    lea = InfluencerFactory(name="Léa")
    # Hold each touch for a moment between its check for the same contact and its insert, so that without the
    # lock both would find nothing and both would insert.
    real_record = contacts._contact_record

    def slow_record(**kwargs):
        time.sleep(0.3)
        return real_record(**kwargs)

    monkeypatch.setattr(contacts, "_contact_record", slow_record)
    start = threading.Barrier(2)
    created: list[bool] = []

    def post():
        try:
            start.wait()
            touch = contact_log(
                influencer=lea,
                by=bob,
                kind="call",
                direction="outbound",
                summary="Talked about the spring range",
                occurred_at=lea.created_at,
            )
            created.append(touch.created)
        finally:
            connection.close()

    threads = [threading.Thread(target=post) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(created) == [False, True]
    assert Contact.objects.count() == 1
