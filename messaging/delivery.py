"""Getting outbox rows out: the dispatcher claims due rows, the send task delivers one claimed row.

- The dispatcher is harmless to run twice at once or more often than scheduled: it claims with
  `SELECT … FOR UPDATE SKIP LOCKED` and a conditional update (scheduled → sending), so a row is claimed once.
- Each claim carries a token; the send task consumes it with another conditional update before any network
  I/O, so a duplicated or redelivered task message does nothing.
- No network I/O inside a transaction: claim, commit, send, record the result.
- Temporary failures go back to the schedule with a growing delay (the database holds the schedule; the
  broker only carries "send this now"); permanent ones are stored as failed for a person to see.
- A row left in "sending" by a dead worker goes back to the schedule after MESSAGE_SENDING_TIMEOUT_SECONDS.
  If the worker died after the SMTP exchange finished but before recording it, that one message goes twice:
  the only duplicate possible, at most one per lost worker.
"""

import logging
import smtplib
import uuid
from datetime import datetime, time, timedelta

from anymail.exceptions import AnymailAPIError, AnymailRecipientsRefused
from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from campaigns.models import Stage
from crm.models import Influencer
from messaging.emails import as_email
from messaging.models import Message
from messaging.timezones import zone

log = logging.getLogger(__name__)
Status = Message.Status


# --- Sending hours ---------------------------------------------------------------------------------------------


def next_sending_time(now: datetime, tz_name: str) -> datetime:
    """`now` if it is inside the sending hours of that time zone, else the start of the next window."""
    tz = zone(tz_name)
    start, end = settings.SENDING_HOURS
    local = now.astimezone(tz)
    if local.weekday() in settings.SENDING_WEEKDAYS and start <= local.hour < end:
        return now
    day = local.date() if local.hour < start else local.date() + timedelta(days=1)
    while day.weekday() not in settings.SENDING_WEEKDAYS:
        day += timedelta(days=1)
    return datetime.combine(day, time(hour=start), tzinfo=tz)


# --- Dispatch --------------------------------------------------------------------------------------------------


def requeue_stuck(now: datetime) -> int:
    cutoff = now - timedelta(seconds=settings.MESSAGE_SENDING_TIMEOUT_SECONDS)
    return Message.objects.filter(status=Status.SENDING, claimed_at__lt=cutoff).update(
        status=Status.SCHEDULED, claim="", last_error="Back to the schedule: its worker stopped while sending."
    )


def dispatch(*, now: datetime | None = None, batch: int | None = None) -> int:
    """One pass: requeue stuck rows, hold influencer mail outside sending hours, claim due rows and enqueue them."""
    from messaging.tasks import send_message

    now = now or timezone.now()
    batch = batch or settings.DISPATCH_BATCH_SIZE
    requeue_stuck(now)
    token = uuid.uuid4().hex
    with transaction.atomic():
        due = list(
            Message.objects.select_for_update(skip_locked=True)
            .filter(status=Status.SCHEDULED, send_at__lte=now)
            .order_by("send_at", "pk")
            .values_list("pk", "kind", "influencer_id")[:batch]
        )
        ids = _hold_outside_sending_hours(due, now)
        claimed = Message.objects.filter(pk__in=ids, status=Status.SCHEDULED).update(
            status=Status.SENDING, claim=token, claimed_at=now, attempts=F("attempts") + 1
        )
        transaction.on_commit(lambda: _enqueue(send_message, ids, token))
    return claimed


def _hold_outside_sending_hours(due: list[tuple[int, str, int | None]], now: datetime) -> list[int]:
    """Postpone influencer messages to their next sending window; return the ids that may go now."""
    zones = dict(
        Influencer.objects.filter(pk__in={i for _pk, kind, i in due if kind in Message.TO_INFLUENCERS}).values_list(
            "pk", "timezone"
        )
    )
    ready = []
    for pk, kind, influencer_id in due:
        if kind in Message.TO_INFLUENCERS and influencer_id in zones:
            when = next_sending_time(now, zones[influencer_id])
            if when > now:
                Message.objects.filter(pk=pk, status=Status.SCHEDULED).update(send_at=when)
                continue
        ready.append(pk)
    return ready


def _enqueue(task, ids: list[int], token: str) -> None:
    """After commit: hand each claimed id to a send task; what cannot be enqueued goes back to the schedule."""
    sent = 0
    try:
        with task.app.producer_or_acquire() as producer:
            for pk in ids:
                task.apply_async((pk, token), producer=producer, queue=settings.MESSAGES_QUEUE)
                sent += 1
    except Exception:  # the broker is down or went away: the rows wait in the database
        log.exception("could not enqueue %s of %s messages; they go back to the schedule", len(ids) - sent, len(ids))
        Message.objects.filter(pk__in=ids[sent:], status=Status.SENDING, claim=token).update(
            status=Status.SCHEDULED, claim="", attempts=F("attempts") - 1
        )


# --- Delivery of one message -----------------------------------------------------------------------------------


def _is_temporary(exc: Exception) -> bool:
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return all(400 <= code < 500 for code, _msg in exc.recipients.values())
    if isinstance(exc, smtplib.SMTPResponseException):
        return 400 <= exc.smtp_code < 500
    if isinstance(exc, AnymailRecipientsRefused):
        return False
    if isinstance(exc, AnymailAPIError):
        return exc.status_code is None or exc.status_code >= 500 or exc.status_code == 429
    # Connection refused or reset, timeouts, a server that hung up: try again later.
    return isinstance(exc, smtplib.SMTPServerDisconnected | ConnectionError | TimeoutError | OSError)


def _why_not_send(message: Message) -> str:
    """A reason to cancel instead of sending, checked again at send time; empty when it should go."""
    influencer = message.influencer
    if message.to_influencer:
        if influencer is None or not influencer.email:
            return "The person or their address is gone."
        if influencer.consent == Influencer.Consent.OPTED_OUT:
            return "The person opted out."
    if message.kind == Message.Kind.REMINDER and influencer is not None:
        relationship = message.relationship
        if relationship is not None:
            if relationship.stage == Stage.CLOSED or relationship.next_contact_due != message.due_on:
                return "Contacted or closed since it was due."
        elif influencer.next_contact_due != message.due_on:
            return "Contacted since it was due."
    return ""


def _finish(message_id: int, **changes) -> None:
    Message.objects.filter(pk=message_id, status=Status.SENDING).update(updated_at=timezone.now(), **changes)


def retry_delay(attempts: int) -> timedelta:
    seconds = settings.MESSAGE_RETRY_BASE_SECONDS * 2 ** max(attempts - 1, 0)
    return timedelta(seconds=min(seconds, settings.MESSAGE_RETRY_MAX_SECONDS))


def deliver(message_id: int, claim: str) -> str:
    """Send one claimed message; returns what happened (sent, skipped, cancelled, retry, failed)."""
    # Consume the claim first: of two tasks carrying it, one gets 1 here and the other 0.
    if not Message.objects.filter(pk=message_id, status=Status.SENDING, claim=claim).update(
        claim="", claimed_at=timezone.now()
    ):
        return "skipped"
    message = Message.objects.select_related("influencer", "relationship").get(pk=message_id)
    reason = _why_not_send(message)
    if reason:
        _finish(message_id, status=Status.CANCELLED, last_error=reason)
        return "cancelled"
    try:
        as_email(message).send()
    except Exception as exc:
        error = f"{type(exc).__name__}: {exc}"[:2000]
        if _is_temporary(exc) and message.attempts < settings.MESSAGE_MAX_ATTEMPTS:
            when = timezone.now() + retry_delay(message.attempts)
            _finish(message_id, status=Status.SCHEDULED, send_at=when, last_error=error)
            log.warning("message %s: temporary failure, retry at %s: %s", message_id, when, error)
            return "retry"
        _finish(message_id, status=Status.FAILED, last_error=error)
        log.error("message %s failed: %s", message_id, error)
        return "failed"
    _finish(message_id, status=Status.SENT, sent_at=timezone.now(), last_error="")
    return "sent"
