"""Celery tasks: small wrappers that take ids, over messaging.delivery and messaging.services."""

from celery import shared_task

from messaging import delivery, services


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
