"""Read queries on the mailboxes' health that more than one place needs: Today's warning and /healthz."""

from datetime import datetime, timedelta

from django.db.models import Q, QuerySet
from django.utils import timezone

from messaging.models import Mailbox

# Beat syncs every minute: a quarter of an hour without a successful sync is not a slow server any more.
STALE_AFTER = timedelta(minutes=15)


def _stale(now: datetime) -> Q:
    """Not synced for STALE_AFTER: the last success is older, or there never was one and it was connected before."""
    since = now - STALE_AFTER
    return Q(last_sync_at__lt=since) | Q(last_sync_at__isnull=True, created_at__lt=since)


def my_stale_mailbox(user) -> QuerySet[Mailbox]:
    """The member's own mailbox (at most one row) when it is not paused and has not synced for STALE_AFTER."""
    return Mailbox.objects.filter(_stale(timezone.now()), owner=user, shared=False, paused=False).only(
        "address", "last_sync_at", "last_error", "last_error_at", "failures", "next_sync_at", "created_at"
    )


def failing_mailboxes() -> QuerySet[Mailbox]:
    """Mailboxes that are not paused and either failed their last sync or have not synced for STALE_AFTER."""
    return Mailbox.objects.filter(_stale(timezone.now()) | Q(failures__gt=0), paused=False)
