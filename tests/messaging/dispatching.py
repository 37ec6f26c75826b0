"""The dispatcher's test helpers: a pretend broker standing in for the send task, due team mail, one claim pass."""

import contextlib

from messaging import delivery
from messaging.models import Message
from tests.messaging.factories import MessageFactory


class Broker:
    """Stands in for the send task at the broker: records each batch published, or goes down after `up_for`."""

    def __init__(self, up_for: int | None = None):
        self.published: list[tuple[list[int], str, str]] = []
        self.up_for = up_for
        self.app = self

    @contextlib.contextmanager
    def producer_or_acquire(self):
        yield None

    def apply_async(self, args, *, producer, queue):
        if self.up_for is not None and len(self.published) >= self.up_for:
            raise ConnectionRefusedError(111, "Connection refused")
        ids, token = args
        self.published.append((list(ids), token, queue))


def due_digests(now, count: int) -> list[Message]:
    return [
        MessageFactory(kind="digest", influencer=None, recipient=f"member{i}@team.example", send_at=now)
        for i in range(count)
    ]


def claim_all(django_capture_on_commit_callbacks, broker) -> list[tuple[list[int], str]]:
    with django_capture_on_commit_callbacks(execute=True):
        delivery.dispatch()
    batches = [(ids, token) for ids, token, _queue in broker.published]
    broker.published.clear()
    return batches


def statuses() -> dict[str, str]:
    return dict(Message.objects.values_list("recipient", "status"))
