"""People: influencers, their channels and audience, topics, the contact log and the give-and-get ledger.

State changes go through `crm.services`; nothing here has side effects in save().
"""

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from crm.labels import ChoiceLabels


class Topic(models.Model):
    """A subject shared by influencers and campaigns (lifestyle, sport, sustainability…)."""

    name = models.CharField(_("name"), max_length=80)

    class Meta:
        ordering = ["name"]
        verbose_name = _("topic")
        verbose_name_plural = _("topics")
        constraints = [models.UniqueConstraint(Lower("name"), name="crm_topic_name_ci_unique")]

    def __str__(self) -> str:
        return self.name


class Tier(models.TextChoices):
    """Derived from the largest latest audience figure, never typed in."""

    NANO = "nano", _("nano (< 10k)")
    MICRO = "micro", _("micro (10k–100k)")
    MID = "mid", _("mid (100k–500k)")
    MACRO = "macro", _("macro (500k–1M)")
    MEGA = "mega", _("mega (≥ 1M)")


# Lower bound of each tier, in followers. nano < 10k ≤ micro < 100k ≤ mid < 500k ≤ macro < 1M ≤ mega.
TIER_FLOORS = [
    (Tier.MEGA, 1_000_000),
    (Tier.MACRO, 500_000),
    (Tier.MID, 100_000),
    (Tier.MICRO, 10_000),
    (Tier.NANO, 0),
]


def tier_for(audience: int | None) -> str:
    for tier, floor in TIER_FLOORS:
        if (audience or 0) >= floor:
            return tier
    return Tier.NANO


def tier_bounds(tier: str) -> tuple[int, int | None]:
    """[low, high) follower range of a tier, for filtering in SQL."""
    floors = dict(TIER_FLOORS)
    ordered = sorted(floors.values())
    low = floors[tier]
    higher = [f for f in ordered if f > low]
    return low, (higher[0] if higher else None)


class Influencer(ChoiceLabels, models.Model):
    class Kind(models.TextChoices):
        BLOGGER = "blogger", _("blogger")
        AMBASSADOR = "ambassador", _("brand ambassador")
        MICRO_INFLUENCER = "micro_influencer", _("micro-influencer")
        JOURNALIST = "journalist", _("journalist")
        PODCASTER = "podcaster", _("podcaster")
        OTHER = "other", _("other")

    class Consent(models.TextChoices):
        UNKNOWN = "unknown", _("unknown")
        OPTED_IN = "opted_in", _("opted in")
        OPTED_OUT = "opted_out", _("opted out")

    class Language(models.TextChoices):
        FR = "fr", _("French")
        EN = "en", _("English")
        ES = "es", _("Spanish")
        DE = "de", _("German")
        IT = "it", _("Italian")
        OTHER = "other", _("other")

    name = models.CharField(_("name"), max_length=150)
    email = models.EmailField(_("e-mail"), max_length=254, blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.BLOGGER)
    language = models.CharField(_("language"), max_length=8, choices=Language.choices, default=Language.FR)
    timezone = models.CharField(_("time zone"), max_length=64, default="Europe/Paris")
    city = models.CharField(_("city"), max_length=100, blank=True)
    region = models.CharField(_("region"), max_length=100, blank=True)
    country = models.CharField(_("country"), max_length=2, blank=True, default="FR", help_text=_("ISO code, e.g. FR"))
    topics = models.ManyToManyField(Topic, related_name="influencers", blank=True, verbose_name=_("topics"))
    consent = models.CharField(_("consent"), max_length=10, choices=Consent.choices, default=Consent.UNKNOWN)
    consent_at = models.DateTimeField(_("consent date"), null=True, blank=True)
    consent_source = models.CharField(_("consent source"), max_length=200, blank=True)
    # No index of its own: crm_infl_owner_due_idx (owner, next_contact_due) serves every lookup by owner, and each
    # index is one more to keep up on every write (an import of 100,000 people).
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="influencers",
        verbose_name=_("owner"),
        db_index=False,
    )
    notes = models.TextField(_("notes"), blank=True)
    cadence_days = models.PositiveSmallIntegerField(
        _("stay in touch every (days)"),
        null=True,
        blank=True,
        help_text=_("Between campaigns. Empty: no reminder outside campaigns."),
    )
    # Denormalised clocks, kept by crm.services so that "who needs news" is one indexed query.
    last_contact_at = models.DateTimeField(_("last contact"), null=True, blank=True)
    next_contact_due = models.DateField(_("next contact due"), null=True, blank=True)
    # The largest of the channels' latest follower counts (kept by the snapshot service): the tier's source.
    audience = models.PositiveIntegerField(_("audience"), default=0)
    # Set by crm.services.privacy.influencer_erase: the record stays, anonymised, so that aggregates stay.
    erased_at = models.DateTimeField(_("erased"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    # Nothing reads the history by owner (only by person, date and author): no index on its copy of the owner.
    history = HistoricalRecords(no_db_index=["owner"])

    class Meta:
        ordering = ["name"]
        verbose_name = _("influencer")
        verbose_name_plural = _("influencers")
        constraints = [
            models.UniqueConstraint(
                Lower("email"), condition=~models.Q(email=""), name="crm_influencer_email_ci_unique"
            ),
        ]
        indexes = [
            models.Index(fields=["owner", "next_contact_due"], name="crm_infl_owner_due_idx"),
            models.Index(fields=["next_contact_due"], name="crm_infl_due_idx"),
            models.Index(fields=["audience"], name="crm_infl_audience_idx"),
            models.Index(fields=["region"], name="crm_infl_region_idx"),
            # The directory's pages follow their sort's key (crm.keyset): by name, ties broken by id. The admin's
            # list is by name too. (By last contact, NULLs last: crm_infl_last_key_idx, on PostgreSQL only, made by
            # migration 0005: SQLite cannot index NULLS LAST.)
            models.Index(Lower("name"), "id", name="crm_infl_name_key_idx"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def tier(self) -> str:
        return tier_for(self.audience)

    def get_tier_display(self) -> str:
        return Tier(self.tier).label

    @property
    def is_opted_out(self) -> bool:
        return self.consent == self.Consent.OPTED_OUT

    @property
    def is_erased(self) -> bool:
        return self.erased_at is not None


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
    followers = models.PositiveIntegerField(_("followers"))
    engagement_rate = models.DecimalField(
        _("engagement rate (%)"), max_digits=5, decimal_places=2, null=True, blank=True
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
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.get_direction_display()} — {self.influencer}"


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
        _("value (€)"), max_digits=12, decimal_places=2, null=True, blank=True, help_text=_("Money value, if any.")
    )
    reach = models.PositiveIntegerField(_("reach"), null=True, blank=True, help_text=_("People reached, for content."))
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


class ImportJob(ChoiceLabels, models.Model):
    """One uploaded directory file, imported in the background (crm.services.imports), all or nothing.

    The file itself is kept in the row: the web process and the worker share the database, not a disk.
    """

    class Format(models.TextChoices):
        CSV = "csv", "CSV"
        XLSX = "xlsx", "Excel (XLSX)"

    class Status(models.TextChoices):
        QUEUED = "queued", _("queued")
        RUNNING = "running", _("running")
        DONE = "done", _("done")
        FAILED = "failed", _("failed")

    file_name = models.CharField(_("file"), max_length=255)
    content = models.BinaryField(_("content"), editable=False)
    format = models.CharField(_("format"), max_length=4, choices=Format.choices)
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.QUEUED)
    # Rows of the file, blank lines included (row numbers are line numbers after the header), and how many the
    # worker has checked so far: the progress bar.
    total = models.PositiveIntegerField(_("rows"), default=0)
    processed = models.PositiveIntegerField(_("rows checked"), default=0)
    created = models.PositiveIntegerField(_("people added"), default=0)
    updated = models.PositiveIntegerField(_("people updated"), default=0)
    invalid = models.PositiveIntegerField(_("rows with errors"), default=0)
    # [{"row": 3, "errors": {"email": ["Enter a valid email address."]}}, …]: the first rows in error, readable.
    errors = models.JSONField(_("errors"), default=list, blank=True)
    # Why the whole file failed when no row is to blame (unreadable file, no "name" column, a clash while writing).
    failure = models.TextField(_("failure"), blank=True)
    # Messages (errors included) are written in the language of whoever uploaded the file.
    language = models.CharField(_("language"), max_length=8, default="en")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="import_jobs",
        verbose_name=_("uploaded by"),
    )
    created_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    # When the sweep last handed the job to the broker: a message lost with the broker is sent again later.
    enqueued_at = models.DateTimeField(_("enqueued at"), null=True, blank=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("import")
        verbose_name_plural = _("imports")
        indexes = [models.Index(fields=["status", "enqueued_at"], name="crm_importjob_status_idx")]

    def __str__(self) -> str:
        return self.file_name

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)

    @property
    def percent(self) -> int:
        if self.status == self.Status.DONE:
            return 100
        return min(100, self.processed * 100 // self.total) if self.total else 0
