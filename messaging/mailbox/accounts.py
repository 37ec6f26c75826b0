"""A Mailbox row made into what the IMAP reader needs to connect (the password opened only here)."""

from messaging.mailbox.auth import PasswordLogin
from messaging.mailbox.imap import MailboxSettings
from messaging.mailbox.secrets import password_open
from messaging.models import Mailbox


def mailbox_settings(mailbox: Mailbox) -> MailboxSettings:
    """Raises messaging.mailbox.secrets.SealBroken when the saved password cannot be decrypted."""
    return MailboxSettings(
        host=mailbox.host,
        port=mailbox.port,
        security=mailbox.security,
        user=mailbox.username,
        authenticator=PasswordLogin(password_open(mailbox.password_sealed)),
    )
