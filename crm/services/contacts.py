"""The contact log, and the contact clocks a touch resets."""

from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from campaigns.models import STAGES_WITH_A_CLOCK, Relationship, Stage
from crm.models import Contact, Influencer

# Clocks of the browser and the server differ a little; a contact "now" from a form must not be refused.
FUTURE_TOLERANCE = timedelta(minutes=5)


def _later(current, candidate):
    """The later of two clock values: a back-dated touch must never move a clock backwards."""
    if current is None:
        return candidate
    return max(current, candidate)


@transaction.atomic
def contact_clocks_reset(*, influencer: Influencer, at: datetime) -> None:
    """Reset every contact clock of a person after a touch at `at`.

    Each open relationship that has a clock (pitched: a follow-up after PITCH_FOLLOW_UP_DAYS; active and
    delivered: its cadence) and the person's own stay-in-touch cadence restart from the day of the touch,
    so that a reminder never fires the day after a call. Shortlisted relationships have no clock: the
    person does not know about them yet.
    """
    day = timezone.localdate(at)
    # Lock order everywhere: the person, then their relationships (by id), so two touches, or a touch and a
    # transition, on the same person wait for each other instead of deadlocking.
    influencer.refresh_from_db(from_queryset=Influencer.objects.select_for_update())
    relationships = Relationship.objects.select_for_update().filter(
        influencer_id=influencer.pk, stage__in=STAGES_WITH_A_CLOCK
    )
    for relationship in relationships.order_by("pk"):
        days = settings.PITCH_FOLLOW_UP_DAYS if relationship.stage == Stage.PITCHED else relationship.cadence_days
        relationship.next_contact_due = _later(relationship.next_contact_due, day + timedelta(days=days))
        relationship.last_contact_at = _later(relationship.last_contact_at, at)
        relationship.save(update_fields=["next_contact_due", "last_contact_at", "updated_at"])

    influencer.last_contact_at = _later(influencer.last_contact_at, at)
    if influencer.cadence_days:
        influencer.next_contact_due = _later(influencer.next_contact_due, day + timedelta(days=influencer.cadence_days))
    influencer.save(update_fields=["last_contact_at", "next_contact_due", "updated_at"])


@transaction.atomic
def contact_log(
    *,
    influencer: Influencer,
    by,
    kind: str,
    direction: str,
    summary: str,
    occurred_at: datetime | None = None,
    relationship: Relationship | None = None,
) -> Contact:
    """Log one touch with a person (a call, an e-mail, a meeting…) and reset every clock that concerns them."""
    now = timezone.now()
    if occurred_at is None:
        occurred_at = now
    elif timezone.is_naive(occurred_at):
        occurred_at = timezone.make_aware(occurred_at)
    summary = (summary or "").strip()

    errors: dict[str, str] = {}
    if kind not in Contact.Kind.values:
        errors["kind"] = _("“%(kind)s” is not a kind of contact.") % {"kind": kind}
    if direction not in Contact.Direction.values:
        errors["direction"] = _("A contact is either outbound or inbound.")
    if not summary:
        errors["summary"] = _("Say in a few words what the contact was about.")
    if occurred_at > now + FUTURE_TOLERANCE:
        errors["occurred_at"] = _("A contact cannot be in the future. To plan one, schedule a follow-up instead.")
    if relationship is not None and relationship.influencer_id != influencer.pk:
        errors["relationship"] = _("This relationship is with %(other)s, not with %(person)s.") % {
            "other": relationship.influencer,
            "person": influencer,
        }
    if errors:
        raise ValidationError(errors)

    contact = Contact.objects.create(
        influencer=influencer,
        relationship=relationship,
        kind=kind,
        direction=direction,
        occurred_at=occurred_at,
        summary=summary,
        logged_by=by,
    )
    contact_clocks_reset(influencer=influencer, at=occurred_at)
    if direction == Contact.Direction.INBOUND:
        # They replied: follow-ups marked "cancel if they reply" must not go.
        from messaging.services import follow_ups_cancel_on_reply

        follow_ups_cancel_on_reply(influencer=influencer)
    return contact
