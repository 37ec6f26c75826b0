"""The mailbox's rules that need no server: where a password may go in clear, what each failure is called,
which folders are read. The server itself is in tests/integration/test_imap.py."""

import imaplib
import socket
import ssl
from types import SimpleNamespace

import pytest
from imap_tools import FolderInfo
from imap_tools.errors import MailboxFolderSelectError, MailboxLoginError

from messaging.mailbox.auth import PasswordLogin
from messaging.mailbox.imap import (
    MESSAGES,
    SERVER_TEXT_LIMIT,
    FolderRef,
    MailboxError,
    MailboxSettings,
    connect,
    connection_test,
    folders_to_read,
    is_loopback,
    mailbox_error,
)


@pytest.mark.parametrize(
    "host", ["127.0.0.1", "127.8.9.10", "::1", "[::1]", "localhost", "LocalHost.", "::ffff:127.0.0.1", " localhost "]
)
def test_this_computer_is_loopback(host):
    assert is_loopback(host)


@pytest.mark.parametrize(
    "host", ["10.0.0.1", "0.0.0.0", "imap.gmail.com", "localhost.evil.example", "127.0.0.1.nip.io", "", "::2"]
)
def test_another_machine_is_not_loopback_even_when_its_name_says_local(host):
    assert not is_loopback(host)


@pytest.fixture
def no_network(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("no connection may be opened")

    monkeypatch.setattr(socket, "create_connection", refuse)


def settings(**overrides) -> MailboxSettings:
    values = {"host": "imap.example.com", "port": 143, "security": "none", "user": "bob"}
    return MailboxSettings(**(values | {"authenticator": PasswordLogin("x")} | overrides))


def test_a_password_is_never_sent_in_clear_to_another_machine(no_network):
    with pytest.raises(MailboxError) as refused, connect(settings()):
        pass
    assert refused.value.kind == "tls"
    assert refused.value.message == MESSAGES["insecure"]
    assert connection_test(settings()).problem == MESSAGES["insecure"]


def test_starttls_on_the_tls_port_is_refused_before_connecting(no_network):
    assert connection_test(settings(security="starttls", port=993)).problem == MESSAGES["starttls_on_993"]


def test_a_password_never_shows_in_a_repr():
    assert "hunter2" not in repr(settings(authenticator=PasswordLogin("hunter2")))


def _cert_error() -> ssl.SSLCertVerificationError:
    return ssl.SSLCertVerificationError(1, "[SSL: CERTIFICATE_VERIFY_FAILED] self-signed certificate")


@pytest.mark.parametrize(
    "exc, kind, message",
    [
        (MailboxLoginError(("NO", [b"[AUTHENTICATIONFAILED] Authentication failed."]), "OK"), "auth", "auth"),
        (imaplib.IMAP4.error("AUTHENTICATE command error: NO [b'[AUTHENTICATIONFAILED]']"), "auth", "auth"),
        (_cert_error(), "tls", "certificate"),
        (ssl.SSLError(1, "[SSL: WRONG_VERSION_NUMBER] wrong version number"), "tls", "tls"),
        (ssl.SSLEOFError(8, "EOF occurred in violation of protocol"), "tls", "tls"),
        (imaplib.IMAP4.abort("TLS not supported by server"), "tls", "no_starttls"),
        (imaplib.IMAP4.error("Couldn't establish TLS session"), "tls", "no_starttls"),
        (TimeoutError("timed out"), "timeout", "timeout"),
        (TimeoutError(), "timeout", "timeout"),
        (socket.gaierror(-2, "Name or service not known"), "connect", "dns"),
        (ConnectionRefusedError(111, "Connection refused"), "connect", "refused"),
        (OSError(101, "Network is unreachable"), "connect", "unreachable"),
        (ConnectionResetError(104, "Connection reset by peer"), "connect", "closed"),
        (imaplib.IMAP4.abort("socket error: EOF"), "connect", "closed"),
    ],
)
def test_each_failure_has_a_kind_and_plain_words(exc, kind, message):
    error = mailbox_error(exc)
    assert (error.kind, error.message) == (kind, MESSAGES[message])


def test_anything_else_the_server_says_is_a_protocol_error_that_quotes_it():
    error = mailbox_error(MailboxFolderSelectError(("NO", [b"Mailbox doesn't exist: Nowhere"]), "OK"))
    assert error.kind == "protocol"
    assert error.message == "The server refused a request: Mailbox doesn't exist: Nowhere"
    bad = mailbox_error(imaplib.IMAP4.error("UID command error: BAD [b'Error in IMAP command UID FETCH']"))
    assert bad.kind == "protocol" and "Error in IMAP command UID FETCH" in bad.message


def test_a_long_server_answer_is_cut_to_a_line():
    error = mailbox_error(imaplib.IMAP4.error("x" * 10_000 + "\r\n" * 50))
    assert len(error.message) < SERVER_TEXT_LIMIT + 50 and "\n" not in error.message


def listing(*folders: tuple[str, tuple[str, ...]]) -> SimpleNamespace:
    """A logged-in mailbox as far as folders_to_read looks: its LIST answer."""
    infos = [FolderInfo(name=name, delim="/", flags=flags) for name, flags in folders]
    return SimpleNamespace(folder=SimpleNamespace(list=lambda: infos))


def test_the_sent_folder_is_found_by_its_flag_before_its_name():
    mailbox = listing(("INBOX", ()), ("Sent", ()), ("Gesendet", ("\\HasNoChildren", "\\Sent")))
    assert folders_to_read(mailbox) == [FolderRef("INBOX", "inbox"), FolderRef("Gesendet", "sent")]


def test_a_flag_is_matched_in_any_case():
    assert folders_to_read(listing(("Envoi", ("\\SENT",))))[1] == FolderRef("Envoi", "sent")


@pytest.mark.parametrize("name", ["Sent Items", "[Gmail]/Sent Mail", "Éléments envoyés", "sent messages"])
def test_without_a_flag_a_usual_name_is_used(name):
    mailbox = listing(("INBOX", ()), ("Archive", ()), (name, ("\\HasNoChildren",)))
    assert folders_to_read(mailbox) == [FolderRef("INBOX", "inbox"), FolderRef(name, "sent")]


def test_a_folder_that_cannot_be_opened_is_not_read():
    mailbox = listing(("INBOX", ()), ("Sent", ("\\Noselect", "\\Sent")), ("Sent Items", ()))
    assert folders_to_read(mailbox) == [FolderRef("INBOX", "inbox"), FolderRef("Sent Items", "sent")]


def test_with_no_sent_folder_only_the_inbox_is_read():
    assert folders_to_read(listing(("INBOX", ()), ("Archive", ()))) == [FolderRef("INBOX", "inbox")]
