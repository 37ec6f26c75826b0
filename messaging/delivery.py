"""Getting outbox rows out: the dispatcher claims due rows in bulk, a send task delivers a batch of them.

- The dispatcher is harmless to run twice at once, from any number of beats, or more often than scheduled: it
  claims with `SELECT … FOR UPDATE SKIP LOCKED` and a conditional update (scheduled → sending), so a row is
  claimed once. One pass claims everything due (DISPATCH_BATCH_SIZE rows per transaction) while fewer than
  DISPATCH_MAX_IN_FLIGHT rows are being sent, and hands them out DISPATCH_TASK_SIZE ids per send task. The cap is
  one for the whole team, held by the database (see dispatch): rows in "sending" never exceed it.
- Each claim carries a token. The send task consumes it for its whole batch in one conditional update before any
  network I/O, replacing it with a lease of its own: a duplicated or redelivered task finds no row still carrying
  the token and does nothing, and every later write of the task checks the lease.
- Consent and replies are checked at send time, close to each mail (see _send_all): an opt-out, a reply or an
  erasure committed more than DISPATCH_RECHECK_SECONDS (0.5 s) before a mail's SMTP transaction starts stops it.
- No network I/O inside a transaction: claim, commit, send, record the result. A batch goes over one connection;
  over SMTP the outbox writes the MIME itself (messaging.mime) and pipelines MAIL, RCPT and DATA where the
  server allows it (messaging.smtp).
- Each sent message is recorded on its own, right after the server accepted it and before the same process sends
  the next one: that is what bounds a process's death to at most one duplicate. Everything else (cancellations,
  retries, failures) is recorded with one update per outcome group.
- Temporary failures go back to the schedule with a growing delay (the database holds the schedule; the
  broker only carries "send these now"); permanent ones are stored as failed for a person to see.
- A row left in "sending" by a dead worker, or by a send task the broker lost, goes back to the schedule after
  MESSAGE_SENDING_TIMEOUT_SECONDS (10 minutes by default): until then the rest of its batch waits. If the process
  died after the SMTP exchange finished but before recording it, that one message goes twice: the only duplicate
  possible, at most one per process that was sending when it died — a worker killed with its pool's N processes
  each in a batch may send up to N messages twice (N = its concurrency; one with --pool=solo). On PostgreSQL a
  "sent" record commits without waiting for the disk (see _sent_sql): a worker's death loses none of them, a crash
  of the database server itself may lose the last fraction of a second of them, and those messages go twice.
"""

import functools
import logging
import smtplib
import uuid
from collections import Counter, defaultdict, deque
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from time import monotonic

import psycopg
from anymail.exceptions import AnymailAPIError, AnymailRecipientsRefused
from django.conf import settings
from django.core.mail import get_connection
from django.core.mail.backends.smtp import EmailBackend as SmtpBackend
from django.db import connection, transaction
from django.db.models import Exists, F, OuterRef, Q, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from campaigns.models import Stage
from crm.addresses import email_key
from crm.models import BouncingAddress, Contact, Influencer
from messaging import mime, smtp
from messaging.emails import as_email
from messaging.models import Message
from messaging.services import OPTED_OUT, bounce_text
from messaging.timezones import next_sending_time

log = logging.getLogger(__name__)
Status = Message.Status


# --- Dispatch --------------------------------------------------------------------------------------------------


def requeue_stuck(now: datetime) -> int:
    cutoff = now - timedelta(seconds=settings.MESSAGE_SENDING_TIMEOUT_SECONDS)
    return Message.objects.filter(status=Status.SENDING, claimed_at__lt=cutoff).update(
        status=Status.SCHEDULED, claim="", last_error="Back to the schedule: its worker stopped while sending."
    )


@dataclass
class Dispatched:
    """What one dispatcher pass did."""

    requeued: int = 0  # rows left in "sending" by a dead worker, put back on the schedule
    claimed: int = 0  # due rows claimed (scheduled → sending)
    handed: int = 0  # claimed rows handed to the broker, in send tasks
    put_back: int = 0  # claimed rows the broker would not take: back on the schedule, for the next pass
    broker_error: str = ""  # why the broker would not take them
    busy: bool = False  # another pass was running: this one did nothing

    def __str__(self) -> str:
        if self.busy:
            return "Another dispatcher pass is running: this one did nothing."
        text = f"{self.handed} message(s) handed to the worker."
        if self.put_back:
            text += f" {self.put_back} put back on the schedule: the broker would not take them ({self.broker_error})."
        if self.requeued:
            text += f" {self.requeued} whose worker stopped while sending went back to the schedule."
        return text


def dispatch(*, now: datetime | None = None, batch: int | None = None) -> Dispatched:
    """One pass: requeue stuck rows, then claim everything due and hand it out; returns what it did.

    Claims run in transactions of `batch` rows (DISPATCH_BATCH_SIZE) so no lock is held long, and stop once
    DISPATCH_MAX_IN_FLIGHT rows are in "sending": more would wait in the broker longer than the sending timeout.
    The cap is one for the whole team, whatever the number of beats and workers: each claim counts what is in
    flight and claims in one transaction that the database runs one at a time (_claim), and on PostgreSQL a pass
    runs only while no other does (an advisory lock; a second pass returns at once, busy). On SQLite passes may
    interleave, but the database's single write lock (transaction_mode IMMEDIATE) serialises their claims.
    """
    now = now or timezone.now()
    batch = batch or settings.DISPATCH_BATCH_SIZE
    report = Dispatched()
    with _one_pass_at_a_time() as alone:
        if not alone:
            report.busy = True
            return report
        report.requeued = requeue_stuck(now)
        while _claim(now, batch, report):  # a full claim: more may be due
            pass
    return report


# Any 64-bit number that nothing else in the database locks with: "outbox" in ASCII.
_DISPATCH_LOCK = 0x6F7574626F78


@contextmanager
def _one_pass_at_a_time():
    """PostgreSQL: hold a session-level advisory lock for the pass (freed by the server if the process dies)."""
    if connection.vendor != "postgresql":
        yield True
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s)", [_DISPATCH_LOCK])
        alone = cursor.fetchone()[0]
    try:
        yield alone
    finally:
        if alone:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s)", [_DISPATCH_LOCK])


def _claim(now: datetime, size: int, report: Dispatched) -> bool:
    """Claim up to `size` due rows in one transaction, within the in-flight cap; returns whether `size` rows were
    due and room was left for them (so more may be due).

    The count of rows in flight and the claim are one step: on PostgreSQL no other pass runs, on SQLite the
    transaction holds the write lock from its start."""
    from messaging.tasks import send_messages  # messaging.tasks imports this module: at the top, a cycle

    token = uuid.uuid4().hex
    with transaction.atomic():
        size = min(size, settings.DISPATCH_MAX_IN_FLIGHT - Message.objects.filter(status=Status.SENDING).count())
        if size <= 0:
            return False
        due = list(
            Message.objects.select_for_update(skip_locked=True)
            .filter(status=Status.SCHEDULED, send_at__lte=now)
            .order_by("send_at", "pk")
            .values_list("pk", "kind", "influencer_id")[:size]
        )
        ids = _hold_outside_sending_hours(due, now)
        claimed = 0
        if ids:
            claimed = Message.objects.filter(pk__in=ids, status=Status.SCHEDULED).update(
                status=Status.SENDING, claim=token, claimed_at=now, attempts=F("attempts") + 1
            )
            report.claimed += claimed
            transaction.on_commit(lambda: _enqueue(send_messages, ids, token, report))
    return len(due) == size


def _hold_outside_sending_hours(due: list[tuple[int, str, int | None]], now: datetime) -> list[int]:
    """Postpone influencer messages to their next sending window; return the ids that may go now."""
    zones = dict(
        Influencer.objects.filter(pk__in={i for _pk, kind, i in due if kind in Message.TO_INFLUENCERS}).values_list(
            "pk", "timezone"
        )
    )
    ready, held = [], defaultdict(list)
    for pk, kind, influencer_id in due:
        if kind in Message.TO_INFLUENCERS and influencer_id in zones:
            when = next_sending_time(now, zones[influencer_id])
            if when > now:
                held[when].append(pk)
                continue
        ready.append(pk)
    for when, pks in held.items():  # one update per window, not per row
        Message.objects.filter(pk__in=pks, status=Status.SCHEDULED).update(send_at=when)
    return ready


def _enqueue(task, ids: list[int], token: str, report: Dispatched) -> None:
    """After commit: hand the claimed ids out in batches; what cannot be enqueued goes back to the schedule."""
    size = settings.DISPATCH_TASK_SIZE
    sent = 0
    try:
        with task.app.producer_or_acquire() as producer:
            for start in range(0, len(ids), size):
                chunk = ids[start : start + size]
                task.apply_async((chunk, token), producer=producer, queue=settings.MESSAGES_QUEUE)
                sent += len(chunk)
    except Exception as exc:  # the broker is down or went away: the rows wait in the database
        log.exception("could not enqueue %s of %s messages; they go back to the schedule", len(ids) - sent, len(ids))
        report.put_back += Message.objects.filter(pk__in=ids[sent:], status=Status.SENDING, claim=token).update(
            status=Status.SCHEDULED, claim="", attempts=F("attempts") - 1
        )
        report.broker_error = f"{type(exc).__name__}: {exc}"[:200]
    finally:
        report.handed += sent


# --- Delivery of a batch ---------------------------------------------------------------------------------------


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
    """A reason to cancel instead of sending, checked again at send time; empty when it should go.

    Expects the row loaded by _load (influencer, relationship and `replied`).
    """
    influencer = message.influencer
    if message.to_influencer:
        if influencer is None or not influencer.email:
            return "The person or their address is gone."
        if influencer.consent == Influencer.Consent.OPTED_OUT:
            return str(OPTED_OUT)
        if message.cancel_if_reply and message.replied:
            return _("They replied before it went.")
    # A reminder that a contact is due (due_on) is moot once they were contacted; a notice to the owner (a post
    # found, a disclosure missing: no due_on) is not about the contact clock.
    if message.kind == Message.Kind.REMINDER and influencer is not None and message.due_on is not None:
        relationship = message.relationship
        if relationship is not None:
            if relationship.stage == Stage.CLOSED or relationship.next_contact_due != message.due_on:
                return "Contacted or closed since it was due."
        elif influencer.next_contact_due != message.due_on:
            return "Contacted since it was due."
    return ""


def retry_delay(attempts: int) -> timedelta:
    seconds = settings.MESSAGE_RETRY_BASE_SECONDS * 2 ** max(attempts - 1, 0)
    return timedelta(seconds=min(seconds, settings.MESSAGE_RETRY_MAX_SECONDS))


def _load(ids: list[int], lease: str) -> list[Message]:
    """The rows this task holds, with what the send-time checks read, in one query."""
    # An inbound contact logged since the follow-up was written: a reply the cancel-on-reply sweep could not
    # reach, because the row was already claimed when it was logged.
    replied = Contact.objects.filter(
        influencer=OuterRef("influencer"),
        direction=Contact.Direction.INBOUND,
        automatic=False,
        created_at__gt=OuterRef("created_at"),
    )
    # A bounce of the person's address, read with the row; the recipient is that address but for a row queued
    # before the address changed, which _bounces reads apart.
    bounce = BouncingAddress.objects.filter(email_key=OuterRef("influencer__email_key")).exclude(email_key="")
    return list(
        Message.objects.filter(pk__in=ids, status=Status.SENDING, claim=lease)
        .select_related("influencer", "relationship")
        .annotate(replied=Exists(replied), bounce_id=Subquery(bounce.values("pk")[:1]))
        .order_by("pk")
    )


def _bounces(loaded: list[Message]) -> dict[int, str]:
    """Why each message to a person would bounce, by message id (a message to a bouncing address fails, with the
    reason for a person to read); one query, and only when there is a bounce to explain or a recipient that is not
    the person's address now."""
    to_people = [m for m in loaded if m.to_influencer and m.influencer is not None]
    strays = {m.pk: email_key(m.recipient) for m in to_people if email_key(m.recipient) != m.influencer.email_key}
    known = {m.pk: m.bounce_id for m in to_people if m.bounce_id and m.pk not in strays}
    if not strays and not known:
        return {}
    found = BouncingAddress.objects.filter(Q(pk__in=known.values()) | Q(email_key__in=set(strays.values())))
    by_pk = {row.pk: row for row in found}
    by_key = {row.email_key: row for row in found}
    reasons = {pk: bounce_text(by_pk[bounce]) for pk, bounce in known.items() if bounce in by_pk}
    reasons.update({pk: bounce_text(by_key[key]) for pk, key in strays.items() if key in by_key})
    return reasons


@functools.cache
def _sent_sql() -> str:
    """UPDATE message SET status, sent_at, updated_at, claim = '', last_error = '' WHERE id, status and claim match."""
    q = connection.ops.quote_name
    c = {
        f: q(Message._meta.get_field(f).column)
        for f in ("id", "status", "sent_at", "updated_at", "claim", "last_error")
    }
    update = (
        f"UPDATE {q(Message._meta.db_table)} SET {c['status']} = %s, {c['sent_at']} = %s, {c['updated_at']} = %s, "
        f"{c['claim']} = '', {c['last_error']} = ''"
    )
    where = f"WHERE {c['id']} = %s AND {c['status']} = %s AND {c['claim']} = %s"
    if connection.vendor == "postgresql":
        # This statement is its own transaction (autocommit), and a durable commit waits for the WAL to reach the
        # disk: thirty times the rest of the work, a low ceiling on messages a second. Turned off for this
        # one transaction (set_config(…, true) is local to it and still in force when it commits), the commit
        # returns at once and the WAL writer flushes it within a second. A worker killed at any point loses
        # nothing: the server holds the commit. Only a crash of the database server itself can lose the last
        # fraction of a second of "sent" records; those rows come back as stuck and go twice.
        return f"WITH _async AS (SELECT set_config('synchronous_commit', 'off', true)) {update} FROM _async {where}"
    return f"{update} {where}"


def _prepared_cursor():
    """A cursor whose statements PostgreSQL plans once per connection, for the statement run once per message.

    Django's cursors bind parameters on the client, so PostgreSQL parses and plans every "sent" UPDATE again: with
    the outbox's indexes and checks, two thirds of its time. A psycopg cursor binding on the server, on the same
    connection, runs it as a prepared statement; Django's wrapper around it keeps its error translation, execute
    wrappers and query logging. Other databases: Django's own cursor.
    """
    if connection.vendor != "postgresql":
        return connection.cursor()
    connection.ensure_connection()
    raw = _PreparingCursor(connection.connection)
    return connection.make_debug_cursor(raw) if connection.queries_logged else connection.make_cursor(raw)


class _PreparingCursor(psycopg.Cursor):
    """Every statement as a prepared one (psycopg keeps them per connection, reused by their text)."""

    def execute(self, query, params=None, *, prepare=True, binary=None):
        return super().execute(query, params, prepare=prepare, binary=binary)


class _Batch:
    """The results of one batch, written as they must be: a sent row at once, the others grouped at the end."""

    def __init__(self, lease: str):
        self.lease = lease
        self.outcomes: Counter[str] = Counter()
        self.groups: dict[tuple, list[int]] = defaultdict(list)

    def _write(self, pks: list[int], **changes) -> int:
        # Conditional on the lease: a row requeued as stuck and claimed again by someone else is not ours.
        return Message.objects.filter(pk__in=pks, status=Status.SENDING, claim=self.lease).update(
            claim="", updated_at=timezone.now(), **changes
        )

    def sent(self, message: Message) -> None:
        # Recorded before the next message goes: a worker killed now leaves at most one sent row unrecorded.
        # The one statement per message, so plain SQL: the ORM takes four times its CPU to build the same UPDATE.
        now = connection.ops.adapt_datetimefield_value(timezone.now())
        with _prepared_cursor() as cursor:
            cursor.execute(_sent_sql(), [Status.SENT, now, now, message.pk, Status.SENDING, self.lease])
            if cursor.rowcount != 1:
                log.warning("message %s was sent after its claim expired", message.pk)
        self.outcomes["sent"] += 1

    def later(self, outcome: str, message: Message, **changes) -> None:
        self.groups[tuple(sorted(changes.items()))].append(message.pk)
        self.outcomes[outcome] += 1

    def failure(self, message: Message, exc: Exception) -> None:
        error = f"{type(exc).__name__}: {exc}"[:2000]
        if _is_temporary(exc) and message.attempts < settings.MESSAGE_MAX_ATTEMPTS:
            when = timezone.now() + retry_delay(message.attempts)
            self.later("retry", message, status=Status.SCHEDULED, send_at=when, last_error=error)
            log.warning("message %s: temporary failure, retry at %s: %s", message.pk, when, error)
        else:
            self.later("failed", message, status=Status.FAILED, last_error=error)
            log.error("message %s failed: %s", message.pk, error)

    def flush(self) -> None:
        for changes, pks in self.groups.items():
            self._write(pks, **dict(changes))
        self.groups.clear()


def deliver_batch(message_ids: list[int], claim: str) -> dict[str, int]:
    """Send a batch of claimed messages over one connection; returns how many went which way.

    Outcomes: sent, cancelled (a send-time check said no), retry, failed, skipped (not this task's to send:
    its claim was consumed already), and postponed (the batch ran out of time and put it back, untried).
    """
    lease = uuid.uuid4().hex
    # Consume the claim first, for the whole batch: of two tasks carrying it, one takes the rows, the other none.
    won = Message.objects.filter(pk__in=message_ids, status=Status.SENDING, claim=claim).update(
        claim=lease, claimed_at=timezone.now()
    )
    batch = _Batch(lease)
    batch.outcomes["skipped"] = len(set(message_ids)) - won
    if won:
        try:
            _send_all(message_ids, batch)
        finally:
            batch.flush()
    return {outcome: n for outcome, n in batch.outcomes.items() if n}


def _send_all(message_ids: list[int], batch: _Batch) -> None:
    """Send the rows this batch holds, one after the other, re-checking them close enough to each send.

    The guarantee: an opt-out, a reply or an erasure committed more than DISPATCH_RECHECK_SECONDS before a mail's
    SMTP transaction starts (plus the time of one query and of writing one mail) stops that mail. The rows are
    read with their checks (_load, _why_not_send) before the first send, and read again before any send that
    comes DISPATCH_RECHECK_SECONDS or more after the last reading started; the cancelling services need not
    reach a row in "sending", the sender cancels it itself. The same reading drops a row this batch no longer
    holds (requeued as stuck and claimed by someone else), so it does not go twice.
    """
    # Past half the sending timeout the rows could be requeued as stuck while this task still holds them.
    deadline = monotonic() + settings.MESSAGE_SENDING_TIMEOUT_SECONDS / 2
    checked_at = monotonic()  # before the query: what was committed before it, the reading sees
    to_send = _still_to_send(_load(message_ids, batch.lease), batch)
    backend = get_connection(fail_silently=False)
    try:
        while to_send:
            if monotonic() > deadline:
                for untried in to_send:
                    batch.later("postponed", untried, status=Status.SCHEDULED, attempts=untried.attempts - 1)
                return
            try:
                backend.open()  # no-op while the connection is open; reconnects after a failure closed it
            except Exception as exc:  # the server cannot be reached: none of the rest can go either
                for unsent in to_send:
                    batch.failure(unsent, exc)
                return
            if monotonic() - checked_at >= settings.DISPATCH_RECHECK_SECONDS:
                checked_at = monotonic()
                to_send = _still_to_send(_load([m.pk for m in to_send], batch.lease), batch, expected=to_send)
                if not to_send:
                    return
            message = to_send.popleft()
            try:
                _send_one(backend, as_email(message))
            except Exception as exc:
                batch.failure(message, exc)
                _close(backend)  # the session may be broken: the next message starts a fresh one
                continue
            batch.sent(message)
    finally:
        _close(backend)


def _still_to_send(loaded: list[Message], batch: _Batch, *, expected: deque | None = None) -> deque[Message]:
    """The loaded rows that should still go, in order; the others are cancelled with their reason.

    `expected`: the rows the batch was about to send; one that was not loaded again is no longer held by it.
    """
    if expected is not None:
        batch.outcomes["skipped"] += len(expected) - len(loaded)
    to_send: deque[Message] = deque()
    bounces = _bounces(loaded)
    for message in loaded:
        reason = _why_not_send(message)
        if reason:
            batch.later("cancelled", message, status=Status.CANCELLED, last_error=reason)
        elif message.pk in bounces:
            # Failed, not cancelled: nobody asked for it to stop; its sender must find another way to reach them.
            batch.later("failed", message, status=Status.FAILED, last_error=bounces[message.pk])
        else:
            to_send.append(message)
    return to_send


def _send_one(backend, email) -> None:
    # Over SMTP the outbox writes its MIME itself (messaging.mime: a third of the CPU a message costs) and pipelines
    # its commands where the server allows it (messaging.smtp); other backends (an e-mail service's API through
    # anymail) take the EmailMessage.
    if isinstance(backend, SmtpBackend):
        written = mime.envelope(email)
        if written is not None:
            smtp.sendmail(backend.connection, *written)
            return
    backend.send_messages([email])


def _close(backend) -> None:
    try:
        backend.close()
    except Exception:  # closing a broken connection may fail too; it is dropped either way
        log.debug("closing the mail connection failed", exc_info=True)


def deliver(message_id: int, claim: str) -> str:
    """Send one claimed message; returns what happened (sent, skipped, cancelled, retry, failed)."""
    outcomes = deliver_batch([message_id], claim)
    return next(iter(outcomes), "skipped")  # nothing at all: the row was deleted after it was claimed
