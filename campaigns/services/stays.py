"""How long each stay in a stage lasted: a StageChange keeps when the stay it began ended (`left_at`).

A stay ends with the relationship's next change, the first one recorded at a later instant. The lifecycle ends the
open stay as it records a move; `stage_stays_refresh` works the value out again from the history, for rows written
or re-dated directly (the demo's story, the benchmark's data set, a backfill).
"""

from datetime import datetime

from django.db.models import OuterRef, QuerySet, Subquery

from campaigns.models import Relationship, StageChange


def stage_stay_end(*, relationship: Relationship, at: datetime) -> None:
    """The relationship leaves its stage at `at`: the stays begun before `at` and still open end then.

    Called by the lifecycle under the relationship's lock, before it records the next change. A change recorded at
    the very same instant ends nothing: its stay ends with the next change after it, as the history reads.
    """
    StageChange.objects.filter(relationship_id=relationship.pk, left_at__isnull=True, changed_at__lt=at).update(
        left_at=at
    )


def stage_stays_refresh(*, relationships: QuerySet[Relationship] | None = None) -> int:
    """Set every `left_at` (of these relationships, or all) from the history, in one UPDATE; returns the rows."""
    next_change = (
        StageChange.objects.filter(relationship_id=OuterRef("relationship_id"), changed_at__gt=OuterRef("changed_at"))
        .order_by("changed_at")
        .values("changed_at")[:1]
    )
    changes = StageChange.objects.all()
    if relationships is not None:
        changes = changes.filter(relationship__in=relationships.values("pk"))
    return changes.update(left_at=Subquery(next_change))
