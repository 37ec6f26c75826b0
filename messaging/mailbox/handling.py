"""One parsed mail of a mailbox, and what it becomes: contacts, a bounce, a mail from an unknown sender, or nothing.

`mail_handle` takes a ParsedMail, never the network: the sync (messaging.mailbox.sync) calls it inside the
transaction that also moves the folder's position, and tests call it with the .eml fixtures.

- A delivery report is a bounce (messaging.mailbox.bounced), never a contact.
- From a known person: one inbound contact for them.
- From the team (an active member's address, or a mailbox's): one outbound contact per known person in To and Cc
  (a BCC mailbox receives the team's mail with the people in To and Cc).
- Anyone else: in a shared mailbox, kept UNKNOWN_SENDER_DAYS as an UnknownSender for its owner to sort out; in a
  personal one, nothing is stored (a marketer's private mail is none of the team's business).
Every contact goes through crm.services.contact_log, once per person by the mail's Message-ID.
"""

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from crm.addresses import email_key
from crm.models import Contact, Influencer
from crm.selectors import people_by_email_keys
from crm.services import contact_log
from messaging.mailbox.bounced import bounce_record
from messaging.mailbox.parsing import ParsedMail, mail_summary
from messaging.models import Mailbox, UnknownSender
from messaging.selectors import mail_relationship

MESSAGE_ID_MAX = 255  # Contact.message_id and UnknownSender.message_id


@dataclass
class Outcome:
    """What one mail (or a whole pass, added up) caused."""

    read: int = 0
    contacts: int = 0  # contacts logged now (a mail seen before adds none)
    unreadable: int = 0
    unknown: int = 0  # UnknownSender rows added
    bounces: int = 0

    def add(self, other: "Outcome") -> None:
        for name in self.__dataclass_fields__:
            setattr(self, name, getattr(self, name) + getattr(other, name))


@dataclass(frozen=True)
class Team:
    """The team's addresses by key: an active member's (→ that member) and every mailbox's (→ its owner when the
    mailbox is personal, else None: the syncing mailbox's owner logs it)."""

    senders: dict[str, AbstractBaseUser | None] = field(default_factory=dict)


def team_addresses() -> Team:
    """Read once per pass: two queries."""
    senders: dict[str, AbstractBaseUser | None] = {}
    for box in Mailbox.objects.select_related("owner").only("address", "shared", "owner"):
        senders.setdefault(email_key(box.address), None if box.shared else box.owner)
    for user in get_user_model().objects.filter(is_active=True).exclude(email=""):
        senders[email_key(user.email)] = user  # a member's own address names them, even when a mailbox has it
    senders.pop("", None)
    return Team(senders)


def mail_key(parsed: ParsedMail) -> str:
    """What identifies the mail across mailboxes and passes: its Message-ID, else a hash of what the same mail
    has wherever it is read (sender, date, subject, recipients), so that a mail without one is logged once too."""
    if parsed.message_id and len(parsed.message_id) <= MESSAGE_ID_MAX:
        return parsed.message_id
    parts = [
        parsed.message_id,
        parsed.sender.key if parsed.sender else "",
        parsed.date.isoformat() if parsed.date else "",
        parsed.subject,
        *sorted(a.key for a in parsed.to + parsed.cc),
    ]
    return "sha256:" + hashlib.sha256("\n".join(parts).encode("utf-8", "surrogatepass")).hexdigest()


def mail_time(parsed: ParsedMail, *, now: datetime) -> datetime:
    """When the mail was written, by its Date header; never later than now (a sender's clock may be ahead)."""
    return min(parsed.date, now) if parsed.date else now


@transaction.atomic
def mail_handle(
    *,
    mailbox: Mailbox,
    parsed: ParsedMail,
    team: Team | None = None,
    now: datetime | None = None,
    people: Mapping[str, Influencer] | None = None,
) -> Outcome:
    """Log what one mail of `mailbox` causes (see the module's docstring); returns what it did.

    `people`: the people by address key for at least every address of the mail, when the caller (the sync, for a
    group of mails) has looked them up already; else they are looked up here."""
    now = now or timezone.now()
    team = team if team is not None else team_addresses()
    if parsed.report is not None:
        bounce_record(report=parsed.report, at=now)
        return Outcome(read=1, bounces=1)

    sender = parsed.sender.key if parsed.sender else ""
    if people is None:
        people = people_by_email_keys([sender, *(a.key for a in parsed.to + parsed.cc)])
    if sender in people:
        logged = _log(mailbox, parsed, [people[sender]], direction=Contact.Direction.INBOUND, by=mailbox.owner, now=now)
        return Outcome(read=1, contacts=logged)
    if sender and sender in team.senders:
        recipients = [people[a.key] for a in parsed.to + parsed.cc if a.key in people]
        by = team.senders[sender] or mailbox.owner
        logged = _log(mailbox, parsed, recipients, direction=Contact.Direction.OUTBOUND, by=by, now=now)
        return Outcome(read=1, contacts=logged)
    if mailbox.shared and not parsed.automatic and parsed.sender is not None:
        return Outcome(read=1, unknown=_unknown_keep(mailbox, parsed, now=now))
    return Outcome(read=1)


def _log(mailbox: Mailbox, parsed: ParsedMail, people: list[Influencer], *, direction: str, by, now: datetime) -> int:
    key = mail_key(parsed)
    thread = [parsed.in_reply_to, *parsed.references]
    logged = 0
    seen: set[int] = set()
    for person in people:
        if person.pk in seen:  # in To and in Cc, or by two of their addresses
            continue
        seen.add(person.pk)
        touch = contact_log(
            influencer=person,
            by=by,
            kind=Contact.Kind.EMAIL,
            direction=direction,
            summary=mail_summary(parsed),
            occurred_at=mail_time(parsed, now=now),
            relationship=mail_relationship(influencer=person, thread_ids=thread),
            message_id=key,
            automatic=bool(parsed.automatic),
        )
        logged += touch.created
    return logged


def _unknown_keep(mailbox: Mailbox, parsed: ParsedMail, *, now: datetime) -> int:
    _row, created = UnknownSender.objects.get_or_create(
        mailbox=mailbox,
        message_id=mail_key(parsed),
        defaults={
            "email": parsed.sender.address[:320],
            "email_key": parsed.sender.key,
            "name": parsed.sender.name[:200],
            "subject": parsed.subject[:500],
            "received_at": mail_time(parsed, now=now),
            "summary": mail_summary(parsed)[:1200],
            "thread_ids": " ".join(i for i in [parsed.in_reply_to, *parsed.references] if i),
        },
    )
    return int(created)


def unknown_senders_purge(*, now: datetime | None = None) -> int:
    """Delete the mails from unknown senders seen more than UNKNOWN_SENDER_DAYS ago; returns how many."""
    since = (now or timezone.now()) - timedelta(days=settings.UNKNOWN_SENDER_DAYS)
    deleted, _rows = UnknownSender.objects.filter(created_at__lt=since).delete()
    return deleted
