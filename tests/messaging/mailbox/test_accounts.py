"""Connecting a mailbox and looking after it (messaging.mailbox.accounts): the rules every door goes through."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from messaging.mailbox import accounts
from messaging.mailbox.secrets import password_open
from messaging.models import Mailbox, UnknownSender
from tests.factories import ContactFactory, InfluencerFactory, paris
from tests.messaging.factories import MAILBOX_PASSWORD, MailboxFactory

NOW = paris(2026, 3, 2, 10)


@pytest.fixture(autouse=True)
def frozen(time_machine):
    time_machine.move_to(NOW, tick=False)


def _server(**changes) -> dict:
    server = {
        "address": "bob@team.example",
        "host": "imap.gmail.com",
        "port": 993,
        "security": "tls",
        "username": "bob@team.example",
        "password": "app-password-1",
    }
    return server | changes


def _refusal(refused: pytest.ExceptionInfo) -> dict:
    return refused.value.message_dict if hasattr(refused.value, "error_dict") else {None: refused.value.messages}


def test_it_connects_my_mailbox_with_the_password_sealed_and_due_at_once(bob):
    mailbox = accounts.mailbox_connect(owner=bob, by=bob, **_server())

    mailbox.refresh_from_db()
    assert (mailbox.owner, mailbox.shared, mailbox.host, mailbox.port, mailbox.security) == (
        bob, False, "imap.gmail.com", 993, "tls",
    )  # fmt: skip
    assert "app-password-1" not in mailbox.password_sealed
    assert password_open(mailbox.password_sealed) == "app-password-1"
    assert mailbox.next_sync_at == NOW


@pytest.mark.parametrize(
    ("changes", "field", "words"),
    [
        ({"security": "none"}, "security", "only allowed to this computer"),
        ({"port": 0}, "port", "from 1 to 65535"),
        ({"port": 65536}, "port", "from 1 to 65535"),
        ({"host": ""}, "host", "Give the IMAP server"),
        ({"host": "imap.gmail.com/../x"}, "host", "is not a server name"),
        ({"host": "a b"}, "host", "is not a server name"),
        ({"username": "  "}, "username", "Give the user name"),
        ({"address": "not-an-address"}, "address", "e-mail address"),
        ({"password": ""}, "password", "Give the password"),
        ({"security": "ssl3"}, "security", "Choose SSL/TLS or STARTTLS"),
    ],
)
def test_it_refuses_bad_settings_in_words_on_the_field(bob, changes, field, words):
    with pytest.raises(ValidationError) as refused:
        accounts.mailbox_connect(owner=bob, by=bob, **_server(**changes))

    assert words in " ".join(_refusal(refused)[field])
    assert not Mailbox.objects.exists()


@pytest.mark.parametrize("host", ["localhost", "127.0.0.1", "::1"])
def test_it_allows_no_encryption_to_this_computer_only(bob, host):
    mailbox = accounts.mailbox_connect(owner=bob, by=bob, **_server(host=host, port=143, security="none"))

    assert mailbox.security == "none"


def test_it_refuses_a_second_personal_mailbox(bob):
    accounts.mailbox_connect(owner=bob, by=bob, **_server())

    with pytest.raises(ValidationError, match="already have a mailbox connected"):
        accounts.mailbox_connect(owner=bob, by=bob, **_server(address="bob2@team.example"))
    assert Mailbox.objects.count() == 1


def test_nobody_connects_a_personal_mailbox_for_someone_else(alice, bob):
    with pytest.raises(ValidationError, match="Only the person themselves"):
        accounts.mailbox_connect(owner=bob, by=alice, **_server())


def test_a_manager_connects_shared_mailboxes_for_anyone_besides_their_own(alice, bob):
    accounts.mailbox_connect(owner=bob, by=bob, **_server())
    shared = accounts.mailbox_connect(owner=bob, by=alice, shared=True, name="Press desk", **_server())
    again = accounts.mailbox_connect(
        owner=bob, by=alice, shared=True, name="Log", **_server(address="log@team.example")
    )

    assert (shared.shared, shared.name, again.shared) == (True, "Press desk", True)
    assert Mailbox.objects.filter(owner=bob).count() == 3


def test_an_update_with_an_empty_password_keeps_the_saved_one(bob):
    mailbox = MailboxFactory(owner=bob)

    accounts.mailbox_update(mailbox=mailbox, by=bob, **_server(password="", port=143, security="starttls"))

    mailbox.refresh_from_db()
    assert (mailbox.port, mailbox.security, password_open(mailbox.password_sealed)) == (
        143,
        "starttls",
        MAILBOX_PASSWORD,
    )


def test_an_update_with_a_password_replaces_it(bob):
    mailbox = MailboxFactory(owner=bob)

    accounts.mailbox_update(mailbox=mailbox, by=bob, **_server(password="new-one"))

    mailbox.refresh_from_db()
    assert password_open(mailbox.password_sealed) == "new-one"


def test_another_server_forgets_the_folders_positions_and_starts_the_health_afresh(bob):
    mailbox = MailboxFactory(owner=bob, host="imap.old.example", failures=4, last_error="Refused", next_sync_at=None)
    mailbox.folders.create(name="INBOX", role="inbox", uidvalidity=7, last_uid=120)

    accounts.mailbox_update(mailbox=mailbox, by=bob, **_server())

    mailbox.refresh_from_db()
    assert not mailbox.folders.exists()
    assert (mailbox.failures, mailbox.last_error, mailbox.next_sync_at) == (0, "", NOW)


def test_the_same_server_keeps_the_folders_positions(bob):
    mailbox = MailboxFactory(owner=bob, host="imap.gmail.com", username="bob@team.example")
    mailbox.folders.create(name="INBOX", role="inbox", uidvalidity=7, last_uid=120)

    accounts.mailbox_update(mailbox=mailbox, by=bob, **_server(host="IMAP.gmail.com", password=""))

    assert mailbox.folders.get().last_uid == 120


def test_only_the_owner_changes_a_personal_mailbox(alice, bob):
    mailbox = MailboxFactory(owner=bob)

    with pytest.raises(ValidationError, match="owner's alone"):
        accounts.mailbox_update(mailbox=mailbox, by=alice, **_server())


def test_a_shared_mailbox_changes_hands_but_a_personal_one_does_not(alice, bob, dave):
    shared = MailboxFactory(owner=bob, shared=True)
    personal = MailboxFactory(owner=bob)

    accounts.mailbox_update(mailbox=shared, by=alice, owner=dave, **_server(password=""))
    with pytest.raises(ValidationError, match="stays its owner's"):
        accounts.mailbox_update(mailbox=personal, by=bob, owner=dave, **_server(password=""))

    shared.refresh_from_db()
    personal.refresh_from_db()
    assert (shared.owner, personal.owner) == (dave, bob)


def test_pause_resume_and_sync_soon_move_it_in_and_out_of_beats_scan(bob):
    later = NOW + datetime.timedelta(minutes=40)
    mailbox = MailboxFactory(owner=bob, next_sync_at=later)

    assert accounts.mailbox_pause(mailbox=mailbox, by=bob).paused is True
    with pytest.raises(ValidationError, match="paused: resume it"):
        accounts.mailbox_sync_soon(mailbox=Mailbox.objects.get(), by=bob)
    resumed = accounts.mailbox_resume(mailbox=mailbox, by=bob)
    assert (resumed.paused, resumed.next_sync_at) == (False, NOW)

    Mailbox.objects.update(next_sync_at=later)
    assert accounts.mailbox_sync_soon(mailbox=mailbox, by=bob).next_sync_at == NOW
    assert Mailbox.objects.get().next_sync_at == NOW


def test_disconnecting_deletes_the_mailbox_its_folders_and_unknown_senders_but_the_contacts_stay(bob):
    mailbox = MailboxFactory(owner=bob)
    mailbox.folders.create(name="INBOX", role="inbox")
    UnknownSender.objects.create(
        mailbox=mailbox, email="x@y.example", email_key="x@y.example", received_at=timezone.now(), message_id="<1@y>"
    )
    contact = ContactFactory(influencer=InfluencerFactory(owner=bob), logged_by=bob, message_id="<2@y>")

    accounts.mailbox_disconnect(mailbox=mailbox, by=bob)

    assert not Mailbox.objects.exists() and not UnknownSender.objects.exists()
    contact.refresh_from_db()


def test_testing_needs_a_password_typed_or_saved(bob):
    with pytest.raises(ValidationError) as refused:
        accounts.mailbox_test(host="imap.gmail.com", port=993, security="tls", username="bob", password="")

    assert "to test the connection" in " ".join(refused.value.message_dict["password"])


def test_testing_refuses_a_password_in_clear_to_another_machine_before_connecting(bob):
    with pytest.raises(ValidationError) as refused:
        accounts.mailbox_test(host="imap.gmail.com", port=143, security="none", username="bob", password="pw")

    assert "only allowed to this computer" in " ".join(refused.value.message_dict["security"])


def test_testing_with_a_saved_password_that_no_key_opens_says_to_type_it_again(bob, settings):
    mailbox = MailboxFactory(owner=bob)
    settings.MAILBOX_KEYS = ["m2h0Yy1GbGQ2aVp6ZkxPbm5NaEdyWkZrWUZ6b2p2c2E="]

    tested = accounts.mailbox_test(mailbox=mailbox, host="imap.gmail.com", port=993, security="tls", username="bob")

    assert not tested.ok and "type it again" in tested.message
