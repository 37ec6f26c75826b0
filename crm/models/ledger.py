"""The give-and-get ledger: what a person was given and what they gave back."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from core import validators
from core.labels import ChoiceLabels
from crm.models.people import Influencer


class Exchange(ChoiceLabels, models.Model):
    """The give-and-get ledger: what the team gave and what it got back."""

    class Direction(models.TextChoices):
        GIVE = "give", _("given")
        GET = "get", _("received")

    class Kind(models.TextChoices):
        PRODUCT = "product", _("product")
        INVITATION = "invitation", _("invitation")
        EXCLUSIVE = "exclusive", _("exclusive")
        FEE = "fee", _("fee")
        POST = "post", _("post")
        MENTION = "mention", _("mention")
        STORY = "story", _("story")
        VIDEO = "video", _("video")
        OTHER = "other", _("other")

    influencer = models.ForeignKey(
        Influencer, on_delete=models.CASCADE, related_name="exchanges", verbose_name=_("influencer")
    )
    relationship = models.ForeignKey(
        "campaigns.Relationship",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="exchanges",
        verbose_name=_("relationship"),
    )
    direction = models.CharField(_("direction"), max_length=4, choices=Direction.choices)
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    occurred_on = models.DateField(_("date"))
    value = models.DecimalField(
        _("value (€)"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=validators.MONEY,
        help_text=_("Money value, if any."),
    )
    reach = models.PositiveIntegerField(
        _("reach"), null=True, blank=True, validators=validators.AUDIENCE, help_text=_("People reached, for content.")
    )
    url = models.URLField(_("URL"), max_length=500, blank=True)
    note = models.TextField(_("note"), blank=True, max_length=2000)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="recorded_exchanges",
        verbose_name=_("recorded by"),
    )
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        ordering = ["-occurred_on", "-id"]
        verbose_name = _("exchange")
        verbose_name_plural = _("exchanges")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(value__isnull=True) | models.Q(value__gte=0), name="crm_exchange_value_positive"
            ),
        ]
        indexes = [
            models.Index(fields=["influencer", "-occurred_on"], name="crm_exchange_timeline_idx"),
            models.Index(fields=["relationship", "direction"], name="crm_exchange_rel_dir_idx"),
            # The admin's ledger, newest first (ordering above), read from its end: no sort of every exchange.
            models.Index(fields=["occurred_on", "id"], name="crm_exchange_on_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_direction_display()} {self.get_kind_display()} — {self.influencer}"
