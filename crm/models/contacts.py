"""The contact log: every exchange with a person, on one of their campaigns or none."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.labels import ChoiceLabels
from crm.models.people import Influencer


class Contact(ChoiceLabels, models.Model):
    """One logged touch with a person: the contact log."""

    class Kind(models.TextChoices):
        EMAIL = "email", _("e-mail")
        CALL = "call", _("call")
        MEETING = "meeting", _("meeting")
        DM = "dm", _("direct message")
        EVENT = "event", _("event")
        OTHER = "other", _("other")

    class Direction(models.TextChoices):
        OUTBOUND = "outbound", _("outbound")
        INBOUND = "inbound", _("inbound")

    influencer = models.ForeignKey(
        Influencer, on_delete=models.CASCADE, related_name="contacts", verbose_name=_("influencer")
    )
    relationship = models.ForeignKey(
        "campaigns.Relationship",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="contacts",
        verbose_name=_("relationship"),
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.EMAIL)
    direction = models.CharField(_("direction"), max_length=10, choices=Direction.choices, default=Direction.OUTBOUND)
    occurred_at = models.DateTimeField(_("when"))
    summary = models.TextField(_("summary"), max_length=5000)
    logged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="logged_contacts",
        verbose_name=_("logged by"),
    )
    created_at = models.DateTimeField(_("logged at"), auto_now_add=True)
    # On an outbound contact: when the person's first inbound contact after it happened (the reply), kept by
    # crm.services.contacts as contacts are logged, moved or deleted; the responsiveness report reads it.
    replied_at = models.DateTimeField(_("answered at"), null=True, blank=True, editable=False)
    # A contact the mailbox logged: the mail's Message-ID (messaging.mailbox.headers.normalise_message_id), so
    # that one mail is one contact per person however many times or mailboxes it is read from; "" otherwise.
    message_id = models.CharField(_("Message-ID"), max_length=255, blank=True, editable=False)
    # An out-of-office or other auto-reply: in the log, but not a reply (no clock reset, no follow-up cancelled,
    # no answer in the responsiveness report).
    automatic = models.BooleanField(_("automatic reply"), default=False, editable=False)

    class Meta:
        ordering = ["-occurred_at"]
        get_latest_by = "occurred_at"
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        indexes = [
            models.Index(fields=["influencer", "-occurred_at"], name="crm_contact_timeline_idx"),
            models.Index(fields=["relationship", "-occurred_at"], name="crm_contact_rel_idx"),
            models.Index(fields=["logged_by", "-occurred_at"], name="crm_contact_by_idx"),
            # The admin's list, latest first (its order, id breaking ties).
            models.Index(fields=["occurred_at", "id"], name="crm_contact_at_idx"),
            # A mail's thread: the contacts its In-Reply-To and References name.
            models.Index(fields=["message_id"], condition=~models.Q(message_id=""), name="crm_contact_mail_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["influencer", "message_id"],
                condition=~models.Q(message_id=""),
                name="crm_contact_mail_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.get_direction_display()} — {self.influencer}"
