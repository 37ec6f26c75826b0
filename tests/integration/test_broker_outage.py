"""Redis stopped while marketers work: the web keeps answering, and the thank-yous go once it is back.

Web requests never talk to the broker (a closing only writes the outbox row), so the outage is felt by the
dispatcher alone, which puts what it could not enqueue back on the schedule.
"""

import datetime
import os
import shutil
import subprocess
import time
import uuid
from collections import Counter

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone

from bench.smtp_sink import free_port
from campaigns.models import Stage
from config.celery import app as celery_app
from crm.models import Contact
from messaging import delivery
from messaging.models import Message
from tests.factories import CampaignFactory, InfluencerFactory, RelationshipFactory
from tests.integration.conftest import Worker, wait_for

pytestmark = pytest.mark.integration


class PrivateRedis:
    """A redis-server of this test's own, so stopping it disturbs nothing else."""

    def __init__(self):
        self.port = free_port()
        self.proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.proc = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
        )
        assert wait_for(self.ping, timeout=10), "redis-server did not start"

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.terminate()
            self.proc.wait(timeout=10)
            self.proc = None

    def ping(self) -> bool:
        import redis

        try:
            return redis.Redis.from_url(self.url, socket_connect_timeout=0.5).ping()
        except redis.RedisError:
            return False


@pytest.fixture
def private_redis():
    if shutil.which("redis-server") is None:
        if os.environ.get("CI"):
            pytest.fail("redis-server is missing: .ci/run installs it, so this test cannot be skipped in CI")
        pytest.skip("redis-server is not installed here (CI installs it)")
    server = PrivateRedis()
    server.start()
    saved = celery_app.conf.broker_url, celery_app.conf.broker_transport_options
    # Point this (web) process's Celery at it, and drop pooled connections to the usual broker.
    _use_broker(server.url, {})
    yield server
    server.stop()
    _use_broker(*saved)


def _use_broker(url: str, options: dict) -> None:
    """Repoint this process's Celery app; kombu keeps one connection pool per broker URL, so none is closed."""
    celery_app.conf.broker_url, celery_app.conf.broker_transport_options = url, options
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


def test_with_redis_down_the_web_answers_and_every_thank_you_goes_once_it_is_back(
    transactional_db, private_redis, smtp, client, django_user_model, settings, tmp_path
):
    settings.THANK_YOU_DELAY_MINUTES = 0
    settings.SENDING_HOURS, settings.SENDING_WEEKDAYS = (0, 24), tuple(range(7))
    settings.MESSAGES_QUEUE = f"test-outage-{uuid.uuid4().hex[:10]}"
    marketer = django_user_model.objects.create_user("hugo", password="pw", email="hugo@team.example")
    marketer.groups.add(Group.objects.get(name="Marketer"))
    campaign = CampaignFactory(name="Spring range", topics=["lifestyle"])
    people = [InfluencerFactory(name=f"Person {i}", owner=marketer, topics=["lifestyle"]) for i in range(200)]
    closing = [
        RelationshipFactory(influencer=p, campaign=campaign, owner=marketer, stage=Stage.DELIVERED) for p in people[:50]
    ]
    client.force_login(marketer)

    private_redis.stop()
    statuses = []
    when = (timezone.localtime() - datetime.timedelta(minutes=5)).strftime("%Y-%m-%dT%H:%M")
    for i, person in enumerate(people):
        response = client.post(
            "/contacts/log/",
            {"influencer": person.pk, "kind": "call", "direction": "outbound", "occurred_at": when,
             "summary": f"Call number {i} about the spring range"},
        )  # fmt: skip
        statuses.append(response.status_code)
    for relationship in closing:
        response = client.post(
            f"/campaigns/relationships/{relationship.pk}/close/", {"outcome": "completed", "thank_you": "send"}
        )
        statuses.append(response.status_code)
    delivery.dispatch()  # beat's pass during the outage: nothing can be enqueued, nothing is lost

    assert [s for s in statuses if s >= 400] == []
    assert Contact.objects.count() == 200
    assert Message.objects.filter(kind="thank_you", status="scheduled").count() == 50

    private_redis.start()
    worker = Worker(
        queue=settings.MESSAGES_QUEUE,
        env={"REDIS_URL": private_redis.url, "EMAIL_URL": smtp.url},
        log_path=tmp_path / "worker.log",
    ).start()
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and Message.objects.filter(status="sent").count() < 50:
            delivery.dispatch()
            time.sleep(0.5)
    finally:
        worker.stop()

    thank_yous = list(Message.objects.filter(kind="thank_you").values_list("message_id", flat=True))
    assert len(thank_yous) == 50
    assert Counter(smtp.received()) == Counter(thank_yous), worker.log()[-3000:]


@pytest.fixture
def broker_down():
    """This process's Celery pointed at a Redis URL where nothing listens (a closed loopback port)."""
    saved = celery_app.conf.broker_url, celery_app.conf.broker_transport_options
    _use_broker(f"redis://127.0.0.1:{free_port()}/0", {})
    yield
    _use_broker(*saved)


def test_the_dispatch_command_with_the_broker_down_says_nothing_was_handed_over_and_why(
    transactional_db, broker_down, settings
):
    from django.core.management import CommandError, call_command

    settings.DISPATCH_TASK_SIZE = 40
    now = timezone.now()
    Message.objects.bulk_create(
        Message(kind="digest", recipient=f"m{i}@team.example", subject="Digest", body="Bonjour", send_at=now,
                key=f"down:{i}", message_id=f"<down.{i}@test>")
        for i in range(100)
    )  # fmt: skip

    with pytest.raises(CommandError) as refused:
        call_command("dispatch_messages")

    said = str(refused.value)
    assert said.startswith(
        "0 message(s) handed to the worker. 100 put back on the schedule: the broker would not take them ("
    ), said
    assert said.endswith("Connection refused.)."), said
    assert Message.objects.filter(status="scheduled", claim="", attempts=0).count() == 100
