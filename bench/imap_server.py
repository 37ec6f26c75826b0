"""A throw-away Dovecot for tests and the benchmark: its own folder, its own users, free loopback ports, nothing
outside touched.

One process serves two listeners: `port` speaks plain IMAP and offers STARTTLS, `tls_port` is implicit TLS
(imaps), with a self-signed certificate made by the `openssl` command line for "localhost" and 127.0.0.1.
Users live in a passwd-file written before Dovecot starts (it re-reads a changed file at most once a second,
so a user added later could be refused): a pool of spare users lets `new_user()` give each test a mailbox nobody
else has written to. The configuration below is the whole recipe: no system service, run as whoever starts it.
"""

import datetime
import os
import pwd
import re
import shutil
import socket
import ssl
import subprocess
import tempfile
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from imap_tools import BaseMailBox, MailBoxUnencrypted

DOVECOT_PATHS = ("/usr/sbin/dovecot", "/usr/local/sbin/dovecot")
START_TIMEOUT = 15.0
SPARE_USERS = 500
HOST = "127.0.0.1"

CONFIG = """\
protocols = imap
listen = {host}
base_dir = {dir}/run
state_dir = {dir}/state
log_path = {dir}/dovecot.log
ssl = yes
ssl_cert = <{dir}/cert.pem
ssl_key = <{dir}/key.pem
disable_plaintext_auth = no
auth_mechanisms = plain login
auth_failure_delay = 0
mail_location = maildir:~/Maildir
passdb {{
  driver = passwd-file
  args = scheme=PLAIN {dir}/users
}}
userdb {{
  driver = passwd-file
  args = {dir}/users
}}
service imap-login {{
  chroot =
  inet_listener imap {{
    address = {host}
    port = {port}
  }}
  inet_listener imaps {{
    address = {host}
    port = {tls_port}
    ssl = yes
  }}
}}
service anvil {{
  chroot =
  # No growing wait after failed logins (the auth penalty): the wrong-password tests would pile it up.
  unix_listener anvil-auth-penalty {{
    mode = 0
  }}
}}
default_internal_user = {system_user}
default_login_user = {system_user}
namespace inbox {{
  inbox = yes
  mailbox Sent {{
    special_use = \\Sent
    auto = subscribe
  }}
}}
"""


def dovecot_binary() -> str | None:
    found = shutil.which("dovecot")
    return found or next((p for p in DOVECOT_PATHS if os.access(p, os.X_OK)), None)


def free_port() -> int:
    """A port nothing listens on now (the kernel's pick); another process could take it before Dovecot does,
    which is rare enough on loopback for tests."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


@dataclass(frozen=True)
class User:
    name: str
    password: str


class ImapServer:
    def __init__(self, binary: str):
        self.binary = binary
        self.host = HOST
        self.port = free_port()
        self.tls_port = free_port()
        self.dir = Path(tempfile.mkdtemp(prefix="dovecot-"))
        self.cert_path = self.dir / "cert.pem"
        self.users: dict[str, User] = {}
        self.proc: subprocess.Popen | None = None
        self._spare = [User(f"user{n}", f"pass-{n}") for n in range(1, SPARE_USERS + 1)]
        # As root, mail is owned by nobody as the recipe has it; a developer's own account runs it as itself.
        account = pwd.getpwnam("nobody") if os.getuid() == 0 else pwd.getpwuid(os.getuid())
        self._system_user, self._uid, self._gid = account.pw_name, account.pw_uid, account.pw_gid

    # The process

    def start(self) -> "ImapServer":
        for sub in ("mail", "run", "state"):
            (self.dir / sub).mkdir()
        self.dir.chmod(0o755)  # mkdtemp's 0700 would keep the mail processes (nobody) out
        os.chown(self.dir / "mail", self._uid, self._gid)
        self._make_certificate()
        self._add_user(User("alice", "alice-secret"))
        self._add_user(User("bob", "bob-secret"))
        self._add_user(User("chloe", "mot-de-passe-été"))  # beyond ASCII: LOGIN cannot carry it
        for user in self._spare:
            self._add_user(user, listed=False)
        (self.dir / "dovecot.conf").write_text(
            CONFIG.format(
                host=self.host, dir=self.dir, port=self.port, tls_port=self.tls_port, system_user=self._system_user
            )
        )
        self.proc = subprocess.Popen(
            [self.binary, "-F", "-c", str(self.dir / "dovecot.conf")],
            stdout=subprocess.DEVNULL,
            stderr=(self.dir / "stderr.log").open("w"),
        )
        self._wait_until_listening()
        return self

    def _make_certificate(self) -> None:
        subprocess.run(
            ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
             "-keyout", str(self.dir / "key.pem"), "-out", str(self.cert_path), "-days", "2",
             "-subj", "/CN=localhost", "-addext", f"subjectAltName=DNS:localhost,IP:{HOST}"],
            check=True, capture_output=True,
        )  # fmt: skip

    def _wait_until_listening(self) -> None:
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"Dovecot exited with {self.proc.returncode}:\n{self.log()}")
            try:
                with socket.create_connection((self.host, self.port), timeout=1) as s:
                    if s.recv(100).startswith(b"* OK"):
                        return
            except OSError:
                time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"Dovecot did not answer on {self.host}:{self.port}:\n{self.log()}")

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        shutil.rmtree(self.dir, ignore_errors=True)

    def log(self) -> str:
        return "\n".join(p.read_text() for p in (self.dir / "stderr.log", self.dir / "dovecot.log") if p.exists())

    # Users

    def _add_user(self, user: User, *, listed: bool = True) -> None:
        with (self.dir / "users").open("a", encoding="utf-8") as users:
            users.write(f"{user.name}:{{PLAIN}}{user.password}:{self._uid}:{self._gid}::{self.dir}/mail/{user.name}\n")
        if listed:
            self.users[user.name] = user

    def new_user(self) -> User:
        """A user nobody has used yet, so its mailbox (INBOX and Sent) is empty: for one test."""
        user = self._spare.pop(0)
        self.users[user.name] = user
        return user

    # Acting as a user (what another mail client would do)

    @contextmanager
    def session(self, user: str | User) -> Iterator[BaseMailBox]:
        user = self.users[user] if isinstance(user, str) else user
        with MailBoxUnencrypted(self.host, self.port, timeout=10).login(
            user.name, user.password, initial_folder=None
        ) as mailbox:
            yield mailbox

    def append(
        self,
        user: str | User,
        folder: str,
        raw: bytes,
        *,
        flags: tuple[str, ...] = (),
        date: datetime.datetime | None = None,
    ) -> int:
        """Append a mail as that user; returns its UID (from the server's APPENDUID answer, RFC 4315)."""
        date = date or datetime.datetime.now(datetime.UTC)
        with self.session(user) as mailbox:
            _, data = mailbox.append(raw, folder, dt=date, flag_set=flags)
        return int(re.search(rb"APPENDUID \d+ (\d+)", data[0]).group(1))

    def uidvalidity(self, user: str | User, folder: str) -> int:
        with self.session(user) as mailbox:
            return mailbox.folder.status(folder, ["UIDVALIDITY"])["UIDVALIDITY"]

    def flags(self, user: str | User, folder: str, uid: int) -> tuple[str, ...]:
        with self.session(user) as mailbox:
            mailbox.folder.set(folder, readonly=True)
            _, data = mailbox.client.uid("FETCH", str(uid), "(FLAGS)")
        return tuple(re.search(rb"FLAGS \(([^)]*)\)", data[0]).group(1).decode().split())

    def recreate(self, user: str | User, folder: str) -> None:
        """Delete the folder and create it again: the server gives it a new UIDVALIDITY."""
        with self.session(user) as mailbox:
            mailbox.folder.delete(folder)
            mailbox.folder.create(folder)

    def deliver(self, user: str | User, folder: str, mails: Iterable[bytes]) -> int:
        """Write mails straight into the user's Maildir (what a delivery agent does): thousands in a second, where
        APPEND takes a round trip each. Dovecot gives them UIDs, in file name order, when the folder is next read.
        Returns how many were written."""
        user = self.users[user] if isinstance(user, str) else user
        maildir = self.dir / "mail" / user.name / "Maildir"
        if folder != "INBOX":
            maildir = maildir / f".{folder}"
        for sub in ("cur", "new", "tmp"):
            (maildir / sub).mkdir(parents=True, exist_ok=True)
        count = 0
        stamp = int(time.time())
        for count, raw in enumerate(mails, start=1):
            # Seen ("S"): a mailbox people read; the sync must not care.
            (maildir / "cur" / f"{stamp}.M{count:07d}.bench:2,S").write_bytes(raw)
        for path in [self.dir / "mail" / user.name, *(self.dir / "mail" / user.name).rglob("*")]:
            os.chown(path, self._uid, self._gid)
        return count

    def ssl_context(self) -> ssl.SSLContext:
        """A client context that trusts this server's self-signed certificate (and only it)."""
        return ssl.create_default_context(cafile=str(self.cert_path))
