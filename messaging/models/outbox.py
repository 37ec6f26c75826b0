"""The outbox: every outgoing e-mail is a row first, and a unique key makes a second copy impossible.

scheduled → sending → sent / failed / cancelled. The database holds the schedule; the broker only
carries "send this one now" (see messaging.delivery).
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from campaigns.models import Relationship
from core.labels import ChoiceLabels
from crm.models import Influencer


class Message(ChoiceLabels, models.Model):
    class Kind(models.TextChoices):
        REMINDER = "reminder", _("reminder")
        FOLLOW_UP = "follow_up", _("follow-up")
        THANK_YOU = "thank_you", _("thank-you")
        DIGEST = "digest", _("digest")

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", _("scheduled")
        SENDING = "sending", _("sending")
        SENT = "sent", _("sent")
        FAILED = "failed", _("failed")
        CANCELLED = "cancelled", _("cancelled")

    # Kinds that go to an influencer: sending hours, consent and the unsubscribe link apply to them.
    TO_INFLUENCERS = (Kind.FOLLOW_UP, Kind.THANK_YOU)
    # What can still be cancelled: a message that has not gone, and a failed one (cancelled, nobody retries it).
    CANCELLABLE = (Status.SCHEDULED, Status.FAILED)

    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    recipient = models.EmailField(_("recipient"), max_length=254)
    to_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="messages_received",
        verbose_name=_("team member"),
        db_index=False,  # messaging_user_idx leads with it
    )
    influencer = models.ForeignKey(
        Influencer,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="messages",
        verbose_name=_("influencer"),
        db_index=False,  # messaging_timeline_idx and messaging_reminded_idx lead with it
    )
    relationship = models.ForeignKey(
        Relationship,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="messages",
        verbose_name=_("relationship"),
        db_index=False,  # messaging_rel_idx leads with it
    )
    language = models.CharField(_("language"), max_length=8, default="en")
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("body"), max_length=20000)
    send_at = models.DateTimeField(_("send at"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.SCHEDULED)
    key = models.CharField(_("key"), max_length=200)  # unique: Meta.constraints
    due_on = models.DateField(_("due date reminded"), null=True, blank=True)
    cancel_if_reply = models.BooleanField(
        _("cancel if they reply"), default=False, help_text=_("An inbound contact logged before it goes cancels it.")
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    # The current claim: the dispatcher sets it, the send task consumes it, so a duplicated task does nothing.
    claim = models.CharField(max_length=32, blank=True, editable=False)
    claimed_at = models.DateTimeField(null=True, blank=True, editable=False)
    message_id = models.CharField(_("Message-ID"), max_length=255, editable=False)  # unique: Meta.constraints
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="messages_created",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["-send_at"]
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        indexes = [
            models.Index(fields=["status", "send_at"], name="messaging_due_idx"),
            models.Index(fields=["status", "claimed_at"], name="messaging_claimed_idx"),
            models.Index(fields=["influencer", "-send_at"], name="messaging_timeline_idx"),
            models.Index(fields=["to_user", "status"], name="messaging_user_idx"),
            models.Index(fields=["relationship", "kind"], name="messaging_rel_idx"),
            # The reminder sweep's "already reminded for this due day?" about a person between campaigns.
            models.Index(fields=["influencer", "kind", "due_on"], name="messaging_reminded_idx"),
            # The admin's list, latest send time first (its order, id breaking ties).
            models.Index(fields=["send_at", "id"], name="messaging_send_at_idx"),
            # Today's failed messages, latest first: read from the index down to the tenth, not sorted.
            models.Index(fields=["status", "-updated_at", "-id"], name="messaging_status_updated_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(status="sent") | models.Q(sent_at__isnull=False), name="messaging_sent_has_time"
            ),
            # Constraints rather than unique=True: on PostgreSQL a unique text field also gets a second index for
            # LIKE 'prefix%', which nothing here runs, and every write of a row updates each index it has.
            models.UniqueConstraint(fields=["key"], name="messaging_key_unique"),
            models.UniqueConstraint(fields=["message_id"], name="messaging_message_id_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} → {self.recipient}: {self.subject}"

    @property
    def is_editable(self) -> bool:
        return self.status == self.Status.SCHEDULED

    @property
    def is_cancellable(self) -> bool:
        return self.status in self.CANCELLABLE

    @property
    def to_influencer(self) -> bool:
        return self.kind in self.TO_INFLUENCERS


class MessageTemplate(ChoiceLabels, models.Model):
    """A ready-made follow-up a marketer can pick and adapt."""

    name = models.CharField(_("name"), max_length=100)
    language = models.CharField(_("language"), max_length=8, choices=Influencer.Language.choices, default="fr")
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("body"), max_length=20000)

    class Meta:
        ordering = ["language", "name"]
        verbose_name = _("follow-up template")
        verbose_name_plural = _("follow-up templates")
        constraints = [models.UniqueConstraint(fields=["name", "language"], name="messaging_template_unique")]

    def __str__(self) -> str:
        return f"{self.name} ({self.language})"


class Profile(ChoiceLabels, models.Model):
    """What messages need to know about a team member: where they are and how they sign."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile", verbose_name=_("user")
    )
    timezone = models.CharField(_("time zone"), max_length=64, default="Europe/Paris")
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES, default=settings.LANGUAGE_CODE)
    signature = models.TextField(_("signature"), blank=True, max_length=1000)
    wants_digest = models.BooleanField(_("morning digest"), default=True)

    class Meta:
        verbose_name = _("profile")
        verbose_name_plural = _("profiles")

    def __str__(self) -> str:
        return str(self.user)
