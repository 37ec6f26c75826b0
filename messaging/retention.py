"""How long the outbox keeps what it sent: old bodies are purged, the rows (who, when, what kind) stay.

A sent message's text is personal data with no use once the conversation has moved on; after
MESSAGE_BODY_RETENTION_DAYS its subject and body are blanked. Counts, dates, kinds and statuses stay, so the
reports and the timeline's "a thank-you went on …" still hold. Messages that never went (scheduled, failed,
cancelled) are not touched: they are still work, or the record of why something did not go.
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from messaging.models import Message

BATCH_SIZE = 1000


def message_bodies_purge(*, now: datetime | None = None, batch_size: int = BATCH_SIZE) -> int:
    """Blank the subject and body of messages sent more than MESSAGE_BODY_RETENTION_DAYS ago; returns how many.

    In batches of `batch_size` (short transactions, so the dispatcher is never held up behind a long update),
    and idempotent: purged rows have nothing left to purge and are left out of the scan, so a second run, or
    two runs at once, purge nothing twice. A retention of 0 days switches the purge off.
    """
    days = settings.MESSAGE_BODY_RETENTION_DAYS
    if days <= 0:
        return 0
    now = now or timezone.now()
    cutoff = now - timedelta(days=days)
    # send_at <= sent_at for every sent row, so "send_at before the cutoff" narrows the scan on the
    # (status, send_at) index without losing any row that sent_at alone would find.
    old = (
        Message.objects.filter(status=Message.Status.SENT, send_at__lt=cutoff, sent_at__lt=cutoff)
        .exclude(Q(body="") & Q(subject=""))
        .order_by()
    )
    purged = 0
    while True:
        ids = list(old.values_list("pk", flat=True)[:batch_size])
        if not ids:
            return purged
        purged += old.filter(pk__in=ids).update(subject="", body="", updated_at=now)
        if len(ids) < batch_size:
            return purged
