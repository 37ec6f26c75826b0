"""A person's other e-mail addresses, and the addresses mail no longer reaches.

The primary address stays on Influencer.email (it is the one the outbox writes to); the others are what the mailbox
recognises them by. Every address is compared through its key (crm.addresses.email_key), so one person's addresses,
primary or not, are unique across the whole directory.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from core.labels import ChoiceLabels
from crm.models.people import EmailKeyField, Influencer


class InfluencerAddress(ChoiceLabels, models.Model):
    """Another address of a person's: mail from or to it is theirs."""

    influencer = models.ForeignKey(
        Influencer, on_delete=models.CASCADE, related_name="addresses", verbose_name=_("influencer")
    )
    email = models.EmailField(_("e-mail"), max_length=254)
    email_key = EmailKeyField(_("e-mail, as compared"), source="email")
    created_at = models.DateTimeField(_("added"), auto_now_add=True)

    class Meta:
        ordering = ["email_key"]
        verbose_name = _("other e-mail address")
        verbose_name_plural = _("other e-mail addresses")
        constraints = [
            models.UniqueConstraint(
                fields=["email_key"],
                name="crm_address_email_key_unique",
                violation_error_message=_("Someone in the directory already has this e-mail."),
            ),
        ]
        indexes = [models.Index(fields=["influencer", "email_key"], name="crm_address_person_idx")]

    def __str__(self) -> str:
        return self.email


class BouncingAddress(ChoiceLabels, models.Model):
    """An address a mail server refused for good (a 5.x.x delivery report): nothing is sent to it.

    Keyed by the address, not by the person: when the person's address changes, the new one is not bouncing, and
    an address that bounced stays known as such if someone types it again. A person clears it ("it works again").
    """

    email = models.EmailField(_("e-mail"), max_length=254)
    email_key = EmailKeyField(_("e-mail, as compared"), source="email")
    status = models.CharField(_("status"), max_length=12, blank=True, help_text=_("e.g. 5.1.1"))
    diagnostic = models.CharField(_("what the server said"), max_length=500, blank=True)
    since = models.DateTimeField(_("bouncing since"))

    class Meta:
        ordering = ["-since"]
        verbose_name = _("bouncing address")
        verbose_name_plural = _("bouncing addresses")
        constraints = [models.UniqueConstraint(fields=["email_key"], name="crm_bouncing_email_key_unique")]

    def __str__(self) -> str:
        return self.email
