"""The checks behind /healthz. Each returns (state, reason)."""

from datetime import timedelta

from django.conf import settings
from django.db import connection
from django.utils import timezone

from config.celery import app as celery_app
from crm.models import Feed
from health.models import Heartbeat
from health.tasks import WORKER
from messaging.mailbox.selectors import STALE_AFTER, failing_mailboxes

OK = "ok"
ERROR = "error"
STALE = "stale"
FAILING = "failing"
BROKEN = "broken"


def check_database() -> tuple[str, str]:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # any driver error means "not usable"
        return ERROR, f"{type(exc).__name__}: {exc}"
    return OK, ""


def check_broker() -> tuple[str, str]:
    try:
        with celery_app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=settings.CELERY_BROKER_CONNECTION_TIMEOUT)
    except Exception as exc:  # kombu raises transport-specific errors
        return ERROR, f"{type(exc).__name__}: {exc}"
    return OK, ""


def check_worker() -> tuple[str, str]:
    try:
        beat = Heartbeat.objects.filter(name=WORKER).first()
    except Exception as exc:
        return ERROR, f"{type(exc).__name__}: {exc}"
    if beat is None:
        return ERROR, "no heartbeat from a worker yet (is the worker and beat running?)"
    age = timezone.now() - beat.beat_at
    if age > timedelta(seconds=settings.HEALTH_WORKER_STALE_AFTER_SECONDS):
        return STALE, f"last heartbeat {int(age.total_seconds())} s ago"
    return OK, ""


def check_mailboxes() -> tuple[str, str]:
    """The mailboxes beat should be reading and is not: the last sync failed, or none succeeded for STALE_AFTER."""
    try:
        failing = failing_mailboxes().count()
    except Exception as exc:
        return ERROR, f"{type(exc).__name__}: {exc}"
    if failing:
        minutes = int(STALE_AFTER.total_seconds() // 60)
        return FAILING, f"{failing} mailbox(es) failing or not synced for {minutes} minutes"
    return OK, ""


def check_feeds() -> tuple[str, str]:
    """The channels' feeds that are broken (crm.feeds.polling: failing for days, or gone twice): information, not a
    failure of the app; each mends at its next good read, or when its channel is given another address."""
    try:
        broken = Feed.objects.filter(broken_at__isnull=False).count()
    except Exception as exc:
        return ERROR, f"{type(exc).__name__}: {exc}"
    if broken:
        return BROKEN, f"{broken} feed(s) broken"
    return OK, ""
