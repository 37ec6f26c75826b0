"""Reading a mailbox over IMAP, read-only: a thin layer over imap-tools.

Reading never changes the user's mailbox: folders are opened with EXAMINE (read-only) and bodies fetched with
BODY.PEEK, so no \\Seen flag is set, nothing is deleted or moved. What is new is found by UID (RFC 3501): a
folder's position is its (UIDVALIDITY, UIDNEXT), and `new_mail` reads the UIDs after the last one the caller
has committed, in batches, so a mailbox of any size is never fetched at once.

Every failure that comes from the network or the server leaves as one `MailboxError`, whose message a marketer
can read ("The server refused the user name or password.").
"""

import imaplib
import ipaddress
import re
import socket
import ssl
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from typing import Literal

from imap_tools import BaseMailBox, MailBox, MailBoxStartTls, MailBoxUnencrypted, MailMessage
from imap_tools.errors import ImapToolsError, MailboxFetchError, MailboxLoginError, MailboxStarttlsError
from imap_tools.utils import check_command_status

from messaging.mailbox.auth import Authenticator

# Every read on the socket, not only the connection, gives up after this long.
TIMEOUT_SECONDS = 30.0
# One FETCH command asks for at most this many bytes of mail: imaplib holds a whole answer in memory.
FETCH_BUDGET_BYTES = 16 * 1024 * 1024
# What the server says is shown to a person: a line, not a page.
SERVER_TEXT_LIMIT = 200

Security = Literal["tls", "starttls", "none"]
ErrorKind = Literal["auth", "tls", "connect", "timeout", "protocol"]

# Used only when no folder carries the \Sent flag (RFC 6154): older servers and some hosted ones.
SENT_FOLDER_NAMES = ("Sent", "Sent Items", "Sent Messages", "[Gmail]/Sent Mail", "Éléments envoyés", "Envoyés")

MESSAGES: dict[str, str] = {
    "auth": "The server refused the user name or password.",
    "certificate": (
        "The server's certificate is not trusted (self-signed, expired or issued for another name), "
        "so the connection was stopped."
    ),
    "tls": "A secure connection (TLS) could not be set up with the server: check the port and the security setting.",
    "no_starttls": "The server does not offer STARTTLS on this port: choose TLS or check the port.",
    "starttls_on_993": "Port 993 speaks TLS from the start: choose TLS rather than STARTTLS.",
    "insecure": (
        "A connection without encryption is only allowed to this computer (localhost): choose TLS or STARTTLS."
    ),
    "timeout": "The server did not answer in time.",
    "dns": "No server was found with this name: check the host.",
    "refused": "Nothing answers at this host and port: check them.",
    "unreachable": "The server could not be reached: the network or the server is down.",
    "closed": "The server closed the connection.",
    "protocol": "The server refused a request: {server}",
}


class MailboxError(Exception):
    """What went wrong with a mailbox: `kind` for the code (retry, back off, show), `message` for a person."""

    def __init__(self, kind: ErrorKind, message: str):
        super().__init__(message)
        self.kind = kind
        self.message = message


@dataclass(frozen=True)
class MailboxSettings:
    host: str
    port: int
    security: Security
    user: str
    authenticator: Authenticator
    # The certificates to trust; None trusts the system's authorities (a knob for a custom CA can set it).
    ssl_context: ssl.SSLContext | None = field(default=None, compare=False)
    timeout: float = TIMEOUT_SECONDS


@dataclass(frozen=True)
class FolderRef:
    name: str  # the server's name for it, as LIST gives it (decoded from modified UTF-7)
    role: Literal["inbox", "sent"]


@dataclass(frozen=True)
class FetchedMail:
    """One mail: `raw` is the whole message, or None when it is larger than the caller's limit; then `headers`
    holds its header section alone, so it can still be counted and shown."""

    uid: int
    size: int  # RFC822.SIZE, as the server counts it
    raw: bytes | None
    headers: bytes | None = None


def is_loopback(host: str) -> bool:
    """This computer, by name or address; a name is not resolved, so DNS cannot make a remote host look local."""
    host = host.strip().strip("[]").rstrip(".").lower()
    if host == "localhost":
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return address.is_loopback


def _server_text(exc: BaseException) -> str:
    if isinstance(exc, ImapToolsError) and hasattr(exc, "command_result"):
        data = exc.command_result[1]
        parts = data if isinstance(data, (list, tuple)) else [data]
        text = " ".join(p.decode("utf-8", "replace") if isinstance(p, bytes) else str(p) for p in parts if p)
    else:
        text = str(exc)
    text = " ".join(text.split())
    return text[:SERVER_TEXT_LIMIT] + ("…" if len(text) > SERVER_TEXT_LIMIT else "")


# What the network and the IMAP libraries raise; anything else is a bug of ours and is left alone.
TRANSLATED = (OSError, imaplib.IMAP4.error, ImapToolsError)


def mailbox_error(exc: BaseException) -> MailboxError:
    """The MailboxError for an exception from the network, TLS, imaplib or imap-tools. Order matters: ssl's and
    socket's errors are all OSErrors, and imaplib's abort is one of its errors."""
    if isinstance(exc, MailboxError):
        return exc
    if isinstance(exc, MailboxLoginError) or (
        isinstance(exc, imaplib.IMAP4.error) and str(exc).startswith("AUTHENTICATE command error")
    ):  # imap-tools' LOGIN, or imaplib's AUTHENTICATE (PLAIN for UTF-8, XOAUTH2) answered NO
        return MailboxError("auth", MESSAGES["auth"])
    if isinstance(exc, ssl.SSLCertVerificationError):
        return MailboxError("tls", MESSAGES["certificate"])
    if isinstance(exc, ssl.SSLError):
        return MailboxError("tls", MESSAGES["tls"])
    if isinstance(exc, MailboxStarttlsError) or (
        isinstance(exc, imaplib.IMAP4.error) and ("TLS not supported" in str(exc) or "TLS session" in str(exc))
    ):  # imaplib's own words when STARTTLS is not offered or refused
        return MailboxError("tls", MESSAGES["no_starttls"])
    if isinstance(exc, TimeoutError):  # socket.timeout is TimeoutError since Python 3.10
        return MailboxError("timeout", MESSAGES["timeout"])
    if isinstance(exc, socket.gaierror):
        return MailboxError("connect", MESSAGES["dns"])
    if isinstance(exc, ConnectionRefusedError):
        return MailboxError("connect", MESSAGES["refused"])
    if isinstance(exc, (imaplib.IMAP4.abort, ConnectionResetError, BrokenPipeError, EOFError)):
        return MailboxError("connect", MESSAGES["closed"])
    if isinstance(exc, OSError):
        return MailboxError("connect", MESSAGES["unreachable"])
    return MailboxError("protocol", MESSAGES["protocol"].format(server=_server_text(exc)))


@contextmanager
def _translated() -> Iterator[None]:
    try:
        yield
    except TRANSLATED as exc:
        raise mailbox_error(exc) from exc


def _open(settings: MailboxSettings) -> BaseMailBox:
    if settings.security == "none":
        if not is_loopback(settings.host):
            raise MailboxError("tls", MESSAGES["insecure"])
        mailbox = MailBoxUnencrypted(settings.host, settings.port, timeout=settings.timeout)
    else:
        # imaplib's own default context verifies nothing: always hand it one that checks the certificate and name.
        context = settings.ssl_context or ssl.create_default_context()
        if settings.security == "starttls" and settings.port == 993:
            raise MailboxError("tls", MESSAGES["starttls_on_993"])
        box = MailBoxStartTls if settings.security == "starttls" else MailBox
        mailbox = box(settings.host, settings.port, timeout=settings.timeout, ssl_context=context)
    mailbox.email_message_class = _RawMail  # imap-tools' hook for the class it builds each fetched mail with
    return mailbox


@contextmanager
def connect(settings: MailboxSettings) -> Iterator[BaseMailBox]:
    """An authenticated connection, logged out at the end. Raises MailboxError, before any network traffic
    when the settings would send a password in clear to another machine."""
    with _translated():
        mailbox = _open(settings)
        try:
            settings.authenticator.login(mailbox, settings.user)
        except BaseException:
            _close(mailbox)
            raise
    try:
        yield mailbox
    finally:
        _close(mailbox)


def _close(mailbox: BaseMailBox) -> None:
    # The work is done or already failed: a connection that dies while saying goodbye changes nothing.
    with suppress(*TRANSLATED):
        mailbox.logout()


@dataclass(frozen=True)
class ConnectionTest:
    """What "test the connection" found: `problem`, in words a marketer can act on, or the folders it would read."""

    problem: str | None = None
    folders: tuple[FolderRef, ...] = ()

    @property
    def sent(self) -> str:
        """The sent folder's name, "" when the server has none the sync would recognise."""
        return next((folder.name for folder in self.folders if folder.role == "sent"), "")


def connection_test(settings: MailboxSettings) -> ConnectionTest:
    """For "test the connection": log in and list the folders the sync would read."""
    try:
        with connect(settings) as mailbox:
            return ConnectionTest(folders=tuple(folders_to_read(mailbox)))
    except MailboxError as exc:
        return ConnectionTest(problem=exc.message)


def folders_to_read(mailbox: BaseMailBox) -> list[FolderRef]:
    """The inbox, and the sent folder when there is one: the folder flagged \\Sent (RFC 6154), else the first
    folder with a usual name for it."""
    with _translated():
        listed = mailbox.folder.list()
    # Flags are case-insensitive (RFC 3501).
    folders = [(f.name, {flag.lower() for flag in f.flags}) for f in listed]
    folders = [(name, flags) for name, flags in folders if not flags & {"\\noselect", "\\nonexistent"}]
    refs = [FolderRef("INBOX", "inbox")]
    flagged = [name for name, flags in folders if "\\sent" in flags]
    if flagged:
        refs.append(FolderRef(flagged[0], "sent"))
        return refs
    by_name = {name.casefold(): name for name, _ in folders}
    for name in SENT_FOLDER_NAMES:
        if name.casefold() in by_name:
            refs.append(FolderRef(by_name[name.casefold()], "sent"))
            break
    return refs


def folder_position(mailbox: BaseMailBox, folder: str) -> tuple[int, int]:
    """(UIDVALIDITY, UIDNEXT) of a folder: when UIDVALIDITY changes, the UIDs the caller kept mean nothing."""
    with _translated():
        status = mailbox.folder.status(folder, ["UIDVALIDITY", "UIDNEXT"])
    try:
        return status["UIDVALIDITY"], status["UIDNEXT"]
    except KeyError as missing:
        raise MailboxError(
            "protocol", MESSAGES["protocol"].format(server=f"no UIDVALIDITY or UIDNEXT for {folder}")
        ) from missing


class _RawMail(MailMessage):
    """A fetched mail kept as the server's bytes: imap-tools' own class parses it on arrival, and re-encoding a
    parsed mail does not give back the bytes that were sent."""

    def __init__(self, fetch_data: list) -> None:
        self.raw, self._raw_uid_data, self._raw_flag_data = self._get_message_data_parts(fetch_data)


_SIZE = re.compile(rb"UID (\d+) RFC822\.SIZE (\d+)|RFC822\.SIZE (\d+) UID (\d+)")


def _sizes(mailbox: BaseMailBox, uids: Sequence[int]) -> dict[int, int]:
    """{uid: size} for the mails of `uids` that still exist (one may be expunged since the search)."""
    result = mailbox.client.uid("FETCH", ",".join(map(str, uids)), "(UID RFC822.SIZE)")
    check_command_status(result, MailboxFetchError)
    sizes = {}
    data = result[1]
    for item in data:
        line = item[0] if isinstance(item, tuple) else item
        match = _SIZE.search(line or b"")
        if match:
            uid, size = (match.group(1), match.group(2)) if match.group(1) else (match.group(4), match.group(3))
            sizes[int(uid)] = int(size)
    return sizes


def _groups(uids: Sequence[int], sizes: dict[int, int], max_bytes: int) -> Iterator[list[int]]:
    """Consecutive runs of UIDs whose whole mails fit together in one FETCH answer."""
    group: list[int] = []
    total = 0
    for uid in uids:
        cost = sizes[uid] if sizes[uid] <= max_bytes else 0
        if group and total + cost > FETCH_BUDGET_BYTES:
            yield group
            group, total = [], 0
        group.append(uid)
        total += cost
    if group:
        yield group


def new_mail(
    mailbox: BaseMailBox, folder: str, *, after_uid: int, max_bytes: int, batch: int = 100
) -> Iterator[FetchedMail]:
    """The mails of `folder` with a UID above `after_uid`, in UID order, `batch` UIDs per round trip.

    A mail over `max_bytes` comes without its body (raw None, headers fetched alone). The folder is opened
    read-only and bodies are peeked, so reading sets no flag. Raises MailboxError."""
    with _translated():
        mailbox.folder.set(folder, readonly=True)
        # "n:*" always matches the folder's last mail, even below n (RFC 3501 6.4.8): keep only what is new.
        uids = sorted(u for u in map(int, mailbox.uids(f"UID {after_uid + 1}:*", charset=None)) if u > after_uid)
        for start in range(0, len(uids), batch):
            chunk = uids[start : start + batch]
            sizes = _sizes(mailbox, chunk)
            present = [uid for uid in chunk if uid in sizes]
            for group in _groups(present, sizes, max_bytes):
                yield from _fetch_group(mailbox, group, sizes, max_bytes)


def _fetch_group(
    mailbox: BaseMailBox, group: list[int], sizes: dict[int, int], max_bytes: int
) -> Iterator[FetchedMail]:
    whole = [uid for uid in group if sizes[uid] <= max_bytes]
    bodies: dict[int, bytes] = {}
    if whole:
        for mail in mailbox.fetch(uid_list=list(map(str, whole)), mark_seen=False, bulk=True):
            if mail.uid is not None:
                bodies[int(mail.uid)] = mail.raw
    for uid in group:
        if sizes[uid] <= max_bytes:
            if uid in bodies:  # else expunged between the two fetches
                yield FetchedMail(uid=uid, size=sizes[uid], raw=bodies[uid])
            continue
        # One command per oversized mail, so a pile of them never adds up in one answer.
        headers = next(iter(mailbox.fetch(uid_list=[str(uid)], mark_seen=False, headers_only=True)), None)
        if headers is not None:
            yield FetchedMail(uid=uid, size=sizes[uid], raw=None, headers=headers.raw)
