"""The contact log, and the contact clocks a touch resets."""

from collections.abc import Iterable
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Min, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from campaigns.models import STAGES_WITH_A_CLOCK, Relationship, Stage
from core.validators import CLOCK_SKEW
from crm.models import Contact, Influencer


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
    if occurred_at > now + CLOCK_SKEW:
        errors["occurred_at"] = _("A contact cannot be in the future. To plan one, schedule a follow-up instead.")
    if relationship is not None and relationship.influencer_id != influencer.pk:
        errors["relationship"] = _("This relationship is with %(other)s, not with %(person)s.") % {
            "other": relationship.influencer,
            "person": influencer,
        }
    if errors:
        raise ValidationError(errors)

    # The person's lock first (the order contact_clocks_reset keeps): two contacts logged at once for one person
    # would each miss the other when working out who answered whom.
    Influencer.objects.select_for_update().filter(pk=influencer.pk).values_list("pk").first()
    inbound = Contact.objects.filter(influencer_id=influencer.pk, direction=Contact.Direction.INBOUND)
    replied_at = None
    if direction == Contact.Direction.OUTBOUND:
        # Logged late (back-dated): they may have answered it already.
        replied_at = inbound.filter(occurred_at__gt=occurred_at).aggregate(first=Min("occurred_at"))["first"]
    contact = Contact.objects.create(
        influencer=influencer,
        relationship=relationship,
        kind=kind,
        direction=direction,
        occurred_at=occurred_at,
        summary=summary,
        logged_by=by,
        replied_at=replied_at,
    )
    if direction == Contact.Direction.INBOUND:
        # It answers every earlier outbound contact that had no earlier answer (all of them when back-dated
        # before a reply already logged).
        Contact.objects.filter(
            Q(replied_at__isnull=True) | Q(replied_at__gt=occurred_at),
            influencer_id=influencer.pk,
            direction=Contact.Direction.OUTBOUND,
            occurred_at__lt=occurred_at,
        ).update(replied_at=occurred_at)
    contact_clocks_reset(influencer=influencer, at=occurred_at)
    if direction == Contact.Direction.INBOUND:
        # They replied: follow-ups marked "cancel if they reply" must not go.
        from messaging.services import follow_ups_cancel_on_reply

        follow_ups_cancel_on_reply(influencer=influencer)
    return contact


def contact_replies_refresh(*, influencer_ids: Iterable[int] | None = None) -> int:
    """Work out `replied_at` again from the log for these people's outbound contacts (everyone's when None).

    For what changes a person's log other than contact_log: a merge brings in the duplicate's contacts, a deletion
    takes one away; and for rows written directly (the demo's story, the benchmark's data set). One UPDATE.
    """
    first_reply = (
        Contact.objects.filter(
            influencer_id=OuterRef("influencer_id"),
            direction=Contact.Direction.INBOUND,
            occurred_at__gt=OuterRef("occurred_at"),
        )
        .order_by("occurred_at")
        .values("occurred_at")[:1]
    )
    contacts = Contact.objects.filter(direction=Contact.Direction.OUTBOUND)
    if influencer_ids is not None:
        contacts = contacts.filter(influencer_id__in=list(influencer_ids))
    return contacts.update(replied_at=Subquery(first_reply))


@transaction.atomic
def contacts_delete(*, contacts: QuerySet[Contact]) -> int:
    """Delete logged contacts; the outbound contacts a deleted inbound one answered look for their answer again."""
    people = sorted(set(contacts.values_list("influencer_id", flat=True)))
    list(Influencer.objects.select_for_update().filter(pk__in=people).order_by("pk").values_list("pk"))
    deleted, _rows = Contact.objects.filter(pk__in=list(contacts.values_list("pk", flat=True))).delete()
    contact_replies_refresh(influencer_ids=people)
    return deleted
