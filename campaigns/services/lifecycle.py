"""The lifecycle of a relationship: shortlist → pitch → accept → deliver → close.

Every transition acts on one relationship (B3: no bulk pitch), runs in one transaction, locks the person then
the relationship, re-reads the stage under the lock (so of two people clicking at once, one wins and the other
is told what happened), stamps the stage's time, and records a StageChange with who did it.
"""

from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from campaigns.models import (
    OPEN_STAGES,
    Campaign,
    GuardrailEvent,
    Outcome,
    Relationship,
    Stage,
    StageChange,
    ThankYou,
)
from campaigns.services.pitching import PitchChecks, pitch_checks, pitch_text
from campaigns.services.stays import stage_stay_end
from core.rules import team_rules
from crm.models import Contact, Exchange, Influencer
from crm.services import contact_log
from crm.services.locks import relationship_lock
from messaging.services import thank_you_queue, thank_you_refusal

__all__ = [
    "PitchChecks",
    "pitch_checks",
    "pitch_text",
    "relationship_accept",
    "relationship_close",
    "relationship_deliver",
    "relationship_pitch",
    "relationship_shortlist",
]

Rule = GuardrailEvent.Rule
Result = GuardrailEvent.Result


# --- Locking and recording ------------------------------------------------------------------------------------


def _require_stage(relationship: Relationship, allowed: list[str], doing: str) -> None:
    if relationship.stage in allowed:
        return
    if relationship.stage == Stage.CLOSED:
        raise ValidationError(
            _(
                "%(relationship)s is already closed (%(outcome)s): it cannot be %(doing)s. "
                "To work with them again, shortlist them on another campaign."
            )
            % {"relationship": relationship, "outcome": relationship.get_outcome_display(), "doing": doing},
            code="closed",
        )
    hints = {
        Stage.SHORTLISTED: _("pitch them first"),
        Stage.PITCHED: _("record their answer first: accept, or close with an outcome"),
        Stage.ACTIVE: _("record the content they delivered first"),
        Stage.DELIVERED: _("it can only be closed now"),
    }
    raise ValidationError(
        _("%(relationship)s is %(stage)s, so it cannot be %(doing)s: %(hint)s.")
        % {
            "relationship": relationship,
            "stage": relationship.get_stage_display(),
            "doing": doing,
            "hint": hints[relationship.stage],
        },
        code="wrong_stage",
    )


def _move(relationship: Relationship, *, to: str, by, at: datetime, note: str = "") -> None:
    stage_stay_end(relationship=relationship, at=at)
    StageChange.objects.create(
        relationship=relationship,
        from_stage=relationship.stage,
        to_stage=to,
        changed_at=at,
        changed_by=by,
        note=note,
    )
    relationship.stage = to


# --- Shortlist ------------------------------------------------------------------------------------------------


def _already_on_it(influencer: Influencer, campaign: Campaign) -> ValidationError:
    return ValidationError(
        _("%(person)s is already on %(campaign)s.") % {"person": influencer, "campaign": campaign},
        code="duplicate",
    )


def relationship_shortlist(*, influencer: Influencer, campaign: Campaign, by, owner=None) -> Relationship:
    """Put a person on a campaign's shortlist, owned by `owner` (default: whoever shortlists)."""
    if campaign.status == Campaign.Status.FINISHED:
        raise ValidationError(
            _("%(campaign)s is finished: nobody can be added to it.") % {"campaign": campaign}, code="finished"
        )
    if Relationship.objects.filter(influencer=influencer, campaign=campaign).exists():
        raise _already_on_it(influencer, campaign)
    now = timezone.now()
    try:
        with transaction.atomic():
            relationship = Relationship.objects.create(
                influencer=influencer,
                campaign=campaign,
                owner=owner or by,
                stage=Stage.SHORTLISTED,
                cadence_days=team_rules().default_cadence_days,
                shortlisted_at=now,
            )
            StageChange.objects.create(
                relationship=relationship, from_stage="", to_stage=Stage.SHORTLISTED, changed_at=now, changed_by=by
            )
    except IntegrityError as clash:
        # Someone shortlisted the same person between the check above and this insert.
        if Relationship.objects.filter(influencer=influencer, campaign=campaign).exists():
            raise _already_on_it(influencer, campaign) from clash
        raise
    return relationship


# --- Pitch ----------------------------------------------------------------------------------------------------


class _Refused(Exception):
    def __init__(self, messages: list[str], events: list[GuardrailEvent]):
        super().__init__(messages)
        self.messages = messages
        self.events = events


def relationship_pitch(
    *,
    relationship: Relationship,
    by,
    override_reason: str = "",
    acknowledge_flags: bool = False,
    contact_kind: str = Contact.Kind.EMAIL,
) -> Relationship:
    """Pitch a shortlisted person: the guardrails first, then an outbound contact carrying the brief (B2).

    Refused while the brief is incomplete (B4, M2), for an opted-out person, off-topic without
    `override_reason` (B1), and when flagged (M3) without `acknowledge_flags`. Every refusal, override and
    acknowledgement is recorded as a GuardrailEvent.
    """
    override_reason = (override_reason or "").strip()
    if contact_kind not in Contact.Kind.values:
        raise ValidationError(_("“%(kind)s” is not a kind of contact.") % {"kind": contact_kind})
    try:
        with transaction.atomic():
            relationship_lock(relationship=relationship)
            _require_stage(relationship, [Stage.SHORTLISTED], _("pitched"))
            _pitch_under_lock(
                relationship,
                by=by,
                override_reason=override_reason,
                acknowledge_flags=acknowledge_flags,
                contact_kind=contact_kind,
            )
    except _Refused as refused:
        # The refusal rolled its block back; what was blocked is recorded after it, so the guardrails
        # report sees it (even when a caller's own transaction goes on after catching the error).
        with transaction.atomic():
            GuardrailEvent.objects.bulk_create(refused.events)
        raise ValidationError(refused.messages, code="guardrail") from None
    return relationship


def _pitch_under_lock(
    relationship: Relationship, *, by, override_reason: str, acknowledge_flags: bool, contact_kind: str
) -> None:
    now = timezone.now()
    campaign = relationship.campaign
    if not campaign.is_open:
        raise ValidationError(_("%(campaign)s is finished: nobody can be pitched on it.") % {"campaign": campaign})
    checks = pitch_checks(relationship=relationship)

    blocked: list[tuple[str, str]] = []  # (rule, message a person can read)
    allowed: list[tuple[str, str, str]] = []  # (rule, result, detail)
    if checks.opted_out:
        blocked.append(
            (
                Rule.OPTED_OUT,
                _("%(person)s opted out of contact: they cannot be pitched.") % {"person": relationship.influencer},
            )
        )
    if checks.brief_missing:
        blocked.append(
            (
                Rule.BRIEF_INCOMPLETE,
                _("The brief of %(campaign)s is incomplete; fill in %(missing)s before pitching anyone.")
                % {"campaign": campaign, "missing": ", ".join(checks.brief_missing)},
            )
        )
    if checks.off_topic:
        if override_reason:
            allowed.append((Rule.OFF_TOPIC, Result.OVERRIDDEN, override_reason))
        else:
            blocked.append(
                (
                    Rule.OFF_TOPIC,
                    _(
                        "%(campaign)s has no topic in common with %(person)s. Pitch someone whose topics fit, "
                        "or give the reason for this off-topic pitch."
                    )
                    % {"campaign": campaign, "person": relationship.influencer},
                )
            )
    for rule, text in zip(checks.flag_rules, checks.flags, strict=True):
        if acknowledge_flags:
            allowed.append((rule, Result.ACKNOWLEDGED, text))
        else:
            blocked.append((rule, text + " " + _("Acknowledge this to pitch anyway.")))

    if blocked:
        raise _Refused(
            [message for _rule, message in blocked],
            [
                GuardrailEvent(
                    relationship=relationship, rule=rule, result=Result.BLOCKED, detail=message, occurred_at=now, by=by
                )
                for rule, message in blocked
            ],
        )

    GuardrailEvent.objects.bulk_create(
        GuardrailEvent(relationship=relationship, rule=rule, result=result, detail=detail, occurred_at=now, by=by)
        for rule, result, detail in allowed
    )
    _move(relationship, to=Stage.PITCHED, by=by, at=now)
    relationship.pitched_at = now
    relationship.off_topic_reason = override_reason if checks.off_topic else ""
    if checks.flags:
        relationship.flag_reason = "\n".join(checks.flags)
        relationship.flag_acknowledged_by = by
    relationship.save()
    # The pitch is a touch (B2): it carries the brief, and logging it sets this relationship's follow-up
    # (PITCH_FOLLOW_UP_DAYS) and every other clock of the person, on this instance too.
    contact_log(
        influencer=relationship.influencer,
        by=by,
        kind=contact_kind,
        direction=Contact.Direction.OUTBOUND,
        summary=pitch_text(campaign=campaign, influencer=relationship.influencer),
        occurred_at=now,
        relationship=relationship,
    )


# --- Accept, deliver, close -----------------------------------------------------------------------------------


@transaction.atomic
def relationship_accept(*, relationship: Relationship, by, cadence_days: int | None = None) -> Relationship:
    """They said yes: the relationship becomes active with a contact cadence (M1)."""
    if cadence_days is not None:
        # The model's bounds (core.validators), before a date is computed from it.
        Relationship._meta.get_field("cadence_days").run_validators(cadence_days)
    relationship_lock(relationship=relationship)
    _require_stage(relationship, [Stage.PITCHED], _("accepted"))
    now = timezone.now()
    cadence = cadence_days or relationship.influencer.cadence_days or team_rules().default_cadence_days
    _move(relationship, to=Stage.ACTIVE, by=by, at=now)
    relationship.accepted_at = now
    relationship.cadence_days = cadence
    relationship.next_contact_due = timezone.localdate(now) + timedelta(days=cadence)
    relationship.save()
    return relationship


@transaction.atomic
def relationship_deliver(*, relationship: Relationship, by) -> Relationship:
    """The content is out: needs at least one "get" exchange recorded on this relationship."""
    relationship_lock(relationship=relationship)
    _require_stage(relationship, [Stage.ACTIVE], _("marked delivered"))
    if not Exchange.objects.filter(relationship=relationship, direction=Exchange.Direction.GET).exists():
        raise ValidationError(
            _(
                "Nothing received from %(person)s is recorded on this campaign yet. Record the content first "
                "(a post, a mention, a video…), then mark it delivered."
            )
            % {"person": relationship.influencer},
            code="no_content",
        )
    now = timezone.now()
    _move(relationship, to=Stage.DELIVERED, by=by, at=now)
    relationship.delivered_at = now
    relationship.save()
    return relationship


def thank_you_skip_reason(*, relationship: Relationship) -> str:
    """Why a closing skips the thank-you by itself (opted out, no e-mail, never pitched); empty if it goes.

    Read-only, so the close dialog can say it before the closing, like pitch_checks for the pitch.
    """
    influencer = relationship.influencer
    if refusal := thank_you_refusal(influencer=influencer):
        return refusal
    if relationship.pitched_at is None:
        return _("%(person)s was never pitched on this campaign.") % {"person": influencer}
    return ""


@transaction.atomic
def relationship_close(*, relationship: Relationship, by, outcome: str, skip_reason: str = "") -> Relationship:
    """End a relationship with an outcome; a thank-you is queued, or skipped with a reason (E1).

    The thank-you is skipped by itself, with the reason stored, when the person opted out, has no e-mail,
    or was never pitched (they never heard of this campaign). A later step delivers queued thank-yous,
    listing the open campaigns that fit the person (campaigns.selectors.campaigns_that_fit, E2).
    """
    skip_reason = (skip_reason or "").strip()
    if outcome not in Outcome.values:
        raise ValidationError(
            _("Say how it ended: %(choices)s.") % {"choices": ", ".join(str(label) for label in Outcome.labels)},
            code="outcome",
        )
    relationship_lock(relationship=relationship)
    _require_stage(relationship, OPEN_STAGES, _("closed"))
    skip_reason = skip_reason or thank_you_skip_reason(relationship=relationship)

    now = timezone.now()
    _move(relationship, to=Stage.CLOSED, by=by, at=now, note=str(Outcome(outcome).label))
    relationship.outcome = outcome
    relationship.closed_at = now
    relationship.next_contact_due = None
    relationship.thank_you = ThankYou.SKIPPED if skip_reason else ThankYou.QUEUED
    relationship.thank_you_skip_reason = skip_reason
    relationship.save()
    if relationship.thank_you == ThankYou.QUEUED:
        # In this transaction: a closing that rolls back queues nothing. The dispatcher sends it later.
        thank_you_queue(relationship=relationship, by=by)
    return relationship
