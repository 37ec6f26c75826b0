"""The mailbox sync against a real Dovecot (bench/imap_server.py): every mail with a known person logged, once."""

import datetime
import uuid
from pathlib import Path

import pytest
from django.utils import timezone

from campaigns.models import Stage
from crm.models import BouncingAddress, Contact
from messaging.mailbox import sync
from messaging.mailbox.parsing import mail_summary, parse_mail
from messaging.mailbox.secrets import password_seal
from messaging.models import Mailbox, MailboxFolder, Message, UnknownSender
from messaging.services import follow_up_schedule
from messaging.tasks import sync_mailboxes
from tests.factories import InfluencerFactory, RelationshipFactory
from tests.integration.conftest import Worker, configured_broker_env, wait_for
from tests.messaging.factories import MessageFactory

pytestmark = pytest.mark.integration

MAILS = Path(__file__).parents[1] / "messaging" / "mailbox" / "mails"
REPLIES = {
    "gmail_reply.eml": "lea.martin@example.fr",
    "outlook_reply.eml": "paul.martin@example.fr",
    "apple_mail_reply_fr.eml": "camille@example.fr",
    "thunderbird_reply.eml": "noah@example.com",
}


def fixture(name: str) -> bytes:
    return (MAILS / name).read_bytes()


def sent_mail(*, to: str, cc: str = "", n: int = 1, sender: str = "Bob Dupont <bob@example.com>") -> bytes:
    cc_line = f"Cc: {cc}\r\n" if cc else ""
    return (
        f"From: {sender}\r\nTo: {to}\r\n{cc_line}Subject: Spring range {n}\r\nMessage-ID: <sent.{n}@example.com>\r\n"
        "Date: Mon, 2 Mar 2026 10:00:00 +0100\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nWould you like it?\r\n"
    ).encode()


def mailbox_for(server, user, owner, *, shared: bool = False, address: str = "bob@example.com", **fields) -> Mailbox:
    return Mailbox.objects.create(
        owner=owner,
        shared=shared,
        address=address,
        host=server.host,
        port=server.port,
        security="none",
        username=user.name,
        password_sealed=password_seal(fields.pop("password", user.password)),
        **fields,
    )


@pytest.fixture
def own(imap_server, imap_user, bob) -> Mailbox:
    return mailbox_for(imap_server, imap_user, bob)


def synced(mailbox: Mailbox) -> sync.SyncResult:
    result = sync.mailbox_sync(mailbox_id=mailbox.pk)
    assert result is not None
    mailbox.refresh_from_db()
    return result


def positions(mailbox: Mailbox) -> dict[str, tuple[int, int]]:
    return {f.name: (f.uidvalidity, f.last_uid) for f in MailboxFolder.objects.filter(mailbox=mailbox)}


def test_replies_from_every_client_are_logged_inbound_in_their_thread(imap_server, imap_user, own, bob):
    people = {name: InfluencerFactory(email=address) for name, address in REPLIES.items()}
    lea = people["gmail_reply.eml"]
    pitch = RelationshipFactory(influencer=lea, stage=Stage.PITCHED)
    RelationshipFactory(influencer=lea, stage=Stage.ACTIVE)  # two open: only the thread says which
    parsed = {name: parse_mail(fixture(name)) for name in REPLIES}
    MessageFactory(
        influencer=lea, relationship=pitch, status="sent", message_id=f"<{parsed['gmail_reply.eml'].in_reply_to}>"
    )
    for name in REPLIES:
        imap_server.append(imap_user, "INBOX", fixture(name))

    result = synced(own)

    assert (result.read, result.contacts, result.unreadable) == (4, 4, 0)
    for name, person in people.items():
        contact = Contact.objects.get(influencer=person)
        assert (contact.direction, contact.kind, contact.logged_by) == ("inbound", "email", bob)
        assert contact.summary == mail_summary(parsed[name])
    assert Contact.objects.get(influencer=lea).relationship == pitch
    assert own.logged_count == 4
    assert own.last_sync_at is not None and own.failures == 0 and own.last_error == ""
    assert own.claim == ""


def test_a_mail_in_sent_to_two_people_is_two_outbound_contacts(imap_server, imap_user, own, bob):
    lea, noe = InfluencerFactory(email="lea@example.fr"), InfluencerFactory(email="noe@example.fr")
    imap_server.append(imap_user, "Sent", sent_mail(to="lea@example.fr", cc="Noé <noe@example.fr>"))

    assert synced(own).contacts == 2

    assert {(c.influencer, c.direction, c.logged_by) for c in Contact.objects.all()} == {
        (lea, "outbound", bob),
        (noe, "outbound", bob),
    }


def test_the_same_mail_in_a_personal_sent_and_a_shared_bcc_box_is_logged_once_per_person(
    imap_server, own, imap_user, alice
):
    bcc_user = imap_server.new_user()
    shared = mailbox_for(imap_server, bcc_user, alice, shared=True, address="log@team.example")
    lea, noe = InfluencerFactory(email="lea@example.fr"), InfluencerFactory(email="noe@example.fr")
    mail = sent_mail(to="lea@example.fr, noe@example.fr")
    imap_server.append(imap_user, "Sent", mail)
    imap_server.append(bcc_user, "INBOX", mail)

    assert synced(own).contacts + synced(shared).contacts == 2

    assert Contact.objects.filter(influencer=lea).count() == 1
    assert Contact.objects.filter(influencer=noe).count() == 1


def test_a_second_sync_logs_nothing_and_keeps_its_position(imap_server, imap_user, own):
    InfluencerFactory(email="lea.martin@example.fr")
    uid = imap_server.append(imap_user, "INBOX", fixture("gmail_reply.eml"))
    synced(own)
    before = positions(own)

    again = synced(own)

    assert (again.read, again.contacts) == (0, 0)
    assert positions(own) == before
    assert before["INBOX"] == (imap_server.uidvalidity(imap_user, "INBOX"), uid)
    assert Contact.objects.count() == 1


def test_an_up_to_date_folder_is_not_searched_and_a_new_mail_is_still_read(imap_server, imap_user, own, monkeypatch):
    InfluencerFactory(email="lea.martin@example.fr")
    InfluencerFactory(email="paul.martin@example.fr")
    imap_server.append(imap_user, "INBOX", fixture("gmail_reply.eml"))
    synced(own)
    searched = []
    new_mail = sync.imap.new_mail
    monkeypatch.setattr(
        sync.imap, "new_mail", lambda client, folder, **kw: searched.append(folder) or new_mail(client, folder, **kw)
    )

    assert synced(own).read == 0
    assert searched == []  # the server's UIDNEXT said nothing came: neither folder opened

    uid = imap_server.append(imap_user, "INBOX", fixture("outlook_reply.eml"))
    result = synced(own)

    assert (result.read, result.contacts) == (1, 1)
    assert searched == ["INBOX"]
    assert positions(own)["INBOX"][1] == uid
    assert Contact.objects.count() == 2


def test_a_renumbered_folder_is_read_again_without_duplicates(imap_server, imap_user, own):
    InfluencerFactory(email="lea@example.fr")
    InfluencerFactory(email="noe@example.fr")
    imap_server.append(imap_user, "Sent", sent_mail(to="lea@example.fr", n=1))
    synced(own)
    old = positions(own)["Sent"]

    imap_server.recreate(imap_user, "Sent")
    imap_server.append(imap_user, "Sent", sent_mail(to="lea@example.fr", n=1))
    imap_server.append(imap_user, "Sent", sent_mail(to="noe@example.fr", n=2))
    result = synced(own)

    assert (result.read, result.contacts) == (2, 1)
    assert Contact.objects.count() == 2
    new = positions(own)["Sent"]
    assert new[0] != old[0] and new == (imap_server.uidvalidity(imap_user, "Sent"), 2)


def test_an_out_of_office_is_automatic_and_leaves_the_follow_up_while_a_reply_cancels_it(
    imap_server, imap_user, own, bob
):
    at = timezone.now() + datetime.timedelta(days=1)
    people = [
        InfluencerFactory(email=a)
        for a in ("sophie.durand@example.fr", "jake.miller@example.com", "lea.martin@example.fr")
    ]
    follow_ups = [
        follow_up_schedule(influencer=p, by=bob, subject="News", body="Hi", send_at=at, cancel_if_reply=True)
        for p in people
    ]
    for name in ("exchange_out_of_office_fr.eml", "gmail_vacation_en.eml", "gmail_reply.eml"):
        imap_server.append(imap_user, "INBOX", fixture(name))

    synced(own)

    assert [Contact.objects.get(influencer=p).automatic for p in people] == [True, True, False]
    assert [Message.objects.get(pk=f.pk).status for f in follow_ups] == ["scheduled", "scheduled", "cancelled"]


def test_a_permanent_bounce_fails_the_message_and_marks_the_address_while_a_temporary_one_does_not(
    imap_server, imap_user, own
):
    gone = MessageFactory(
        status="sent", recipient="nobody@example.fr", message_id="<177244560012.4412.1111111111111111111@example.com>"
    )
    full = MessageFactory(
        status="sent", recipient="full@example.fr", message_id="<177244560012.4412.4444444444444444444@example.com>"
    )
    imap_server.append(imap_user, "INBOX", fixture("postfix_bounce.eml"))
    imap_server.append(imap_user, "INBOX", fixture("gmail_bounce_mailbox_full.eml"))

    result = synced(own)

    assert (result.bounces, result.contacts) == (2, 0)
    gone.refresh_from_db()
    full.refresh_from_db()
    assert gone.status == "failed" and gone.last_error.startswith("Bounced: 5.1.1")
    assert full.status == "sent"
    assert list(BouncingAddress.objects.values_list("email_key", flat=True)) == ["nobody@example.fr"]


def test_an_unknown_sender_is_kept_in_a_shared_box_and_ignored_in_a_personal_one(imap_server, imap_user, own, alice):
    bcc_user = imap_server.new_user()
    shared = mailbox_for(imap_server, bcc_user, alice, shared=True, address="log@team.example")
    imap_server.append(imap_user, "INBOX", fixture("gmail_reply.eml"))
    imap_server.append(bcc_user, "INBOX", fixture("gmail_reply.eml"))

    assert synced(own).unknown == 0
    assert synced(shared).unknown == 1

    assert UnknownSender.objects.get().mailbox == shared


def test_an_unreadable_mail_among_good_ones_is_counted_and_passed_over(imap_server, imap_user, own, monkeypatch):
    InfluencerFactory(email="lea@example.fr")
    monkeypatch.setattr(sync, "MAX_MAIL_BYTES", 20_000)
    imap_server.append(imap_user, "INBOX", sent_mail(to="lea@example.fr", sender="lea@example.fr", n=1))
    no_headers = imap_server.append(imap_user, "INBOX", b"just some words, no header at all\r\n")
    too_big = imap_server.append(
        imap_user, "INBOX", sent_mail(to="bob@example.com", sender="lea@example.fr", n=2) + b"x" * 30_000
    )
    imap_server.append(imap_user, "INBOX", sent_mail(to="lea@example.fr", sender="lea@example.fr", n=3))

    result = synced(own)

    assert (result.read, result.contacts, result.unreadable) == (4, 2, 2)
    assert own.unreadable_count == 2
    assert own.last_unreadable.startswith(f"UID {too_big} in INBOX: The mail is larger than")
    assert no_headers < too_big
    assert positions(own)["INBOX"][1] == too_big + 1
    assert synced(own).read == 0  # never retried


def test_a_wrong_password_is_said_counted_and_backed_off(imap_server, imap_user, bob):
    mailbox = mailbox_for(imap_server, imap_user, bob, password="wrong")

    result = synced(mailbox)

    assert result.read == 0
    assert mailbox.last_error == "The server refused the user name or password."
    assert mailbox.failures == 1
    assert mailbox.last_error_at is not None and mailbox.last_sync_at is None
    wait = mailbox.next_sync_at - mailbox.last_error_at
    assert datetime.timedelta(seconds=59) <= wait <= datetime.timedelta(seconds=61)
    synced(mailbox)
    assert mailbox.failures == 2
    assert mailbox.next_sync_at - mailbox.last_error_at == datetime.timedelta(minutes=2)
    assert mailbox.claim == ""


def test_an_unexpected_error_is_said_and_backed_off_and_keeps_what_was_logged(imap_server, imap_user, own, monkeypatch):
    lea = InfluencerFactory(email="lea.martin@example.fr")
    imap_server.append(imap_user, "INBOX", fixture("gmail_reply.eml"))
    imap_server.append(imap_user, "Sent", sent_mail(to="Léa <lea.martin@example.fr>"))
    reads = []

    def read_folder(*args):
        if reads:
            raise RuntimeError("the database went away")
        reads.append(args)
        return original(*args)

    original = sync._read_folder
    monkeypatch.setattr(sync, "_read_folder", read_folder)

    synced(own)

    assert own.last_error == "The sync stopped on an unexpected error (RuntimeError)."
    assert (own.failures, own.claim, own.last_sync_at) == (1, "", None)
    assert own.next_sync_at - own.last_error_at == datetime.timedelta(minutes=1)
    assert Contact.objects.filter(influencer=lea).count() == 1  # the inbox, read before the error, stays logged


def test_a_paused_mailbox_is_not_synced(imap_server, imap_user, bob):
    InfluencerFactory(email="lea.martin@example.fr")
    mailbox = mailbox_for(imap_server, imap_user, bob, paused=True)
    imap_server.append(imap_user, "INBOX", fixture("gmail_reply.eml"))

    assert sync.mailbox_sync(mailbox_id=mailbox.pk) is None
    assert sync.mailboxes_due() == []
    assert not Contact.objects.exists()


def test_a_mailbox_under_another_workers_lease_is_left_alone(imap_server, imap_user, own):
    Mailbox.objects.filter(pk=own.pk).update(claim="other", claimed_at=timezone.now())

    assert sync.mailbox_sync(mailbox_id=own.pk) is None
    assert sync.mailboxes_due() == []

    Mailbox.objects.filter(pk=own.pk).update(claimed_at=timezone.now() - sync.LEASE - datetime.timedelta(seconds=1))
    assert sync.mailboxes_due() == [own.pk]  # a dead worker's lease is retaken


AUTOMATIC = {
    "exchange_out_of_office_fr.eml": "sophie.durand@example.fr",
    "gmail_vacation_en.eml": "jake.miller@example.com",
}
BOUNCES = [
    "postfix_bounce.eml",
    "exchange_bounce.eml",
    "gmail_bounce_address_not_found.eml",
    "gmail_bounce_mailbox_full.eml",
]


def test_a_real_worker_syncs_every_kind_of_real_mail(imap_server, imap_user, own, bob, transactional_db, tmp_path):
    """Beat's scan published to a real worker process, which reads the real mails of every kind from Dovecot."""
    people = {name: InfluencerFactory(email=address) for name, address in (REPLIES | AUTOMATIC).items()}
    away = people["exchange_out_of_office_fr.eml"]
    follow_up = follow_up_schedule(
        influencer=away, by=bob, subject="Any news?", body="Hello", send_at=timezone.now() + datetime.timedelta(days=2),
        cancel_if_reply=True,
    )  # fmt: skip
    reports = {name: parse_mail(fixture(name)).report for name in BOUNCES}
    recipients = {email: InfluencerFactory(email=email) for email in {r.recipient for r in reports.values()}}
    sent = {
        name: MessageFactory(
            influencer=recipients[report.recipient], status="sent", sent_at=timezone.now(),
            message_id=f"<{report.original_message_id}>", recipient=report.recipient,
        )
        for name, report in reports.items()
    }  # fmt: skip
    everything = [*REPLIES, *AUTOMATIC, *BOUNCES, "html_only.eml", "nested_rfc822_three_deep.eml"]
    for name in everything:
        imap_server.append(imap_user, "INBOX", fixture(name))
    queue = f"test-mailbox-{uuid.uuid4().hex[:10]}"
    env = configured_broker_env() | {"CELERY_DEFAULT_QUEUE": queue}
    worker = Worker(queue=queue, env=env, log_path=tmp_path / "worker.log").start()
    try:
        sync_mailboxes.apply_async(queue=queue)
        done = wait_for(
            lambda: Mailbox.objects.filter(pk=own.pk, claim="", last_sync_at__isnull=False).exists(), timeout=60
        )
    finally:
        worker.stop()

    assert done, f"worker log:\n{worker.log()[-3000:]}"
    own.refresh_from_db()
    assert MailboxFolder.objects.get(mailbox=own, role="inbox").last_uid == len(everything)
    assert (own.unreadable_count, own.failures) == (0, 0)
    for name in REPLIES:
        # Léa also wrote the mail that carries three nested ones.
        expected = 2 if name == "gmail_reply.eml" else 1
        assert Contact.objects.filter(influencer=people[name], direction="inbound", automatic=False).count() == expected
    for name in AUTOMATIC:
        assert Contact.objects.filter(influencer=people[name], direction="inbound", automatic=True).count() == 1
    assert Message.objects.get(pk=follow_up.pk).status == Message.Status.SCHEDULED  # an out-of-office is no reply
    assert own.logged_count == len(REPLIES) + 1 + len(AUTOMATIC)
    for name, message in sent.items():
        message.refresh_from_db()
        permanent = reports[name].permanent
        assert (message.status == Message.Status.FAILED) is permanent, name
        assert BouncingAddress.objects.filter(email__iexact=reports[name].recipient).exists() is permanent, name
