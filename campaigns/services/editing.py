"""Editing a relationship's own settings, its owner and its cadence, outside the lifecycle's moves."""

from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from campaigns.models import Relationship, Stage
from crm.services.locks import relationship_lock

# What a person edits on a relationship; its stage, outcome, stamps and clock belong to the lifecycle services.
EDITABLE_FIELDS = frozenset({"owner", "cadence_days"})
# The stages whose clock runs on the cadence. A pitched relationship waits PITCH_FOLLOW_UP_DAYS for an answer
# whatever its cadence; a shortlisted or closed one has no clock.
CADENCE_STAGES = (Stage.ACTIVE, Stage.DELIVERED)


def relationship_update(*, relationship: Relationship, by, **changes) -> Relationship:
    """Save edited fields of a relationship (`changes`: its owner, its cadence_days) and refresh the caller's instance.

    A changed cadence restarts the clock of a relationship that runs on it (active, delivered) from the day the
    clock last started: its last contact or its acceptance, whichever is later (today when neither is recorded).
    """
    unknown = set(changes) - EDITABLE_FIELDS
    if unknown:
        raise TypeError(f"relationship_update() cannot change {', '.join(sorted(unknown))}: the lifecycle does.")
    if "cadence_days" in changes:
        try:
            # The model's bounds (core.validators) before a date is computed from it, and no empty cadence.
            changes["cadence_days"] = Relationship._meta.get_field("cadence_days").clean(
                changes["cadence_days"], relationship
            )
        except ValidationError as invalid:
            raise ValidationError({"cadence_days": invalid.messages}) from None
    with transaction.atomic():
        relationship_lock(relationship=relationship)
        cadence_changed = "cadence_days" in changes and changes["cadence_days"] != relationship.cadence_days
        for field, value in changes.items():
            setattr(relationship, field, value)
        if cadence_changed and relationship.stage in CADENCE_STAGES:
            relationship.next_contact_due = _clock_started_on(relationship) + timedelta(days=relationship.cadence_days)
        relationship._history_user = by  # the history row names who edited it (django-simple-history)
        relationship.save(update_fields=[*changes, "next_contact_due", "updated_at"])
    return relationship


def _clock_started_on(relationship: Relationship) -> date:
    """The day the cadence clock last started: a touch restarts it (Relationship.objects.touched), and the
    acceptance starts it (relationship_accept)."""
    days = [timezone.localdate(at) for at in (relationship.last_contact_at, relationship.accepted_at) if at is not None]
    return max(days, default=timezone.localdate())
