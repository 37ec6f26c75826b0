"""People: topics, audience tiers and the influencer record itself."""

from datetime import date, datetime
from typing import TypeVar

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core import validators
from core.labels import ChoiceLabels
from crm.addresses import email_key


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


Clock = TypeVar("Clock", date, datetime)


def clock_later(current: Clock | None, candidate: Clock) -> Clock:
    """A contact clock's next value after a touch: the later of the two, so a touch logged late never moves a
    clock backwards. The people's clocks (crm.services.contacts) and the relationships' (campaigns.models) use it.
    """
    if current is None:
        return candidate
    return max(current, candidate)


class EmailKeyField(models.TextField):
    """The comparison key (crm.addresses.email_key) of the address in another field, worked out on every save and
    insert (as auto_now works out a date). An update() or bulk_update() of the address must set it too."""

    def __init__(self, *args, source: str = "email", **kwargs):
        self.source = source
        kwargs.setdefault("editable", False)
        kwargs.setdefault("blank", True)
        kwargs.setdefault("default", "")
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs["source"] = self.source
        for option, default in (("editable", False), ("blank", True), ("default", "")):
            if kwargs.get(option, not default) == default:
                kwargs.pop(option, None)
        return name, path, args, kwargs

    def pre_save(self, model_instance, add):
        value = email_key(getattr(model_instance, self.source))
        setattr(model_instance, self.attname, value)
        return value


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
    email = models.EmailField(_("e-mail"), max_length=254, blank=True)  # as typed: shown, and mailed to
    # The address as compared (crm.addresses): unique, and what every lookup by e-mail reads.
    email_key = EmailKeyField(_("e-mail, as compared"), source="email")
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
        validators=validators.CADENCE_DAYS,
        help_text=_("Between campaigns. Empty: no reminder outside campaigns."),
    )
    # Denormalised clocks, kept by crm.services so that "who needs news" is one indexed query.
    last_contact_at = models.DateTimeField(_("last contact"), null=True, blank=True)
    next_contact_due = models.DateField(_("next contact due"), null=True, blank=True)
    # The largest of the channels' latest follower counts (kept by the snapshot service): the tier's source.
    audience = models.PositiveIntegerField(_("audience"), default=0)
    # Set by desk.privacy.erasure.influencer_erase: the record stays, anonymised, so that aggregates stay.
    erased_at = models.DateTimeField(_("erased"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    # Nothing reads the history by owner (only by person, date and author): no index on its copy of the owner.
    # The e-mail's key is not kept in the history: it is the e-mail's, which is.
    history = HistoricalRecords(no_db_index=["owner"], excluded_fields=["email_key"])

    class Meta:
        ordering = ["name"]
        verbose_name = _("influencer")
        verbose_name_plural = _("influencers")
        constraints = [
            models.UniqueConstraint(
                fields=["email_key"],
                condition=~models.Q(email_key=""),
                name="crm_influencer_email_key_unique",
                violation_error_message=_("Someone in the directory already has this e-mail."),
            ),
        ]
        indexes = [
            models.Index(fields=["owner", "next_contact_due"], name="crm_infl_owner_due_idx"),
            models.Index(fields=["next_contact_due"], name="crm_infl_due_idx"),
            models.Index(fields=["audience"], name="crm_infl_audience_idx"),
            models.Index(fields=["region"], name="crm_infl_region_idx"),
            # The directory's pages follow their sort's key (core.keyset): by name, ties broken by id. The admin's
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
