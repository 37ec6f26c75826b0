from celery import shared_task
from django.utils import timezone

from health.models import Heartbeat

WORKER = "worker"


@shared_task
def heartbeat() -> None:
    """Run by the worker on beat's schedule: its row is the worker's proof of life."""
    Heartbeat.objects.update_or_create(name=WORKER, defaults={"beat_at": timezone.now()})
