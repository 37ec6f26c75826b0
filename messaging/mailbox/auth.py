"""How a mailbox proves who it is, once connected: pluggable, so OAuth2 can join the password.

Today: `PasswordLogin`, a password or an app password (Gmail and Microsoft 365 accounts with two-step
verification give one). The place for OAuth2 is another class with the same `login` method: an
`XOAuth2Login(access_token)` would call `mailbox.xoauth2(user, access_token, initial_folder=None)` (imap-tools
speaks the XOAUTH2 SASL mechanism that Gmail and Microsoft 365 require); what it needs besides is getting and
refreshing the token, which is not built.
"""

from dataclasses import dataclass, field
from typing import Protocol

from imap_tools import BaseMailBox


class Authenticator(Protocol):
    def login(self, mailbox: BaseMailBox, user: str) -> None:
        """Authenticate on an open connection; imap-tools raises MailboxLoginError when the server refuses.

        Selects no folder: reading picks its own, read-only."""


@dataclass(frozen=True)
class PasswordLogin:
    password: str = field(repr=False)  # never in a log line or a traceback's locals repr

    def login(self, mailbox: BaseMailBox, user: str) -> None:
        if user.isascii() and self.password.isascii():
            mailbox.login(user, self.password, initial_folder=None)
        else:
            # LOGIN's quoted strings are ASCII only (imaplib refuses to encode more); AUTHENTICATE PLAIN carries
            # UTF-8 (RFC 4616), and every server we target offers it.
            mailbox.login_utf8(user, self.password, initial_folder=None)
