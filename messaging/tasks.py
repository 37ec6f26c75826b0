"""Celery tasks: small wrappers that take ids, over messaging.delivery, messaging.reminders, retention and the
mailbox's sync."""

from dataclasses import asdict

from celery import shared_task

from messaging import delivery, reminders, retention
from messaging.mailbox import handling, sync


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


@shared_task
def sync_mailboxes() -> int:
    """Beat: hand each mailbox due for a sync to sync_mailbox. Run twice or from two beats, a mailbox is only
    synced once at a time: its lease decides (messaging.mailbox.sync)."""
    due = sync.mailboxes_due()
    for mailbox_id in due:
        sync_mailbox.delay(mailbox_id)
    return len(due)


@shared_task
def sync_mailbox(mailbox_id: int) -> dict | None:
    """Read and log what is new in one mailbox; None when another worker is at it, or it is paused or gone."""
    result = sync.mailbox_sync(mailbox_id=mailbox_id)
    return asdict(result) if result is not None else None


@shared_task
def purge_unknown_senders() -> int:
    """Beat, daily: forget the mails from unknown senders older than UNKNOWN_SENDER_DAYS."""
    return handling.unknown_senders_purge()
