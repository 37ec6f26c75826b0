"""What one mail of a mailbox becomes (messaging.mailbox.handling), fed with the real-world .eml fixtures."""

import datetime
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from campaigns.models import Stage
from crm.models import BouncingAddress, Contact, InfluencerAddress
from crm.selectors import people_by_email_keys
from desk.privacy.erasure import influencer_erase
from messaging.mailbox.handling import mail_handle, mail_key, unknown_senders_purge
from messaging.mailbox.parsing import ParsedMail, mail_summary, parse_mail
from messaging.models import Mailbox, Message, UnknownSender
from messaging.services import follow_up_schedule
from tests.factories import InfluencerFactory, RelationshipFactory, paris
from tests.messaging.factories import MessageFactory

MAILS = Path(__file__).parent / "mails"


def mail(name: str) -> ParsedMail:
    return parse_mail((MAILS / name).read_bytes())


def a_mail(
    *, sender: str, to: str, cc: str = "", message_id: str = "<sent.1@example.com>", date: str = ""
) -> ParsedMail:
    cc_line = f"Cc: {cc}\r\n" if cc else ""
    return parse_mail(
        (
            f"From: {sender}\r\nTo: {to}\r\n{cc_line}Subject: Spring range\r\nMessage-ID: {message_id}\r\n"
            f"Date: {date or 'Mon, 2 Mar 2026 10:00:00 +0100'}\r\nContent-Type: text/plain; charset=utf-8\r\n"
            "\r\nWould you like to try it?\r\n"
        ).encode()
    )


@pytest.fixture
def now(time_machine):
    moment = paris(2026, 3, 5, 10, 0)
    time_machine.move_to(moment, tick=False)
    return moment


@pytest.fixture
def own(bob) -> Mailbox:
    """Bob's own mailbox: his address in the fixtures is bob@example.com."""
    return Mailbox.objects.create(owner=bob, address="bob@example.com", host="imap.example.com", username="bob")


@pytest.fixture
def shared(alice) -> Mailbox:
    return Mailbox.objects.create(
        owner=alice, shared=True, address="log@team.example", host="imap.example.com", username="log"
    )


@pytest.fixture
def lea(db):
    return InfluencerFactory(name="Léa Martin", email="lea.martin@example.fr")


def test_a_reply_from_a_known_person_is_one_inbound_contact_in_its_thread(now, own, bob, lea):
    parsed = mail("gmail_reply.eml")
    pitch = RelationshipFactory(influencer=lea, stage=Stage.PITCHED)
    RelationshipFactory(influencer=lea, stage=Stage.ACTIVE)  # two open ones: only the thread tells which
    MessageFactory(
        influencer=lea,
        relationship=pitch,
        status="sent",
        message_id=f"<{parsed.in_reply_to.split('@')[0]}@example.com>",
    )

    done = mail_handle(mailbox=own, parsed=parsed)

    assert (done.read, done.contacts) == (1, 1)
    contact = Contact.objects.get()
    assert (contact.influencer, contact.direction, contact.kind) == (lea, "inbound", "email")
    assert contact.relationship == pitch
    assert contact.summary == mail_summary(parsed)
    assert contact.logged_by == bob
    assert contact.message_id == parsed.message_id
    assert contact.occurred_at == parsed.date
    assert not contact.automatic


@pytest.mark.parametrize(
    "name,address",
    [
        ("outlook_reply.eml", "paul.martin@example.fr"),
        ("apple_mail_reply_fr.eml", "camille@example.fr"),
        ("thunderbird_reply.eml", "noah@example.com"),
    ],
)
def test_replies_from_every_mail_client_are_logged_inbound(now, own, name, address):
    person = InfluencerFactory(email=address)

    mail_handle(mailbox=own, parsed=mail(name))

    assert Contact.objects.get().influencer == person
    assert Contact.objects.get().direction == "inbound"


def test_the_same_mail_read_twice_or_in_two_mailboxes_is_logged_once(now, own, shared, lea):
    parsed = mail("gmail_reply.eml")

    first = mail_handle(mailbox=own, parsed=parsed)
    again = mail_handle(mailbox=own, parsed=parsed)
    elsewhere = mail_handle(mailbox=shared, parsed=parsed)

    assert (first.contacts, again.contacts, elsewhere.contacts) == (1, 0, 0)
    assert Contact.objects.count() == 1


def test_a_person_is_found_by_their_other_address(now, own):
    camille = InfluencerFactory(email="camille.pro@example.fr")
    InfluencerAddress.objects.create(influencer=camille, email="Camille@Example.fr")

    mail_handle(mailbox=own, parsed=mail("apple_mail_reply_fr.eml"))

    assert Contact.objects.get().influencer == camille


def test_an_erased_person_is_nobody(now, own, shared, lea):
    lea.erased_at = now
    lea.save()

    done = mail_handle(mailbox=shared, parsed=mail("gmail_reply.eml"))

    assert done.contacts == 0
    assert not Contact.objects.exists()


def test_a_mail_the_team_sent_is_one_outbound_contact_per_person_in_to_and_cc(now, own, shared, bob, lea):
    noe = InfluencerFactory(email="noe@example.org")
    parsed = a_mail(
        sender="Bob <bob@team.example>", to="lea.martin@example.fr, stranger@else.example", cc="noe@example.org"
    )

    done = mail_handle(mailbox=shared, parsed=parsed)

    assert done.contacts == 2
    contacts = Contact.objects.order_by("influencer__name")
    assert [(c.influencer, c.direction, c.logged_by) for c in contacts] == [
        (lea, "outbound", bob),
        (noe, "outbound", bob),
    ]


def test_a_mail_sent_from_a_mailbox_address_is_logged_by_its_owner(now, own, bob, lea):
    mail_handle(mailbox=own, parsed=a_mail(sender="bob@example.com", to="lea.martin@example.fr"))

    assert Contact.objects.get().logged_by == bob


def test_a_mail_without_message_id_is_logged_once_by_a_stable_id(now, own, lea):
    parsed = mail("missing_message_id.eml")

    mail_handle(mailbox=own, parsed=parsed)
    mail_handle(mailbox=own, parsed=mail("missing_message_id.eml"))

    assert Contact.objects.get().message_id == mail_key(parsed)
    assert mail_key(parsed).startswith("sha256:")


def test_a_mail_dated_in_the_future_is_logged_now(now, own, lea):
    mail_handle(
        mailbox=own,
        parsed=a_mail(sender="lea.martin@example.fr", to="bob@example.com", date="Mon, 1 Mar 2027 10:00:00 +0100"),
    )

    assert Contact.objects.get().occurred_at == now


@pytest.mark.parametrize(
    "name,address",
    [
        ("exchange_out_of_office_fr.eml", "sophie.durand@example.fr"),
        ("gmail_vacation_en.eml", "jake.miller@example.com"),
    ],
)
def test_an_out_of_office_is_an_automatic_contact_that_cancels_no_follow_up(now, own, bob, name, address):
    person = InfluencerFactory(email=address)
    follow_up = follow_up_schedule(
        influencer=person, by=bob, subject="News", body="Hi", send_at=paris(2026, 3, 6, 10), cancel_if_reply=True
    )

    mail_handle(mailbox=own, parsed=mail(name))

    assert Contact.objects.get().automatic
    follow_up.refresh_from_db()
    assert follow_up.status == Message.Status.SCHEDULED


def test_a_real_reply_cancels_the_follow_up(now, own, bob, lea):
    follow_up = follow_up_schedule(
        influencer=lea, by=bob, subject="News", body="Hi", send_at=paris(2026, 3, 6, 10), cancel_if_reply=True
    )

    mail_handle(mailbox=own, parsed=mail("gmail_reply.eml"))

    follow_up.refresh_from_db()
    assert follow_up.status == Message.Status.CANCELLED


@pytest.mark.parametrize(
    "name,original",
    [
        ("postfix_bounce.eml", "1111111111111111111"),
        ("exchange_bounce.eml", "2222222222222222222"),
        ("gmail_bounce_address_not_found.eml", "3333333333333333333"),
    ],
)
def test_a_permanent_bounce_fails_the_message_and_marks_the_address_bouncing(now, own, name, original):
    sent = MessageFactory(status="sent", message_id=f"<177244560012.4412.{original}@example.com>")

    done = mail_handle(mailbox=own, parsed=mail(name))

    assert (done.bounces, done.contacts) == (1, 0)
    sent.refresh_from_db()
    assert sent.status == Message.Status.FAILED
    assert sent.last_error.startswith("Bounced: 5.")
    report = mail(name).report
    assert BouncingAddress.objects.get().email_key == (report.recipient or sent.recipient).lower()
    assert not Contact.objects.exists()


def test_a_temporary_bounce_is_only_noted(now, own):
    sent = MessageFactory(status="sent", message_id="<177244560012.4412.4444444444444444444@example.com>")

    mail_handle(mailbox=own, parsed=mail("gmail_bounce_mailbox_full.eml"))

    sent.refresh_from_db()
    assert sent.status == Message.Status.SENT
    assert sent.last_error.startswith("Delayed:")
    assert not BouncingAddress.objects.exists()


def test_a_bounce_of_a_mail_not_in_the_outbox_marks_a_persons_address_only(now, own):
    mail_handle(mailbox=own, parsed=mail("postfix_bounce.eml"))
    assert not BouncingAddress.objects.exists()  # a stranger's

    InfluencerFactory(email="nobody@example.fr")
    mail_handle(mailbox=own, parsed=mail("postfix_bounce.eml"))
    assert BouncingAddress.objects.get().email == "nobody@example.fr"


def test_an_unknown_sender_in_a_shared_mailbox_is_kept_for_its_owner(now, shared):
    parsed = mail("gmail_reply.eml")

    done = mail_handle(mailbox=shared, parsed=parsed)
    mail_handle(mailbox=shared, parsed=parsed)

    assert done.unknown == 1
    row = UnknownSender.objects.get()
    assert (row.email_key, row.message_id, row.summary) == (
        "lea.martin@example.fr",
        parsed.message_id,
        mail_summary(parsed),
    )
    assert row.thread_ids.split() == [parsed.in_reply_to, *parsed.references]


def test_an_unknown_sender_in_a_personal_mailbox_leaves_nothing(now, own):
    done = mail_handle(mailbox=own, parsed=mail("gmail_reply.eml"))

    assert (done.read, done.contacts, done.unknown) == (1, 0, 0)
    assert not UnknownSender.objects.exists()
    assert not Contact.objects.exists()


def test_an_automatic_mail_from_an_unknown_sender_is_not_kept(now, shared):
    mail_handle(mailbox=shared, parsed=mail("gmail_vacation_en.eml"))

    assert not UnknownSender.objects.exists()


def test_unknown_senders_are_forgotten_after_their_days(now, shared, time_machine, settings):
    settings.UNKNOWN_SENDER_DAYS = 30
    mail_handle(mailbox=shared, parsed=mail("gmail_reply.eml"))
    time_machine.move_to(now + datetime.timedelta(days=29), tick=False)
    assert unknown_senders_purge() == 0
    time_machine.move_to(now + datetime.timedelta(days=31), tick=False)
    assert unknown_senders_purge() == 1


def test_people_are_found_by_all_their_addresses_in_one_query(db, lea):
    other = InfluencerFactory(email="noe@example.org")
    InfluencerAddress.objects.create(influencer=other, email="noe@perso.example")
    InfluencerAddress.objects.create(influencer=lea, email="lea@perso.example")

    with CaptureQueriesContext(connection) as queries:
        found = people_by_email_keys(["lea.martin@example.fr", "noe@perso.example", "noe@example.org", "x@y.z", ""])

    assert len(queries) == 1
    assert found == {"lea.martin@example.fr": lea, "noe@perso.example": other, "noe@example.org": other}


def test_a_bounce_that_comes_back_after_the_person_was_erased_keeps_nothing_of_them(now, own, alice, bob):
    # The outbox message stays after an erasure (its Message-ID is technical, its words and recipient are gone):
    # a bounce for it must not write the erased address back, as a bouncing address or in the diagnostic.
    nobody = InfluencerFactory(email="nobody@example.fr", owner=bob)
    sent = MessageFactory(
        influencer=nobody,
        recipient="nobody@example.fr",
        status="sent",
        message_id="<177244560012.4412.1111111111111111111@example.com>",
    )
    influencer_erase(influencer=nobody, by=alice)

    done = mail_handle(mailbox=own, parsed=mail("postfix_bounce.eml"))

    assert done.bounces == 1
    assert not BouncingAddress.objects.exists()
    sent.refresh_from_db()
    assert "nobody" not in f"{sent.recipient} {sent.last_error}"
    assert sent.status == Message.Status.SENT


def test_a_bounce_for_an_erased_persons_mail_marks_the_address_of_whoever_has_it_now(now, own, alice, bob):
    gone = InfluencerFactory(email="nobody@example.fr", owner=bob)
    MessageFactory(influencer=gone, status="sent", message_id="<177244560012.4412.1111111111111111111@example.com>")
    influencer_erase(influencer=gone, by=alice)
    InfluencerFactory(email="Nobody@example.fr")  # the address is someone's again

    mail_handle(mailbox=own, parsed=mail("postfix_bounce.eml"))

    assert BouncingAddress.objects.get().email == "nobody@example.fr"
