"""Where a person publishes (their channels) and the dated audience figures of each."""

from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from core import validators
from core.labels import ChoiceLabels
from crm.models.people import Influencer


class Channel(ChoiceLabels, models.Model):
    class Platform(models.TextChoices):
        BLOG = "blog", _("blog")
        INSTAGRAM = "instagram", "Instagram"
        YOUTUBE = "youtube", "YouTube"
        TIKTOK = "tiktok", "TikTok"
        X = "x", "X"
        PODCAST = "podcast", _("podcast")
        NEWSLETTER = "newsletter", _("newsletter")
        OTHER = "other", _("other")

    influencer = models.ForeignKey(
        Influencer, on_delete=models.CASCADE, related_name="channels", verbose_name=_("influencer")
    )
    platform = models.CharField(_("platform"), max_length=20, choices=Platform.choices)
    handle = models.CharField(_("handle"), max_length=150)
    url = models.URLField(_("URL"), max_length=500, blank=True)
    # The latest snapshot's figure, kept by the snapshot service.
    followers = models.PositiveIntegerField(_("followers"), null=True, blank=True)
    # When the channel's page was last searched for a feed (crm.feeds.finding), found or not: not every day.
    feed_looked_up_at = models.DateTimeField(_("feed looked up"), null=True, blank=True, editable=False)

    class Meta:
        ordering = ["platform", "handle"]
        verbose_name = _("channel")
        verbose_name_plural = _("channels")
        # Handles are looked up by platform and handle (forms, imports): the unique index serves them, and the
        # search (icontains) has its trigram index (migration 0006).
        constraints = [
            models.UniqueConstraint("platform", Lower("handle"), name="crm_channel_platform_handle_ci_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.get_platform_display()} {self.handle}"


class AudienceSnapshot(ChoiceLabels, models.Model):
    """A dated audience figure for one channel: figures are a series, not one number."""

    channel = models.ForeignKey(Channel, on_delete=models.CASCADE, related_name="snapshots", verbose_name=_("channel"))
    taken_on = models.DateField(_("taken on"))
    followers = models.PositiveIntegerField(_("followers"), validators=validators.AUDIENCE)
    engagement_rate = models.DecimalField(
        _("engagement rate (%)"), max_digits=5, decimal_places=2, null=True, blank=True, validators=validators.PERCENT
    )

    class Meta:
        ordering = ["channel", "-taken_on"]
        get_latest_by = "taken_on"
        verbose_name = _("audience snapshot")
        verbose_name_plural = _("audience snapshots")
        constraints = [
            models.UniqueConstraint(fields=["channel", "taken_on"], name="crm_snapshot_one_per_day"),
            models.CheckConstraint(
                condition=models.Q(engagement_rate__isnull=True)
                | models.Q(engagement_rate__gte=0, engagement_rate__lte=100),
                name="crm_snapshot_engagement_percent",
            ),
        ]
        # The admin's list of figures, newest first (crm.admin.directory), read from the index's end.
        indexes = [models.Index(fields=["taken_on", "id"], name="crm_snapshot_taken_idx")]

    def __str__(self) -> str:
        return f"{self.channel} {self.taken_on}: {self.followers}"
