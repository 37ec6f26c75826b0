"""Celery tasks: small wrappers that take ids, over messaging.delivery and messaging.services."""

from celery import shared_task

from messaging import delivery, retention, services


@shared_task
def dispatch_due_messages() -> int:
    """Beat, every minute: claim due messages and hand each to send_message."""
    return delivery.dispatch()


@shared_task(acks_late=True)
def send_message(message_id: int, claim: str) -> str:
    return delivery.deliver(message_id, claim)


@shared_task
def queue_reminders() -> int:
    return services.reminders_queue()


@shared_task
def queue_digests() -> int:
    return services.digests_queue()


@shared_task
def purge_old_message_bodies() -> int:
    """Beat, daily: blank the text of messages sent longer ago than MESSAGE_BODY_RETENTION_DAYS."""
    return retention.message_bodies_purge()
