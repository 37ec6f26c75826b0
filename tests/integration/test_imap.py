"""Reading a real IMAP server (Dovecot, bench/imap_server.py): login, TLS, folders, new mail by UID, read-only."""

import pytest

from bench.imap_server import free_port
from messaging.mailbox.auth import PasswordLogin
from messaging.mailbox.imap import (
    MESSAGES,
    FolderRef,
    MailboxError,
    MailboxSettings,
    connect,
    connection_test,
    folder_position,
    folders_to_read,
    new_mail,
)

pytestmark = pytest.mark.integration


def a_mail(n: int, *, body: str = "Merci pour votre retour.") -> bytes:
    return (
        f"From: Léa <lea@blog.example>\r\nTo: bob@team.example\r\nSubject: Réponse {n}\r\n"
        f"Message-ID: <reply.{n}@blog.example>\r\nDate: Mon, 02 Mar 2026 10:00:00 +0100\r\n"
        f"MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n"
        f"\r\n{body}\r\n"
    ).encode()


def settings_for(server, user, *, security="none", port=None, password=None, ssl_context=None) -> MailboxSettings:
    if port is None:
        port = server.tls_port if security == "tls" else server.port
    return MailboxSettings(
        host=server.host,
        port=port,
        security=security,
        user=user.name,
        authenticator=PasswordLogin(password if password is not None else user.password),
        ssl_context=ssl_context,
    )


def test_it_logs_in_with_the_right_password_and_finds_the_folders_it_would_read(imap_server, imap_user):
    test = connection_test(settings_for(imap_server, imap_user))

    assert test.problem is None
    assert [(folder.name, folder.role) for folder in test.folders] == [("INBOX", "inbox"), ("Sent", "sent")]
    assert test.sent == "Sent"


def test_a_password_beyond_ascii_logs_in_too(imap_server):
    assert connection_test(settings_for(imap_server, imap_server.users["chloe"])).problem is None


def test_a_wrong_password_is_refused_in_plain_words(imap_server, imap_user):
    with pytest.raises(MailboxError) as refused, connect(settings_for(imap_server, imap_user, password="wrong")):
        pass
    assert refused.value.kind == "auth"
    assert refused.value.message == "The server refused the user name or password."
    assert connection_test(settings_for(imap_server, imap_user, password="wrong")).problem == refused.value.message


def test_nothing_listening_is_a_connect_error(imap_server, imap_user):
    with pytest.raises(MailboxError) as refused, connect(settings_for(imap_server, imap_user, port=free_port())):
        pass
    assert refused.value.kind == "connect"
    assert refused.value.message == MESSAGES["refused"]


@pytest.mark.parametrize("security", ["tls", "starttls"])
def test_a_self_signed_certificate_is_refused_by_default(imap_server, imap_user, security):
    with pytest.raises(MailboxError) as refused, connect(settings_for(imap_server, imap_user, security=security)):
        pass
    assert refused.value.kind == "tls"
    assert refused.value.message == MESSAGES["certificate"]


@pytest.mark.parametrize("security", ["tls", "starttls"])
def test_a_certificate_the_caller_trusts_is_accepted(imap_server, imap_user, security):
    settings = settings_for(imap_server, imap_user, security=security, ssl_context=imap_server.ssl_context())
    with connect(settings) as mailbox:
        assert mailbox.client.sock.version().startswith("TLS")
        assert folders_to_read(mailbox)[0] == FolderRef("INBOX", "inbox")


def test_tls_spoken_to_a_plain_port_is_a_tls_error(imap_server, imap_user):
    settings = settings_for(imap_server, imap_user, security="tls", port=imap_server.port)
    with pytest.raises(MailboxError) as refused, connect(settings):
        pass
    assert refused.value.kind == "tls"


def test_it_reads_the_inbox_and_the_folder_flagged_sent(imap_server, imap_user):
    with connect(settings_for(imap_server, imap_user)) as mailbox:
        assert folders_to_read(mailbox) == [FolderRef("INBOX", "inbox"), FolderRef("Sent", "sent")]


def test_new_mail_comes_in_uid_order_once(imap_server, imap_user):
    uids = [imap_server.append(imap_user, "INBOX", a_mail(n)) for n in range(5)]
    with connect(settings_for(imap_server, imap_user)) as mailbox:
        first = list(new_mail(mailbox, "INBOX", after_uid=0, max_bytes=1_000_000))
        again = list(new_mail(mailbox, "INBOX", after_uid=uids[-1], max_bytes=1_000_000))
    assert [m.uid for m in first] == uids
    assert [m.raw for m in first] == [a_mail(n) for n in range(5)]  # the server's bytes, not a re-encoding
    assert all(m.size == len(a_mail(0)) for m in first)
    assert again == []


def test_small_batches_read_every_mail_after_the_given_uid(imap_server, imap_user):
    uids = [imap_server.append(imap_user, "Sent", a_mail(n)) for n in range(7)]
    with connect(settings_for(imap_server, imap_user)) as mailbox:
        read = list(new_mail(mailbox, "Sent", after_uid=uids[1], max_bytes=1_000_000, batch=2))
    assert [m.uid for m in read] == uids[2:]


def test_reading_sets_no_flag(imap_server, imap_user):
    uid = imap_server.append(imap_user, "INBOX", a_mail(1))
    with connect(settings_for(imap_server, imap_user)) as mailbox:
        assert len(list(new_mail(mailbox, "INBOX", after_uid=0, max_bytes=1_000_000))) == 1
    assert "\\Seen" not in imap_server.flags(imap_user, "INBOX", uid)


def test_a_mail_over_the_limit_comes_with_its_size_and_headers_only(imap_server, imap_user):
    small = imap_server.append(imap_user, "INBOX", a_mail(1))
    big_mail = a_mail(2, body="x" * 5000)
    big = imap_server.append(imap_user, "INBOX", big_mail)
    last = imap_server.append(imap_user, "INBOX", a_mail(3))
    with connect(settings_for(imap_server, imap_user)) as mailbox:
        read = list(new_mail(mailbox, "INBOX", after_uid=0, max_bytes=1000))
    assert [m.uid for m in read] == [small, big, last]
    over = read[1]
    assert over.raw is None and over.size == len(big_mail)
    assert over.headers.startswith(b"From: ") and b"Subject: R" in over.headers and b"xxxx" not in over.headers
    assert read[0].raw == a_mail(1) and read[2].raw == a_mail(3)


def test_an_append_moves_the_next_uid(imap_server, imap_user):
    with connect(settings_for(imap_server, imap_user)) as mailbox:
        validity, uidnext = folder_position(mailbox, "INBOX")
        uid = imap_server.append(imap_user, "INBOX", a_mail(1))
        assert folder_position(mailbox, "INBOX") == (validity, uid + 1)
    assert uid >= uidnext
    assert validity == imap_server.uidvalidity(imap_user, "INBOX")


def test_a_recreated_folder_has_a_new_uidvalidity(imap_server, imap_user):
    imap_server.append(imap_user, "Sent", a_mail(1))
    with connect(settings_for(imap_server, imap_user)) as mailbox:
        before, _ = folder_position(mailbox, "Sent")
    imap_server.recreate(imap_user, "Sent")
    with connect(settings_for(imap_server, imap_user)) as mailbox:
        after, uidnext = folder_position(mailbox, "Sent")
    assert after != before
    assert uidnext == 1


def test_a_folder_that_does_not_exist_is_a_protocol_error(imap_server, imap_user):
    with connect(settings_for(imap_server, imap_user)) as mailbox, pytest.raises(MailboxError) as refused:
        list(new_mail(mailbox, "Nowhere", after_uid=0, max_bytes=1000))
    assert refused.value.kind == "protocol"
    assert refused.value.message.startswith("The server refused a request: ")
