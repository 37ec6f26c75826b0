"""Work: brands, campaigns and their briefs, relationships and their lifecycle.

Transitions live in `campaigns.services`; nothing here changes state by itself. The arithmetic of the relationships'
contact clocks is here (RelationshipQuerySet.touched), so that crm's touch service, below campaigns' services, can
call it.
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core import validators
from core.labels import ChoiceLabels, related_label
from core.rules import team_rules
from crm.models import Influencer, Topic, clock_later


class Brand(models.Model):
    name = models.CharField(_("name"), max_length=120)

    class Meta:
        ordering = ["name"]
        verbose_name = _("brand")
        verbose_name_plural = _("brands")
        constraints = [models.UniqueConstraint(Lower("name"), name="campaigns_brand_name_ci_unique")]

    def __str__(self) -> str:
        return self.name


class Campaign(ChoiceLabels, models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        RUNNING = "running", _("running")
        FINISHED = "finished", _("finished")

    brand = models.ForeignKey(Brand, on_delete=models.PROTECT, related_name="campaigns", verbose_name=_("brand"))
    name = models.CharField(_("name"), max_length=150)
    topics = models.ManyToManyField(Topic, related_name="campaigns", blank=True, verbose_name=_("topics"))
    # The brief: outreach waits until it is complete (B4), and the pitch carries it (B2).
    objective = models.TextField(_("objective"), blank=True, max_length=2000)
    ask = models.TextField(_("what is asked"), blank=True, max_length=2000)
    deliverables = models.TextField(_("deliverables"), blank=True, max_length=2000)
    offer = models.TextField(_("what is offered"), blank=True, max_length=2000, help_text=_("Compensation"))
    sponsored = models.BooleanField(
        _("sponsored"), default=False, help_text=_("Paid content needs compensation and an ad disclosure.")
    )
    disclosure = models.CharField(
        _("ad disclosure"), max_length=200, blank=True, help_text=_("e.g. “#ad · Paid partnership with …”")
    )
    starts_on = models.DateField(_("starts on"), null=True, blank=True)
    ends_on = models.DateField(_("ends on"), null=True, blank=True)
    # What identifies the campaign's content in a post read from a feed (campaigns.services.content).
    content_terms = models.TextField(
        _("names and hashtags"),
        blank=True,
        max_length=2000,
        help_text=_(
            "What a post about this campaign mentions, one per line: product names, hashtags (#…). "
            "The brand's name is always looked for."
        ),
    )
    content_links = models.TextField(
        _("links and domains"),
        blank=True,
        max_length=2000,
        validators=[validators.links_or_domains],
        help_text=_(
            "One per line: a link (https://…), recorded as received content when a post gives it, or a domain "
            "(brand.example), proposed."
        ),
    )
    promo_code = models.CharField(
        _("promo code"), max_length=40, blank=True, help_text=_("A post that gives it is recorded as received content.")
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="campaigns",
        verbose_name=_("owner"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    history = HistoricalRecords(m2m_fields=[topics])

    class Meta:
        ordering = ["-starts_on", "name"]
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")
        constraints = [
            models.UniqueConstraint("brand", Lower("name"), name="campaigns_campaign_brand_name_ci_unique"),
            models.CheckConstraint(
                condition=models.Q(starts_on__isnull=True)
                | models.Q(ends_on__isnull=True)
                | models.Q(ends_on__gte=models.F("starts_on")),
                name="campaigns_campaign_dates_in_order",
            ),
        ]
        indexes = [models.Index(fields=["status", "ends_on"], name="campaigns_camp_status_idx")]

    def __str__(self) -> str:
        return f"{related_label(self, 'brand')} · {self.name}"

    def brief_missing(self) -> list[str]:
        """Labels of the brief fields still empty; an empty list means the brief is complete (B4, M2)."""
        required = ["objective", "ask", "deliverables", "offer", "starts_on", "ends_on"]
        if self.sponsored:
            required.append("disclosure")
        missing = []
        for name in required:
            value = getattr(self, name)
            if value is None or (isinstance(value, str) and not value.strip()):
                missing.append(str(self._meta.get_field(name).verbose_name))
        return missing

    @property
    def brief_complete(self) -> bool:
        return not self.brief_missing()

    @property
    def is_open(self) -> bool:
        return self.status != self.Status.FINISHED


class Stage(models.TextChoices):
    SHORTLISTED = "shortlisted", _("shortlisted")
    PITCHED = "pitched", _("pitched")
    ACTIVE = "active", _("active")
    DELIVERED = "delivered", _("delivered")
    CLOSED = "closed", _("closed")


OPEN_STAGES = [Stage.SHORTLISTED, Stage.PITCHED, Stage.ACTIVE, Stage.DELIVERED]
# Open stages that carry a contact clock. A shortlisted relationship has none: the person does not know yet.
STAGES_WITH_A_CLOCK = [Stage.PITCHED, Stage.ACTIVE, Stage.DELIVERED]


class Phase(models.TextChoices):
    BEGIN = "begin", _("begin")
    MAINTAIN = "maintain", _("maintain")
    END = "end", _("end")


PHASE_STAGES = {
    Phase.BEGIN: [Stage.SHORTLISTED, Stage.PITCHED],
    Phase.MAINTAIN: [Stage.ACTIVE, Stage.DELIVERED],
    Phase.END: [Stage.CLOSED],
}


class Outcome(models.TextChoices):
    COMPLETED = "completed", _("completed")
    DECLINED = "declined", _("declined")
    NO_REPLY = "no_reply", _("no reply")
    DROPPED = "dropped", _("dropped")


class ThankYou(models.TextChoices):
    QUEUED = "queued", _("queued")
    SKIPPED = "skipped", _("skipped")


class RelationshipQuerySet(models.QuerySet):
    def with_a_clock(self) -> "RelationshipQuerySet":
        return self.filter(stage__in=STAGES_WITH_A_CLOCK)

    def touched(self, *, at: datetime, held: "Relationship | None" = None) -> list["Relationship"]:
        """Restart the contact clock of each of these relationships after a touch at `at`; the rows, saved.

        Pitched: a follow-up PITCH_FOLLOW_UP_DAYS after the day of the touch; active and delivered: their cadence.
        A clock never moves backwards. The rows are locked by id, after their person (crm.services.locks).
        `held`, the caller's copy of one of them (the relationship a pitch holds), is given its new clock too, so
        that the caller need not read it again.

        One UPDATE per new clock (not a save per row), and no history row: a clock moved by a touch is not an edit
        of the relationship (the contact is the record of it), and a mailbox logs a touch for every mail.
        """
        day = timezone.localdate(at)
        now = timezone.now()
        rows = list(self.select_for_update().order_by("pk"))
        for relationship in rows:
            days = (
                team_rules().pitch_follow_up_days if relationship.stage == Stage.PITCHED else relationship.cadence_days
            )
            relationship.next_contact_due = clock_later(relationship.next_contact_due, day + timedelta(days=days))
            relationship.last_contact_at = clock_later(relationship.last_contact_at, at)
            relationship.updated_at = now
            if held is not None and held.pk == relationship.pk:
                for field in ("next_contact_due", "last_contact_at", "updated_at"):
                    setattr(held, field, getattr(relationship, field))
        # Rows whose clocks move to the same values share an UPDATE (usually all of them: one touch, one day).
        same: dict[tuple, list[int]] = {}
        for relationship in rows:
            same.setdefault((relationship.next_contact_due, relationship.last_contact_at), []).append(relationship.pk)
        for (due, last), ids in same.items():
            Relationship.objects.filter(pk__in=ids).update(next_contact_due=due, last_contact_at=last, updated_at=now)
        return rows


class Relationship(ChoiceLabels, models.Model):
    """One influencer on one campaign, moved through its lifecycle by campaigns.services."""

    influencer = models.ForeignKey(
        Influencer, on_delete=models.CASCADE, related_name="relationships", verbose_name=_("influencer")
    )
    campaign = models.ForeignKey(
        Campaign, on_delete=models.CASCADE, related_name="relationships", verbose_name=_("campaign")
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="relationships",
        verbose_name=_("owner"),
    )
    stage = models.CharField(_("stage"), max_length=12, choices=Stage.choices, default=Stage.SHORTLISTED)
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome.choices, blank=True)
    cadence_days = models.PositiveSmallIntegerField(
        _("contact every (days)"), default=14, validators=validators.CADENCE_DAYS
    )
    last_contact_at = models.DateTimeField(_("last contact"), null=True, blank=True)
    next_contact_due = models.DateField(_("next contact due"), null=True, blank=True)
    # Guardrail overrides (B1) and acknowledgements (M3), kept with the pitch they allowed.
    off_topic_reason = models.TextField(_("off-topic override reason"), blank=True, max_length=1000)
    flag_reason = models.TextField(_("consistency / frequency flag"), blank=True, max_length=1000)
    flag_acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("flag acknowledged by"),
    )
    # Ending (E1): a thank-you is queued, or skipped with a reason.
    thank_you = models.CharField(_("thank-you"), max_length=10, choices=ThankYou.choices, blank=True)
    thank_you_skip_reason = models.TextField(_("thank-you skip reason"), blank=True, max_length=1000)
    # When each stage was reached.
    shortlisted_at = models.DateTimeField(_("shortlisted at"), null=True, blank=True)
    pitched_at = models.DateTimeField(_("pitched at"), null=True, blank=True)
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    history = HistoricalRecords()

    objects = RelationshipQuerySet.as_manager()

    class Meta:
        ordering = ["-updated_at"]
        verbose_name = _("relationship")
        verbose_name_plural = _("relationships")
        constraints = [
            models.UniqueConstraint(fields=["influencer", "campaign"], name="campaigns_rel_one_per_campaign"),
            models.CheckConstraint(
                condition=(models.Q(stage=Stage.CLOSED) & ~models.Q(outcome=""))
                | (~models.Q(stage=Stage.CLOSED) & models.Q(outcome="")),
                name="campaigns_rel_outcome_iff_closed",
            ),
            models.CheckConstraint(
                condition=~models.Q(thank_you=ThankYou.SKIPPED) | ~models.Q(thank_you_skip_reason=""),
                name="campaigns_rel_skip_has_reason",
            ),
        ]
        indexes = [
            models.Index(fields=["owner", "stage", "next_contact_due"], name="campaigns_rel_owner_due_idx"),
            models.Index(fields=["stage", "next_contact_due"], name="campaigns_rel_due_idx"),
            models.Index(fields=["campaign", "stage"], name="campaigns_rel_pipeline_idx"),
            models.Index(fields=["influencer", "pitched_at"], name="campaigns_rel_pitched_idx"),
            # A person's clocked relationships and their soonest clock: "between campaigns?" (who needs news) and
            # the directory's next due date, read from the index without visiting the rows.
            models.Index(fields=["influencer", "stage", "next_contact_due"], name="campaigns_rel_person_due_idx"),
            # The admin's list, newest change first (its order, id breaking ties): read from the index, not sorted.
            models.Index(fields=["updated_at", "id"], name="campaigns_rel_updated_idx"),
            # The endings report: relationships closed in a range.
            models.Index(fields=["closed_at"], condition=models.Q(stage=Stage.CLOSED), name="campaigns_rel_closed_idx"),
        ]

    def __str__(self) -> str:
        return f"{related_label(self, 'influencer')} × {related_label(self, 'campaign')}"

    @property
    def phase(self) -> str:
        for phase, stages in PHASE_STAGES.items():
            if self.stage in stages:
                return phase
        raise ValueError(self.stage)

    @property
    def is_open(self) -> bool:
        return self.stage != Stage.CLOSED


class StageChange(ChoiceLabels, models.Model):
    """Who moved a relationship, from where to where, and when: the timeline and the reports read this."""

    relationship = models.ForeignKey(
        Relationship, on_delete=models.CASCADE, related_name="stage_changes", verbose_name=_("relationship")
    )
    from_stage = models.CharField(_("from"), max_length=12, choices=Stage.choices, blank=True)
    to_stage = models.CharField(_("to"), max_length=12, choices=Stage.choices)
    changed_at = models.DateTimeField(_("when"))
    # When the stay this change began ended: the next change's time, set by the lifecycle when it records that
    # change (campaigns.services.stays); empty while the relationship is still in this stage. The pipeline report
    # reads it.
    left_at = models.DateTimeField(_("left at"), null=True, blank=True, editable=False)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, verbose_name=_("by")
    )
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["-changed_at"]
        verbose_name = _("stage change")
        verbose_name_plural = _("stage changes")
        indexes = [
            models.Index(fields=["relationship", "changed_at"], name="campaigns_stagechange_rel_idx"),
            # The admin's list, newest first (its order, id breaking ties).
            models.Index(fields=["changed_at", "id"], name="campaigns_stagechange_at_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.relationship}: {self.from_stage or '∅'} → {self.to_stage}"


class GuardrailEvent(ChoiceLabels, models.Model):
    """A guardrail that stopped, or was overridden on, a move: the guardrails report reads this."""

    class Rule(models.TextChoices):
        BRIEF_INCOMPLETE = "brief_incomplete", _("incomplete brief")
        OFF_TOPIC = "off_topic", _("off-topic pitch")
        OPTED_OUT = "opted_out", _("opted-out person")
        CONSISTENCY = "consistency", _("unrelated topics in a short window")
        FREQUENCY = "frequency", _("pitched too often")
        DISCLOSURE = "disclosure", _("sponsored post without its disclosure")

    class Result(models.TextChoices):
        BLOCKED = "blocked", _("blocked")
        OVERRIDDEN = "overridden", _("overridden with a reason")
        ACKNOWLEDGED = "acknowledged", _("acknowledged")
        FLAGGED = "flagged", _("flagged")

    relationship = models.ForeignKey(
        Relationship, on_delete=models.CASCADE, related_name="guardrail_events", verbose_name=_("relationship")
    )
    rule = models.CharField(_("rule"), max_length=20, choices=Rule.choices)
    result = models.CharField(_("result"), max_length=12, choices=Result.choices)
    detail = models.TextField(_("detail"), blank=True)
    occurred_at = models.DateTimeField(_("when"))
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, verbose_name=_("by")
    )

    class Meta:
        ordering = ["-occurred_at"]
        verbose_name = _("guardrail event")
        verbose_name_plural = _("guardrail events")
        indexes = [
            models.Index(fields=["rule", "occurred_at"], name="campaigns_guardrail_rule_idx"),
            # The admin's list, newest first (ordering above), read from the index's end.
            models.Index(fields=["occurred_at", "id"], name="campaigns_guardrail_at_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_rule_display()}: {self.get_result_display()}"


class DisclosureMarker(models.Model):
    """A word or tag that says a post is sponsored ("Publicité", "#ad"…), looked for in every matched post of a
    sponsored campaign besides the campaign's own disclosure. Managers keep the list."""

    text = models.CharField(_("marker"), max_length=100)
    created_at = models.DateTimeField(_("added"), auto_now_add=True)

    class Meta:
        ordering = ["text"]
        verbose_name = _("disclosure marker")
        verbose_name_plural = _("disclosure markers")
        constraints = [models.UniqueConstraint(Lower("text"), name="campaigns_disclosure_marker_ci_unique")]

    def __str__(self) -> str:
        return self.text


class ContentMatch(ChoiceLabels, models.Model):
    """A post read from a feed that mentions a campaign its author has an open relationship on: proposed as the
    content received, recorded (confirmed by the owner, or at once on an exact link or the promo code; a "get"
    exchange then says it), or dismissed. For a sponsored campaign, whether the post carries a disclosure."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("proposed")
        RECORDED = "recorded", _("recorded")
        DISMISSED = "dismissed", _("dismissed")

    class Disclosure(models.TextChoices):
        NOT_NEEDED = "", _("not needed")
        PRESENT = "present", _("present")
        MISSING = "missing", _("missing")

    relationship = models.ForeignKey(
        Relationship, on_delete=models.CASCADE, related_name="content_matches", verbose_name=_("relationship")
    )
    post = models.ForeignKey("crm.Post", on_delete=models.CASCADE, related_name="matches", verbose_name=_("post"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PROPOSED)
    matched = models.CharField(_("what matched"), max_length=300)
    exact = models.BooleanField(_("exact match"), default=False)
    disclosure = models.CharField(_("disclosure"), max_length=8, choices=Disclosure.choices, blank=True)
    exchange = models.ForeignKey(
        "crm.Exchange", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("exchange")
    )
    found_at = models.DateTimeField(_("found"), auto_now_add=True)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )

    class Meta:
        ordering = ["-found_at", "-id"]
        verbose_name = _("content match")
        verbose_name_plural = _("content matches")
        constraints = [
            models.UniqueConstraint(fields=["relationship", "post"], name="campaigns_match_one_per_post"),
        ]
        indexes = [
            models.Index(fields=["relationship", "status"], name="campaigns_match_rel_idx"),
            # The board's and the report's flag: few rows are missing their disclosure.
            models.Index(
                fields=["relationship"],
                condition=models.Q(disclosure="missing") & ~models.Q(status="dismissed"),
                name="campaigns_match_missing_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.relationship}: {self.post}"
