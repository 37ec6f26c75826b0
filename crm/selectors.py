"""Read queries on people that views, admin, reports and reminders share, computed in SQL."""

from datetime import date, timedelta

from django.db.models import BooleanField, Case, Exists, OuterRef, QuerySet, Value, When
from django.utils import timezone

from campaigns.models import STAGES_WITH_A_CLOCK, Relationship
from crm.models import Influencer


def is_overdue(today: date) -> Case:
    """Annotation on a model with next_contact_due: past the due day (due today is due, not yet overdue)."""
    return Case(When(next_contact_due__lt=today, then=Value(True)), default=Value(False), output_field=BooleanField())


def people_needing_news(*, owner=None, today: date | None = None, soon_days: int = 7) -> QuerySet[Influencer]:
    """People between campaigns whose own stay-in-touch cadence is due within `soon_days` (or overdue).

    "Between campaigns": no relationship with a clock (pitched, active, delivered) — those are reminded
    through relationships_needing_news, so a person is never listed twice. People who opted out are left
    out: news between campaigns is exactly the unsolicited mail they asked to stop.
    """
    today = today or timezone.localdate()
    on_a_campaign = Exists(Relationship.objects.filter(influencer_id=OuterRef("pk"), stage__in=STAGES_WITH_A_CLOCK))
    people = Influencer.objects.filter(
        cadence_days__isnull=False, next_contact_due__lte=today + timedelta(days=soon_days)
    ).exclude(consent=Influencer.Consent.OPTED_OUT)
    if owner is not None:
        people = people.filter(owner=owner)
    return (
        people.exclude(on_a_campaign)
        .annotate(is_overdue=is_overdue(today))
        .select_related("owner")
        .order_by("next_contact_due", "name", "pk")
    )
