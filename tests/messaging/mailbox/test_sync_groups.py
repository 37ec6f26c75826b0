"""The sync's groups, without a server: fetched mails handled in one transaction, each mail in a savepoint, the
folder's position moved once, and strangers' mails passed over on their headers alone."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from crm.models import Contact
from messaging.mailbox import handling, sync
from messaging.mailbox.handling import Outcome, team_addresses
from messaging.mailbox.imap import FetchedMail
from messaging.mailbox.parsing import mail_look, parse_mail
from messaging.models import Mailbox, MailboxFolder
from tests.factories import InfluencerFactory, paris
from tests.messaging.factories import MailboxFactory

TOKEN = "the-lease"


def raw_mail(*, sender: str, to: str = "Bob <bob@example.com>", n: int = 1, content_type: str = "") -> bytes:
    return (
        f"From: {sender}\r\nTo: {to}\r\nSubject: Spring range {n}\r\nMessage-ID: <m.{n}@example.com>\r\n"
        f"Date: Mon, 2 Mar 2026 10:00:00 +0100\r\n"
        f"Content-Type: {content_type or 'text/plain; charset=utf-8'}\r\n\r\nWould you like to try it?\r\n"
    ).encode()


def fetched(uid: int, raw: bytes | None) -> FetchedMail:
    return FetchedMail(uid=uid, size=len(raw or b""), raw=raw)


def strangers(first_uid: int, count: int) -> list[FetchedMail]:
    return [
        fetched(uid, raw_mail(sender=f"news{uid}@letters.example", n=uid))
        for uid in range(first_uid, first_uid + count)
    ]


@pytest.fixture
def now(time_machine):
    moment = paris(2026, 3, 5, 10, 0)
    time_machine.move_to(moment, tick=False)
    return moment


@pytest.fixture
def own(bob) -> Mailbox:
    return Mailbox.objects.create(
        owner=bob,
        address="bob@example.com",
        host="imap.example.com",
        username="bob",
        claim=TOKEN,
        claimed_at=paris(2026, 3, 5, 9, 59),
    )


@pytest.fixture
def inbox(own) -> MailboxFolder:
    return MailboxFolder.objects.create(mailbox=own, name="INBOX", role="inbox", uidvalidity=7, last_uid=0)


@pytest.fixture
def lea(db):
    return InfluencerFactory(name="Léa Martin", email="lea@example.fr")


def handled(mailbox: Mailbox, folder: MailboxFolder, group: list[FetchedMail]) -> Outcome:
    outcome = Outcome()
    sync._group_handle(mailbox, folder, group, TOKEN, team_addresses(), outcome)
    return outcome


def test_it_logs_a_group_and_moves_its_position_once_to_the_last_uid(now, own, inbox, lea):
    group = [fetched(3, raw_mail(sender="lea@example.fr", n=3)), *strangers(4, 3), fetched(9, None)]

    with CaptureQueriesContext(connection) as queries:
        outcome = handled(own, inbox, group)

    assert (outcome.read, outcome.contacts, outcome.unreadable) == (5, 1, 1)
    position_moves = [q for q in queries.captured_queries if q["sql"].startswith('UPDATE "messaging_mailboxfolder"')]
    assert len(position_moves) == 1
    inbox.refresh_from_db()
    own.refresh_from_db()
    assert inbox.last_uid == 9
    assert (own.logged_count, own.unreadable_count) == (1, 1)
    assert own.last_unreadable.startswith("UID 9 in INBOX: The mail is larger than")
    assert own.claimed_at == now


def test_it_rolls_back_only_the_mail_that_fails_in_a_group(now, own, inbox, lea, monkeypatch):
    paul = InfluencerFactory(email="paul@example.fr")
    real_log = handling.contact_log

    def failing_for_paul(**kwargs):
        touch = real_log(**kwargs)  # its contact is written, then the mail fails: the row must go with it
        if kwargs["influencer"] == paul:
            raise RuntimeError("a bug of ours")
        return touch

    monkeypatch.setattr(handling, "contact_log", failing_for_paul)
    group = [
        fetched(1, raw_mail(sender="lea@example.fr", n=1)),
        fetched(2, raw_mail(sender="paul@example.fr", n=2)),
        fetched(3, raw_mail(sender="lea@example.fr", n=3)),
    ]

    outcome = handled(own, inbox, group)

    assert (outcome.read, outcome.contacts, outcome.unreadable) == (3, 2, 1)
    assert Contact.objects.filter(influencer=lea).count() == 2
    assert not Contact.objects.filter(influencer=paul).exists()
    own.refresh_from_db()
    inbox.refresh_from_db()
    assert own.last_unreadable == "UID 2 in INBOX: It could not be handled (RuntimeError)."
    assert inbox.last_uid == 3


def test_it_passes_over_a_strangers_mail_on_its_headers_yet_moves_the_position(now, own, inbox, lea, monkeypatch):
    parsed = []
    monkeypatch.setattr(sync, "parse_mail", lambda raw: parsed.append(raw) or parse_mail(raw))
    known = raw_mail(sender="Léa <lea@example.fr>", n=1)

    outcome = handled(own, inbox, [fetched(1, known), *strangers(2, 4)])

    assert parsed == [known]
    assert (outcome.read, outcome.contacts) == (5, 1)
    inbox.refresh_from_db()
    assert inbox.last_uid == 5


def test_it_reads_whole_a_strangers_report_or_any_mail_of_a_shared_mailbox(now, own, inbox, alice, monkeypatch):
    parsed = []
    monkeypatch.setattr(sync, "parse_mail", lambda raw: parsed.append(raw) or parse_mail(raw))
    report = raw_mail(sender="mailer-daemon@mx.example", n=1, content_type="multipart/report; boundary=b")
    handled(own, inbox, [fetched(1, report), *strangers(2, 2)])
    assert parsed == [report]

    shared = Mailbox.objects.create(
        owner=alice, shared=True, address="log@team.example", host="imap.example.com", username="log", claim=TOKEN
    )
    folder = MailboxFolder.objects.create(mailbox=shared, name="INBOX", role="inbox", uidvalidity=7)
    outcome = handled(shared, folder, strangers(1, 2))
    assert outcome.unknown == 2


def test_it_stops_the_group_when_another_worker_took_the_lease(now, own, inbox, lea):
    Mailbox.objects.filter(pk=own.pk).update(claim="someone-else")

    with pytest.raises(sync.LeaseLost):
        handled(own, inbox, [fetched(1, raw_mail(sender="lea@example.fr"))])

    assert not Contact.objects.exists()
    inbox.refresh_from_db()
    assert inbox.last_uid == 0


def test_its_queries_per_group_do_not_grow_with_strangers_mails(now, own, inbox, lea):
    paul = InfluencerFactory(email="paul@example.fr")
    team = team_addresses()
    counts = []
    for first, count in ((1, 5), (100, 60)):
        group = [
            fetched(first, raw_mail(sender="lea@example.fr", n=first)),
            fetched(first + 1, raw_mail(sender="paul@example.fr", n=first + 1)),
            *strangers(first + 2, count),
        ]
        with CaptureQueriesContext(connection) as queries:
            sync._group_handle(own, inbox, group, TOKEN, team, Outcome())
        counts.append(len(queries))

    assert Contact.objects.filter(influencer__in=[lea, paul]).count() == 4
    # One people query, the position and the lease once, and what two contacts cost: never a query per stranger.
    assert counts[0] == counts[1] <= 40


def test_a_groups_people_are_looked_up_in_chunks(db, lea):
    keys = [f"p{n}@example.fr" for n in range(sync.PEOPLE_KEYS_PER_QUERY * 2)] + ["lea@example.fr"]
    assert sync._people(keys) == {"lea@example.fr": lea}


def test_the_group_is_bounded_by_its_mails_and_its_bytes(monkeypatch):
    mails = iter([fetched(uid, b"x" * 10) for uid in range(1, 251)])
    assert [len(sync._next_group(mails)) for _ in range(4)] == [100, 100, 50, 0]

    monkeypatch.setattr(sync, "GROUP_BYTES", 25)
    mails = iter([fetched(uid, b"x" * 10) for uid in range(1, 6)])
    assert [len(sync._next_group(mails)) for _ in range(3)] == [3, 2, 0]


def test_the_first_look_finds_every_address_and_a_report_without_the_body():
    raw = (
        b'From: =?utf-8?q?L=C3=A9a?= <Lea@Example.fr>\r\nTo: a@b.example, "C, D" <c@d.example>\r\n'
        b"Cc: e@f.example\r\nContent-Type: multipart/report; report-type=delivery-status; boundary=x\r\n\r\n"
        b"From: hidden@body.example\r\n"
    )
    look = mail_look(raw)
    assert look.keys >= {a.key for a in (parse_mail(raw).sender, *parse_mail(raw).to, *parse_mail(raw).cc)}
    assert "hidden@body.example" not in look.keys
    assert look.report


def test_mailboxes_due_come_never_synced_first_then_the_longest_overdue(db, bob, alice, now):
    def shared(name: str, **fields) -> Mailbox:  # a manager's: any number of them
        return MailboxFactory(owner=alice, shared=True, name=name, address=f"{name}@team.example", **fields)

    late = MailboxFactory(owner=bob, next_sync_at=now - datetime.timedelta(minutes=5))
    new = shared("new", next_sync_at=None)
    later = shared("later", next_sync_at=now - datetime.timedelta(minutes=1))
    shared("early", next_sync_at=now + datetime.timedelta(minutes=1))
    shared("paused", next_sync_at=None, paused=True)

    assert sync.mailboxes_due(now=now) == [new.pk, late.pk, later.pk]
