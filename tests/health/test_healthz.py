from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from config.celery import app as celery_app
from crm.models import Feed
from health.models import Heartbeat
from health.tasks import WORKER, heartbeat
from tests.factories import ChannelFactory

pytestmark = [pytest.mark.django_db, pytest.mark.clock]


def test_it_answers_without_a_login_and_reports_a_missing_worker(client):
    response = client.get("/healthz")

    assert response.status_code == 200
    body = response.json()
    assert (body["database"], body["broker"], body["worker"]) == ("ok", "ok", "error")
    assert "no heartbeat" in body["reasons"]["worker"]


def test_a_fresh_heartbeat_means_the_worker_is_ok(client):
    heartbeat()  # what the worker runs on beat's schedule

    body = client.get("/healthz").json()

    assert body == {"database": "ok", "broker": "ok", "worker": "ok", "mailboxes": "ok", "feeds": "ok"}


def test_an_old_heartbeat_is_stale_but_does_not_fail_the_check(client, settings):
    settings.HEALTH_WORKER_STALE_AFTER_SECONDS = 120
    Heartbeat.objects.create(name=WORKER, beat_at=timezone.now() - timedelta(seconds=300))

    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json()["worker"] == "stale"
    assert response.json()["reasons"]["worker"].startswith("last heartbeat 30")


@pytest.fixture
def unreachable_broker():
    saved = celery_app.conf.broker_url, celery_app.conf.broker_transport_options
    celery_app.conf.broker_url = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    celery_app.conf.broker_transport_options = {}
    celery_app.pool.force_close_all()
    yield
    celery_app.conf.broker_url, celery_app.conf.broker_transport_options = saved
    celery_app.pool.force_close_all()


def test_an_unreachable_broker_gives_503_with_the_reason(client, unreachable_broker):
    response = client.get("/healthz")

    assert response.status_code == 503
    body = response.json()
    assert (body["database"], body["broker"]) == ("ok", "error")
    assert "Connection" in body["reasons"]["broker"] or "refused" in body["reasons"]["broker"]


def test_it_counts_the_failing_mailboxes_without_failing_the_check(client):
    from messaging.models import Mailbox
    from tests.messaging.factories import MailboxFactory

    now = timezone.now()
    owners = [get_user_model().objects.create_user(username=f"member{n}") for n in range(5)]
    MailboxFactory(owner=owners[0], last_sync_at=now, failures=2)  # the last sync failed
    MailboxFactory(owner=owners[1], last_sync_at=now - timedelta(minutes=20))  # nothing for 20 minutes
    MailboxFactory(owner=owners[2], last_sync_at=now - timedelta(minutes=20), paused=True)  # paused: left alone
    MailboxFactory(owner=owners[3], last_sync_at=now - timedelta(minutes=1))  # fine
    fresh = MailboxFactory(owner=owners[4], last_sync_at=None)  # connected just now: not yet due
    Mailbox.objects.filter(pk=fresh.pk).update(created_at=now - timedelta(minutes=5))

    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json()["mailboxes"] == "failing"
    assert response.json()["reasons"]["mailboxes"] == "2 mailbox(es) failing or not synced for 15 minutes"


def test_it_counts_the_broken_feeds_without_failing_the_check(client):
    now = timezone.now()
    # Broken yesterday (gone twice), broken just now (failing for days), and one that reads fine.
    for n, broken_at in enumerate([now - timedelta(days=1), now, None]):
        Feed.objects.create(channel=ChannelFactory(), url=f"https://carnet{n}.example.org/feed/", broken_at=broken_at)

    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json()["feeds"] == "broken"
    assert response.json()["reasons"]["feeds"] == "2 feed(s) broken"
