"""The mailbox sync: read what is new in a mailbox's folders and log it (messaging.mailbox.handling), once.

One sync of a mailbox at a time: a lease on the row (claim, claimed_at), taken with a conditional UPDATE, so a
second worker, a second beat or a task run twice returns at once; a killed worker's lease can be retaken after
LEASE. Mails are handled by group (at most GROUP_MAILS fetched mails, GROUP_BYTES of them): one transaction per
group, which also moves the folder's position past its last UID, renews the lease and counts what it did, once. A
worker killed mid-sync repeats at most that one group, which the mails' Message-IDs make harmless, and never skips
a mail. Each mail is handled in a savepoint of its own: one that fails rolls back alone. No network I/O happens
inside a transaction: a group is fetched whole before its transaction opens. A mail that cannot be read is
counted, named on the mailbox and passed over: it is never retried for ever and never stops the others.

Most of a marketer's mail concerns nobody in the directory: each mail's headers are looked at first
(parsing.mail_look), the group's people looked up in one query, and only a mail that can matter (a known address,
a delivery report, or any sender in a shared mailbox) is parsed whole and handled.
"""

import logging
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from imap_tools import BaseMailBox

from crm.models import Influencer
from crm.selectors import people_by_email_keys
from messaging.mailbox import imap
from messaging.mailbox.accounts import mailbox_settings
from messaging.mailbox.handling import Outcome, Team, mail_handle, team_addresses
from messaging.mailbox.parsing import MAX_MAIL_BYTES, MailLook, ParsedMail, UnreadableMail, mail_look, parse_mail
from messaging.mailbox.secrets import SealBroken
from messaging.models import Mailbox, MailboxFolder

logger = logging.getLogger(__name__)

# A sync holding its lease longer than this is taken for dead (each group handled renews it).
LEASE = timedelta(minutes=10)
LAST_UNREADABLE_MAX = 500
# A group: what a killed worker may have to read again, and what one transaction holds (a few tenths of a second).
GROUP_MAILS = 100
GROUP_BYTES = imap.FETCH_BUDGET_BYTES
PEOPLE_KEYS_PER_QUERY = 500  # far below any database's limit on a query's parameters


@dataclass
class SyncResult:
    read: int = 0
    contacts: int = 0
    unreadable: int = 0
    unknown: int = 0
    bounces: int = 0


class LeaseLost(Exception):
    """Another worker took the mailbox over (this one was taken for dead): stop without moving anything."""


def mailboxes_due(*, now: datetime | None = None) -> list[int]:
    """Ids of the mailboxes to sync now: not paused, due, and not being synced under a live lease."""
    now = now or timezone.now()
    return list(
        Mailbox.objects.filter(paused=False)
        .filter(Q(next_sync_at__isnull=True) | Q(next_sync_at__lte=now))
        .filter(Q(claim="") | Q(claimed_at__lt=now - LEASE))
        .order_by(F("next_sync_at").asc(nulls_first=True), "pk")  # one never synced first, on both databases
        .values_list("pk", flat=True)
    )


def backoff(failures: int) -> timedelta:
    """How long a mailbox that failed `failures` times in a row waits: 1, 2, 4… minutes, capped."""
    seconds = 60 * 2 ** min(max(failures - 1, 0), 20)
    return timedelta(seconds=min(seconds, settings.MAILBOX_BACKOFF_MAX_SECONDS))


def _claim(mailbox_id: int) -> str | None:
    token = uuid.uuid4().hex
    now = timezone.now()
    won = (
        Mailbox.objects.filter(pk=mailbox_id, paused=False)
        .filter(Q(claim="") | Q(claimed_at__lt=now - LEASE))
        .update(claim=token, claimed_at=now, last_attempt_at=now)
    )
    return token if won == 1 else None


def mailbox_sync(*, mailbox_id: int) -> SyncResult | None:
    """Read and log what is new in the mailbox; None when it is paused, gone, or being synced by another worker.

    The mailbox's health says how it went: last_sync_at on success; on a MailboxError (or a password the keys no
    longer open) failures + 1, last_error in words a person reads, and the next try after a growing delay."""
    token = _claim(mailbox_id)
    if token is None:
        return None
    outcome = Outcome()
    try:
        mailbox = Mailbox.objects.select_related("owner").get(pk=mailbox_id)
        try:
            _read(mailbox, token, outcome)
        except (imap.MailboxError, SealBroken) as error:
            _failed(mailbox, token, str(error))
        except (LeaseLost, Mailbox.DoesNotExist):
            raise
        except Exception as error:
            # A fault of ours or of the database: said on the mailbox and backed off like any other, not retried
            # every minute in silence; the groups already committed stay.
            logger.exception("mailbox %s: the sync stopped", mailbox_id)
            _failed(mailbox, token, f"The sync stopped on an unexpected error ({type(error).__name__}).")
        else:
            _succeeded(mailbox, token)
    except Mailbox.DoesNotExist:
        return None  # disconnected between the claim and the read
    except LeaseLost:
        logger.warning("mailbox %s: another worker took the sync over", mailbox_id)
        return None
    finally:
        Mailbox.objects.filter(pk=mailbox_id, claim=token).update(claim="", claimed_at=None)
    return SyncResult(outcome.read, outcome.contacts, outcome.unreadable, outcome.unknown, outcome.bounces)


def _succeeded(mailbox: Mailbox, token: str) -> None:
    now = timezone.now()
    Mailbox.objects.filter(pk=mailbox.pk, claim=token).update(
        last_sync_at=now,
        failures=0,
        last_error="",
        next_sync_at=now + timedelta(seconds=settings.MAILBOX_SYNC_SECONDS),
    )


def _failed(mailbox: Mailbox, token: str, message: str) -> None:
    now = timezone.now()
    failures = mailbox.failures + 1  # the lease makes this worker the only writer of the row's health
    Mailbox.objects.filter(pk=mailbox.pk, claim=token).update(
        failures=failures,
        last_error=message[:500],
        last_error_at=now,
        next_sync_at=now + backoff(failures),
    )


def _read(mailbox: Mailbox, token: str, outcome: Outcome) -> None:
    connection = mailbox_settings(mailbox)  # SealBroken before any network traffic
    team = team_addresses()
    with imap.connect(connection) as client:
        for ref in imap.folders_to_read(client):
            folder, _created = MailboxFolder.objects.get_or_create(
                mailbox=mailbox, name=ref.name, defaults={"role": ref.role}
            )
            if folder.role != ref.role:
                MailboxFolder.objects.filter(pk=folder.pk).update(role=ref.role)
            _read_folder(client, mailbox, folder, token, team, outcome)


def _read_folder(
    client: BaseMailBox, mailbox: Mailbox, folder: MailboxFolder, token: str, team: Team, outcome: Outcome
) -> None:
    uidvalidity, uidnext = imap.folder_position(client, folder.name)
    if uidvalidity != folder.uidvalidity:
        # First sync, or the server renumbered the folder: its UIDs mean nothing any more. Read it all again;
        # the Message-IDs make the mails already logged harmless.
        folder.uidvalidity, folder.last_uid = uidvalidity, 0
        MailboxFolder.objects.filter(pk=folder.pk).update(uidvalidity=uidvalidity, last_uid=0)
    elif uidnext <= folder.last_uid + 1:
        # UIDNEXT must change whenever a mail is added (RFC 3501 2.3.1.1): nothing new, so the folder is not
        # opened and searched. Most syncs of a minute's poll end here.
        return
    mails = imap.new_mail(client, folder.name, after_uid=folder.last_uid, max_bytes=MAX_MAIL_BYTES)
    checked = False
    while group := _next_group(mails):  # fetched whole before its transaction opens
        if not checked:
            if _examined_uidvalidity(client) not in (None, uidvalidity):
                # Renumbered between STATUS and EXAMINE: these UIDs are not the ones the position counts. The
                # next pass sees the new UIDVALIDITY and starts over.
                logger.warning("mailbox %s: %s renumbered while being read", mailbox.pk, folder.name)
                return
            checked = True
        _group_handle(mailbox, folder, group, token, team, outcome)


def _next_group(mails: Iterator[imap.FetchedMail]) -> list[imap.FetchedMail]:
    group: list[imap.FetchedMail] = []
    size = 0
    for fetched in mails:
        group.append(fetched)
        size += len(fetched.raw or b"")
        if len(group) >= GROUP_MAILS or size >= GROUP_BYTES:
            break
    return group


def _examined_uidvalidity(client: BaseMailBox) -> int | None:
    """The UIDVALIDITY the server gave when new_mail opened the folder: imaplib keeps EXAMINE's untagged answers
    (and flushes the older ones as it sends EXAMINE)."""
    values = client.client.untagged_responses.get("UIDVALIDITY") or []
    try:
        return int(values[-1])
    except (IndexError, ValueError, TypeError):
        return None


def _group_handle(
    mailbox: Mailbox,
    folder: MailboxFolder,
    group: list[imap.FetchedMail],
    token: str,
    team: Team,
    outcome: Outcome,
) -> None:
    """Handle a group of fetched mails and move the folder's position past the last one, in one transaction."""
    now = timezone.now()
    done = Outcome()
    last_unreadable: str | None = None
    # Read before the transaction: parsing is the slow part, and a mail that cannot matter is not parsed at all.
    readings: list[tuple[int, ParsedMail | None | str]] = []
    looks = [(fetched, _looked(mailbox, folder, fetched)) for fetched in group]
    people = _people(key for _fetched, look in looks if isinstance(look, MailLook) for key in look.keys)
    for fetched, look in looks:
        if isinstance(look, MailLook) and (mailbox.shared or look.report or not look.keys.isdisjoint(people)):
            readings.append((fetched.uid, _parsed(mailbox, folder, fetched)))
        else:
            readings.append((fetched.uid, None if isinstance(look, MailLook) else look))
    with transaction.atomic():
        for uid, reading in readings:
            if isinstance(reading, ParsedMail):
                try:
                    # mail_handle is atomic: inside the group's transaction, a savepoint, so a mail that fails
                    # rolls back alone.
                    done.add(mail_handle(mailbox=mailbox, parsed=reading, team=team, now=now, people=people))
                    continue
                except Exception as error:  # a bug of ours or a row refused: this mail only, never the group
                    logger.exception("mailbox %s: UID %s in %s could not be handled", mailbox.pk, uid, folder.name)
                    reading = f"It could not be handled ({type(error).__name__})."
            if isinstance(reading, str):
                done.add(Outcome(read=1, unreadable=1))
                last_unreadable = f"UID {uid} in {folder.name}: {reading}"[:LAST_UNREADABLE_MAX]
            else:
                done.add(Outcome(read=1))  # nobody's: passed over unread
        _moved(
            mailbox,
            folder,
            group[-1].uid,
            token,
            now=now,
            logged=done.contacts,
            unreadable=done.unreadable,
            last_unreadable=last_unreadable,
        )
    folder.last_uid = group[-1].uid
    outcome.add(done)


def _looked(mailbox: Mailbox, folder: MailboxFolder, fetched: imap.FetchedMail) -> MailLook | str:
    """The mail's first look, or why it cannot be read."""
    if fetched.raw is None:
        return f"The mail is larger than {MAX_MAIL_BYTES // (1024 * 1024)} MB."
    try:
        return mail_look(fetched.raw)
    except UnreadableMail as error:
        return error.reason
    except Exception as error:  # a bug of ours: this mail only
        logger.exception("mailbox %s: UID %s in %s could not be read", mailbox.pk, fetched.uid, folder.name)
        return f"It could not be handled ({type(error).__name__})."


def _parsed(mailbox: Mailbox, folder: MailboxFolder, fetched: imap.FetchedMail) -> ParsedMail | str:
    """The mail read whole, or why it cannot be."""
    try:
        return parse_mail(fetched.raw or b"")
    except UnreadableMail as error:
        return error.reason
    except Exception as error:  # a bug of ours: this mail only
        logger.exception("mailbox %s: UID %s in %s could not be read", mailbox.pk, fetched.uid, folder.name)
        return f"It could not be handled ({type(error).__name__})."


def _people(keys: Iterable[str]) -> dict[str, Influencer]:
    """The people of a group's addresses: one query, a few for a group of mails with hundreds of recipients."""
    wanted = sorted(set(keys))
    people: dict[str, Influencer] = {}
    for start in range(0, len(wanted), PEOPLE_KEYS_PER_QUERY):
        people.update(people_by_email_keys(wanted[start : start + PEOPLE_KEYS_PER_QUERY]))
    return people


def _moved(
    mailbox: Mailbox,
    folder: MailboxFolder,
    uid: int,
    token: str,
    *,
    now: datetime,
    logged: int = 0,
    unreadable: int = 0,
    last_unreadable: str | None = None,
) -> None:
    """In the group's transaction: renew the lease (LeaseLost when another worker holds it: the group's rows roll
    back), count what it did, and move the folder's position to its last UID."""
    fields: dict = {"claimed_at": now}
    if logged:
        fields["logged_count"] = F("logged_count") + logged
    if unreadable:
        fields["unreadable_count"] = F("unreadable_count") + unreadable
    if last_unreadable is not None:
        fields["last_unreadable"] = last_unreadable
    if Mailbox.objects.filter(pk=mailbox.pk, claim=token).update(**fields) != 1:
        raise LeaseLost
    MailboxFolder.objects.filter(pk=folder.pk).update(last_uid=uid)
