"""Row locks on people, and the one order every service takes them in.

The order: the person first, then their relationships by id, then whatever else of theirs the service changes
(channels, contacts). Two touches, a touch and a lifecycle move, an edit and an erasure of one person then wait
for each other instead of deadlocking. Several people are locked by id, for the same reason.
"""

from collections.abc import Iterable

from campaigns.models import Relationship
from crm.models import Influencer


def person_lock(*, influencer_id: int) -> Influencer:
    """Lock a person's row until the transaction ends and return it as it is now (inside transaction.atomic())."""
    return Influencer.objects.select_for_update().get(pk=influencer_id)


def people_lock(*, influencer_ids: Iterable[int]) -> list[Influencer]:
    """Lock several people's rows, by id; those that no longer exist are not in the list."""
    return list(Influencer.objects.select_for_update().filter(pk__in=set(influencer_ids)).order_by("pk"))


def relationship_lock(*, relationship: Relationship) -> None:
    """Lock a relationship's person, then the relationship, and refresh the caller's instance from the locked row."""
    person_lock(influencer_id=relationship.influencer_id)
    relationship.refresh_from_db(from_queryset=Relationship.objects.select_for_update())
