"""The contact log: a touch with a person, and every contact clock it resets."""

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import NamedTuple

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Min, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from campaigns.models import Relationship
from core.validators import CLOCK_SKEW
from crm.models import Contact, Influencer, clock_later
from crm.services.locks import people_lock, person_lock
from messaging.services import follow_ups_cancel_on_reply


class Touch(NamedTuple):
    """What contact_log did: the contact, and whether it was logged now (False: the very same one was there)."""

    contact: Contact
    created: bool


def contact_log(
    *,
    influencer: Influencer,
    by,
    kind: str,
    direction: str,
    summary: str,
    occurred_at: datetime | None = None,
    relationship: Relationship | None = None,
    message_id: str = "",
    automatic: bool = False,
) -> Touch:
    """Log one touch with a person (a call, an e-mail, a meeting…), once, and do all that a touch causes.

    The very same contact logged again (person, author, campaign, kind, direction, time, summary: what a form
    posted twice, stale or double-clicked, repeats) is not added twice: the one already there comes back with
    created=False, and nothing else changes. A new one answers the person's earlier outbound contacts when it is
    inbound (and then cancels the follow-ups marked "cancel if they reply"), or finds its own answer when it is
    outbound and logged late; and it restarts every contact clock of the person, their own and their
    relationships'. The caller's `influencer` and `relationship` come back with their clocks as they now are.
    """
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

    # Checked before the transaction: a refusal leaves the caller's transaction usable. The writes take no
    # savepoint of their own: alone they are a transaction; inside a caller's, their failure is the caller's to
    # roll back (the mailbox keeps a savepoint per mail). Two round trips fewer per contact (docs/PERFORMANCE.md,
    # "The mailbox's sync").
    with transaction.atomic(savepoint=False):
        # Under the person's lock, two identical posts racing each other are serialised and the second finds the
        # first; two different contacts logged at once each see the other when working out who answered whom.
        person = person_lock(influencer_id=influencer.pk)
        if message_id:
            same = Contact.objects.filter(influencer_id=influencer.pk, message_id=message_id)
        else:
            same = Contact.objects.filter(
                influencer_id=influencer.pk,
                logged_by=by,
                relationship=relationship,
                kind=kind,
                direction=direction,
                occurred_at=occurred_at,
                summary=summary,
                message_id="",
            )
        contact = same.first()
        created = contact is None
        if created and automatic:
            contact = Contact.objects.create(
                influencer=influencer,
                logged_by=by,
                kind=kind,
                direction=direction,
                occurred_at=occurred_at,
                summary=summary,
                relationship=relationship,
                message_id=message_id,
                automatic=True,
            )
        elif created:
            contact = _contact_record(
                influencer=influencer,
                by=by,
                kind=kind,
                direction=direction,
                summary=summary,
                occurred_at=occurred_at,
                relationship=relationship,
                message_id=message_id,
            )
            _clocks_reset(person, at=occurred_at, held=relationship)
            if direction == Contact.Direction.INBOUND:
                # They replied: follow-ups marked "cancel if they reply" must not go.
                follow_ups_cancel_on_reply(influencer=person)
        _clocks_copy(person, to=influencer)
    return Touch(contact, created)


def _contact_record(*, influencer: Influencer, by, direction: str, occurred_at: datetime, **fields) -> Contact:
    """Add the contact and keep `replied_at` right around it (under the person's lock)."""
    replied_at = None
    if direction == Contact.Direction.OUTBOUND:
        # Logged late (back-dated): they may have answered it already.
        replied_at = Contact.objects.filter(
            influencer_id=influencer.pk,
            direction=Contact.Direction.INBOUND,
            automatic=False,
            occurred_at__gt=occurred_at,
        ).aggregate(first=Min("occurred_at"))["first"]
    contact = Contact.objects.create(
        influencer=influencer,
        direction=direction,
        occurred_at=occurred_at,
        logged_by=by,
        replied_at=replied_at,
        **fields,
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
    return contact


def _clocks_reset(person: Influencer, *, at: datetime, held: Relationship | None = None) -> None:
    """Restart every contact clock of a person (locked) after a touch at `at`, and of `held`, the caller's copy
    of one of their relationships.

    Each open relationship with a clock restarts from the day of the touch (campaigns.models), and so does the
    person's own stay-in-touch cadence, so that a reminder never fires the day after a call. Shortlisted
    relationships have no clock: the person does not know about them yet.
    """
    Relationship.objects.filter(influencer_id=person.pk).with_a_clock().touched(at=at, held=held)
    person.last_contact_at = clock_later(person.last_contact_at, at)
    if person.cadence_days:
        day = timezone.localdate(at)
        person.next_contact_due = clock_later(person.next_contact_due, day + timedelta(days=person.cadence_days))
    person.updated_at = timezone.now()
    # An UPDATE, not save(): no history row for a clock a touch moved (the contact is the record of the touch).
    Influencer.objects.filter(pk=person.pk).update(
        last_contact_at=person.last_contact_at, next_contact_due=person.next_contact_due, updated_at=person.updated_at
    )


@transaction.atomic
def contact_clocks_reset(*, influencer: Influencer, at: datetime) -> None:
    """Reset every contact clock of a person as a touch at `at` does, with no contact logged (the demo replays
    a pitch's touch at its date this way); the caller's `influencer` comes back with the new clocks."""
    person = person_lock(influencer_id=influencer.pk)
    _clocks_reset(person, at=at)
    _clocks_copy(person, to=influencer)


def _clocks_copy(person: Influencer, *, to: Influencer) -> None:
    """The caller's copy of the person gets their clocks as they now are (the page that logged the touch shows them)."""
    for field in ("last_contact_at", "next_contact_due", "updated_at"):
        setattr(to, field, getattr(person, field))


def contact_replies_refresh(*, influencer_ids: Iterable[int] | None = None) -> int:
    """Work out `replied_at` again from the log for these people's outbound contacts (everyone's when None).

    For what changes a person's log other than contact_log: a merge brings in the duplicate's contacts, a deletion
    takes one away; and for rows written directly (the demo's story, the benchmark's data set). One UPDATE.
    """
    first_reply = (
        Contact.objects.filter(
            influencer_id=OuterRef("influencer_id"),
            direction=Contact.Direction.INBOUND,
            automatic=False,
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
    people_lock(influencer_ids=people)
    deleted, _rows = Contact.objects.filter(pk__in=list(contacts.values_list("pk", flat=True))).delete()
    contact_replies_refresh(influencer_ids=people)
    return deleted
