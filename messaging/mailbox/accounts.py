"""Connecting a mailbox and looking after it: the one owner of a Mailbox row's settings (the sync owns its health).

Every door (the marketer's mailbox page, the managers' admin) calls these services, so a rule cannot be bypassed
from one of them: TLS unless the server is this computer, one personal mailbox per person, a personal mailbox's
credentials typed by its owner alone, the password kept sealed (messaging.mailbox.secrets) and never shown back.
"""

import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from messaging.mailbox.auth import PasswordLogin
from messaging.mailbox.imap import ConnectionTest, MailboxSettings, connection_test, is_loopback
from messaging.mailbox.secrets import SealBroken, password_open, password_seal
from messaging.models import Mailbox

Security = Mailbox.Security
# A host name (RFC 1123 labels) or an IP address, with an IPv6 one in brackets or not: nothing else reaches a socket.
_HOST = re.compile(
    r"^(\[?[0-9a-fA-F:.]+\]?|[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\.?)$"
)
PASSWORD_MAX = 1000


@dataclass(frozen=True)
class Tested:
    """What "test the connection" says, and whether it is good news."""

    ok: bool
    message: str


def _tested(test: ConnectionTest) -> Tested:
    if test.problem is not None:
        return Tested(False, test.problem)
    if test.sent:
        return Tested(True, _("Connected: the inbox and “%(sent)s” (the sent mail) were found.") % {"sent": test.sent})
    # Still a success, the inbox is read; but what is sent from this mailbox will not be logged: say so.
    return Tested(
        True, _("Connected: the inbox was found, but no sent-mail folder: only the mail you receive is logged.")
    )


def mailbox_settings(mailbox: Mailbox) -> MailboxSettings:
    """Raises messaging.mailbox.secrets.SealBroken when the saved password cannot be decrypted."""
    return _settings(
        host=mailbox.host,
        port=mailbox.port,
        security=mailbox.security,
        username=mailbox.username,
        password=password_open(mailbox.password_sealed),
    )


def _settings(*, host: str, port: int, security: str, username: str, password: str) -> MailboxSettings:
    return MailboxSettings(
        host=host, port=port, security=security, user=username, authenticator=PasswordLogin(password)
    )


def _checked_server(*, host: str, port: int, security: str, username: str) -> dict:
    """The server's settings as they will be used, or a ValidationError per field a person can act on."""
    host, username = (host or "").strip(), (username or "").strip()
    errors: dict[str, str] = {}
    if not host:
        errors["host"] = _("Give the IMAP server, such as imap.gmail.com.")
    elif len(host) > 253 or not _HOST.match(host):
        errors["host"] = _("“%(host)s” is not a server name: give one such as imap.gmail.com.") % {"host": host[:60]}
    if not isinstance(port, int) or not 1 <= port <= 65535:
        errors["port"] = _("The port is a number from 1 to 65535 (993 for most servers).")
    if security not in Security.values:
        errors["security"] = _("Choose SSL/TLS or STARTTLS.")
    elif security == Security.NONE and host and not is_loopback(host):
        errors["security"] = _(
            "A connection without encryption is only allowed to this computer (localhost): choose SSL/TLS or STARTTLS."
        )
    if not username:
        errors["username"] = _("Give the user name you log in to the mailbox with (often the address).")
    elif len(username) > 254:
        errors["username"] = _("The user name is at most 254 characters.")
    if errors:
        raise ValidationError(errors)
    return {"host": host, "port": port, "security": security, "username": username}


def _checked_address(address: str) -> str:
    address = (address or "").strip()
    try:
        validate_email(address)
    except ValidationError:
        raise ValidationError({"address": _("Give the mailbox's e-mail address, such as you@example.com.")}) from None
    return address


def _checked_password(password: str) -> str:
    if len(password) > PASSWORD_MAX:
        raise ValidationError({"password": _("The password is at most %(max)d characters.") % {"max": PASSWORD_MAX}})
    return password


def _owner_only(mailbox: Mailbox, by) -> None:
    if not mailbox.shared and mailbox.owner_id != by.pk:
        raise ValidationError(_("A personal mailbox's settings are its owner's alone: only they can change them."))


def mailbox_connect(
    *,
    owner,
    by,
    shared: bool = False,
    name: str = "",
    address: str,
    host: str,
    port: int,
    security: str,
    username: str,
    password: str,
) -> Mailbox:
    """A new mailbox, due for its first sync at once. A personal one is connected by its owner only (the admin
    cannot type someone's password for them), and a person has at most one."""
    if not shared and owner.pk != by.pk:
        raise ValidationError(_("Only the person themselves can connect their own mailbox."))
    server = _checked_server(host=host, port=port, security=security, username=username)
    address = _checked_address(address)
    if not password:
        raise ValidationError({"password": _("Give the password (or the app password) of the mailbox.")})
    sealed = password_seal(_checked_password(password))
    refusal = _("You already have a mailbox connected: edit it or disconnect it first.")
    with transaction.atomic():
        if not shared and Mailbox.objects.filter(owner=owner, shared=False).exists():
            raise ValidationError(refusal)
        try:
            # A savepoint: two tabs connecting at once meet the unique constraint, and the second reads the refusal.
            with transaction.atomic():
                return Mailbox.objects.create(
                    owner=owner,
                    shared=shared,
                    name=(name or "").strip()[:100],
                    address=address,
                    password_sealed=sealed,
                    next_sync_at=timezone.now(),
                    **server,
                )
        except IntegrityError:
            raise ValidationError(refusal) from None


def mailbox_update(
    *,
    mailbox: Mailbox,
    by,
    owner=None,
    name: str | None = None,
    address: str,
    host: str,
    port: int,
    security: str,
    username: str,
    password: str = "",
) -> Mailbox:
    """New settings; an empty password keeps the saved one. Another server or user is another mailbox: the
    folders' positions are forgotten (the sync starts them again) and the health starts afresh. `owner` hands a
    shared mailbox (its unknown senders) to someone else; a personal one stays its owner's."""
    _owner_only(mailbox, by)
    server = _checked_server(host=host, port=port, security=security, username=username)
    address = _checked_address(address)
    sealed = password_seal(_checked_password(password)) if password else None
    with transaction.atomic():
        row = Mailbox.objects.select_for_update().get(pk=mailbox.pk)
        if (row.host.lower(), row.username) != (server["host"].lower(), server["username"]):
            row.folders.all().delete()
        for field, value in server.items():
            setattr(row, field, value)
        row.address = address
        if owner is not None and owner.pk != row.owner_id:
            if not row.shared:
                raise ValidationError(_("A personal mailbox stays its owner's: they connect and disconnect it."))
            row.owner = owner
        if name is not None:
            row.name = name.strip()[:100]
        if sealed is not None:
            row.password_sealed = sealed
        row.failures, row.last_error, row.last_error_at = 0, "", None
        row.next_sync_at = timezone.now()
        row.save()
    return row


def _set(mailbox: Mailbox, **values) -> Mailbox:
    with transaction.atomic():
        row = Mailbox.objects.select_for_update().get(pk=mailbox.pk)
        for field, value in values.items():
            setattr(row, field, value)
        row.save(update_fields=[*values, "updated_at"])
    return row


def mailbox_pause(*, mailbox: Mailbox, by) -> Mailbox:
    """Beat leaves a paused mailbox alone until it is resumed; what it logged stays."""
    return _set(mailbox, paused=True)


def mailbox_resume(*, mailbox: Mailbox, by) -> Mailbox:
    """Back in beat's scan, due at once."""
    return _set(mailbox, paused=False, next_sync_at=timezone.now())


def mailbox_sync_soon(*, mailbox: Mailbox, by) -> Mailbox:
    """ "Sync now": due at once, so beat's next pass (within a minute) takes it, even while it backs off."""
    if mailbox.paused:
        raise ValidationError(_("The mailbox is paused: resume it to sync it."))
    return _set(mailbox, next_sync_at=timezone.now())


def mailbox_disconnect(*, mailbox: Mailbox, by) -> None:
    """The mailbox goes with its folders and the mail from unknown senders it kept; the contacts it logged stay
    (they are the person's history, not the mailbox's)."""
    with transaction.atomic():
        Mailbox.objects.filter(pk=mailbox.pk).delete()


def mailbox_test(
    *, host: str, port: int, security: str, username: str, password: str = "", mailbox: Mailbox | None = None
) -> Tested:
    """ "Test the connection" on the typed values: whether the server let us in, and which folders would be read
    or what went wrong, in plain words. An empty password tries the saved one of `mailbox`. Raises
    ValidationError for settings that are refused before any connection (as connecting would). Talks to the
    network: never call it inside a transaction."""
    server = _checked_server(host=host, port=port, security=security, username=username)
    if not password and mailbox is not None and mailbox.password_sealed:
        try:
            password = password_open(mailbox.password_sealed)
        except SealBroken as broken:
            return Tested(False, str(broken))
    if not password:
        raise ValidationError({"password": _("Give the password (or the app password) to test the connection.")})
    return _tested(connection_test(_settings(password=_checked_password(password), **server)))
