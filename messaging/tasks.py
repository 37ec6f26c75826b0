"""Celery tasks: small wrappers that take ids, over messaging.delivery, messaging.reminders and retention."""

from dataclasses import asdict

from celery import shared_task

from messaging import delivery, reminders, retention


@shared_task
def dispatch_due_messages() -> dict:
    """Beat: claim due messages and hand them to send_messages in batches; returns what the pass did."""
    return asdict(delivery.dispatch())


@shared_task(acks_late=True)
def send_messages(message_ids: list[int], claim: str) -> dict[str, int]:
    """Send a batch of claimed messages over one connection; returns how many went which way."""
    return delivery.deliver_batch(message_ids, claim)


@shared_task(acks_late=True)
def send_message(message_id: int, claim: str) -> str:
    """One message: what dispatchers before batches enqueued, still in a broker during an upgrade."""
    return delivery.deliver(message_id, claim)


@shared_task
def queue_reminders() -> int:
    return reminders.reminders_queue()


@shared_task
def queue_digests() -> int:
    return reminders.digests_queue()


@shared_task
def purge_old_message_bodies() -> int:
    """Beat, daily: blank the text of messages sent longer ago than MESSAGE_BODY_RETENTION_DAYS."""
    return retention.message_bodies_purge()
