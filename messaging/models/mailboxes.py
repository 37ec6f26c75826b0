"""The mailboxes the team reads over IMAP (messaging.mailbox): a marketer's own or a shared one.

Each folder's position (UIDVALIDITY and the last UID read) is kept here and moved forward only in the transaction
that logs what it covers (a group of mails), so a worker killed mid-sync repeats at most one group, which the
Message-IDs make harmless, and never skips a mail. What is kept
of a mail is the contact it becomes (crm.Contact, by its Message-ID); the mail itself is not stored.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.labels import ChoiceLabels


class Mailbox(ChoiceLabels, models.Model):
    class Security(models.TextChoices):
        TLS = "tls", _("SSL/TLS")
        STARTTLS = "starttls", _("STARTTLS")
        NONE = "none", _("none (this machine only)")

    # A personal mailbox is its owner's alone: nobody else sees or types its password. A shared one (the team's,
    # a BCC "log" address) is set up by a manager in the admin; its owner sees the mail from unknown senders.
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="mailboxes", verbose_name=_("owner")
    )
    shared = models.BooleanField(_("shared"), default=False)
    name = models.CharField(_("name"), max_length=100, blank=True)
    address = models.EmailField(_("address"), max_length=254, help_text=_("The mailbox's own e-mail address."))
    host = models.CharField(_("IMAP server"), max_length=253)
    port = models.PositiveIntegerField(
        _("port"), default=993, validators=[MinValueValidator(1), MaxValueValidator(65535)]
    )
    security = models.CharField(_("security"), max_length=10, choices=Security.choices, default=Security.TLS)
    username = models.CharField(_("user name"), max_length=254)
    # Encrypted with the keys of settings.MAILBOX_KEYS (messaging.mailbox.secrets); never shown back.
    password_sealed = models.TextField(editable=False, blank=True)
    paused = models.BooleanField(_("paused"), default=False)

    # Health, kept by the sync.
    last_sync_at = models.DateTimeField(_("last successful sync"), null=True, blank=True, editable=False)
    last_attempt_at = models.DateTimeField(_("last attempt"), null=True, blank=True, editable=False)
    last_error = models.CharField(_("last error"), max_length=500, blank=True, editable=False)
    last_error_at = models.DateTimeField(_("last error at"), null=True, blank=True, editable=False)
    failures = models.PositiveIntegerField(_("failures in a row"), default=0, editable=False)
    # The scan's index: the next sync is due then (a minute after the last; later while it keeps failing).
    next_sync_at = models.DateTimeField(_("next sync"), null=True, blank=True, editable=False)
    logged_count = models.PositiveIntegerField(_("contacts logged"), default=0, editable=False)
    unreadable_count = models.PositiveIntegerField(_("unreadable mails"), default=0, editable=False)
    last_unreadable = models.CharField(_("last unreadable mail"), max_length=500, blank=True, editable=False)
    # The sync in progress (a lease): a second worker's sync of the same mailbox returns at once.
    claim = models.CharField(max_length=32, blank=True, editable=False)
    claimed_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("connected"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["shared", "name", "address"]
        verbose_name = _("mailbox")
        verbose_name_plural = _("mailboxes")
        constraints = [
            models.UniqueConstraint(
                fields=["owner"], condition=models.Q(shared=False), name="messaging_one_own_mailbox"
            ),
        ]
        indexes = [models.Index(fields=["paused", "next_sync_at"], name="messaging_mailbox_due_idx")]

    def __str__(self) -> str:
        return self.name or self.address


class MailboxFolder(ChoiceLabels, models.Model):
    class Role(models.TextChoices):
        INBOX = "inbox", _("inbox")
        SENT = "sent", _("sent")

    mailbox = models.ForeignKey(Mailbox, on_delete=models.CASCADE, related_name="folders", verbose_name=_("mailbox"))
    name = models.CharField(_("name"), max_length=255)  # the server's name for it
    role = models.CharField(_("role"), max_length=8, choices=Role.choices)
    # The folder's UIDVALIDITY when last_uid was read: another one means the server renumbered the folder.
    uidvalidity = models.BigIntegerField(default=0)
    last_uid = models.BigIntegerField(_("last mail read"), default=0)

    class Meta:
        ordering = ["mailbox", "role"]
        verbose_name = _("folder")
        verbose_name_plural = _("folders")
        constraints = [models.UniqueConstraint(fields=["mailbox", "name"], name="messaging_folder_unique")]

    def __str__(self) -> str:
        return self.name


class UnknownSender(ChoiceLabels, models.Model):
    """A mail in a shared mailbox from an address nobody in the directory has, kept 30 days for its owner to
    add the sender (as a person, or as another address of someone's) and so log it; then the row goes."""

    mailbox = models.ForeignKey(
        Mailbox, on_delete=models.CASCADE, related_name="unknown_senders", verbose_name=_("mailbox")
    )
    email = models.EmailField(_("e-mail"), max_length=320)
    email_key = models.TextField(_("e-mail, as compared"))  # crm.addresses.email_key(email)
    name = models.CharField(_("name"), max_length=200, blank=True)
    subject = models.CharField(_("subject"), max_length=500, blank=True)
    received_at = models.DateTimeField(_("date"))
    # What logging it later needs: the mail's own words and where it sits in a thread.
    summary = models.TextField(_("summary"), max_length=1200, blank=True)
    message_id = models.CharField(_("Message-ID"), max_length=255)
    thread_ids = models.TextField(blank=True)  # In-Reply-To, then References, space-separated
    created_at = models.DateTimeField(_("seen"), auto_now_add=True)

    class Meta:
        ordering = ["-received_at"]
        verbose_name = _("mail from an unknown sender")
        verbose_name_plural = _("mail from unknown senders")
        constraints = [
            models.UniqueConstraint(fields=["mailbox", "message_id"], name="messaging_unknown_once"),
        ]
        indexes = [
            models.Index(fields=["email_key"], name="messaging_unknown_key_idx"),
            models.Index(fields=["created_at"], name="messaging_unknown_age_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.email}: {self.subject}"
