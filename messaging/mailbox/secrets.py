"""The mailboxes' passwords, encrypted at rest (Fernet: AES-128-CBC with an HMAC) with the keys of
settings.MAILBOX_KEYS, the first of which encrypts. Required in production; locally, one key is derived from
SECRET_KEY so that a first run needs nothing set."""

import base64
import hashlib

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


class SealBroken(Exception):
    """The password cannot be decrypted: the key that encrypted it is not in MAILBOX_KEYS any more."""


def _fernet() -> MultiFernet:
    keys = list(settings.MAILBOX_KEYS)
    if not keys:
        # Local runs only: settings refuses to start without MAILBOX_KEYS when DEBUG is off.
        keys = [base64.urlsafe_b64encode(hashlib.sha256(f"mailbox:{settings.SECRET_KEY}".encode()).digest())]
    try:
        return MultiFernet([Fernet(key) for key in keys])
    except ValueError as error:
        raise ImproperlyConfigured(
            "MAILBOX_KEYS holds a value that is not a Fernet key (32 bytes, URL-safe base64). See .env.example."
        ) from error


def password_seal(password: str) -> str:
    return _fernet().encrypt(password.encode()).decode("ascii")


def password_open(sealed: str) -> str:
    """The password; raises SealBroken when no key of MAILBOX_KEYS opens it."""
    try:
        return _fernet().decrypt(sealed.encode("ascii")).decode()
    except (InvalidToken, ValueError) as error:
        raise SealBroken("The saved password cannot be read with the keys in MAILBOX_KEYS: type it again.") from error
