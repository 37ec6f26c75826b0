from celery import shared_task
from django.conf import settings
from django.contrib.auth import get_user_model

from messaging.timezones import zone
from reports import cache


@shared_task
def refresh_reports() -> int:
    """Beat, every REPORTS_REFRESH_SECONDS: compute the reports' default range again, so pages read it ready.

    In the time zone of every active staff member (a range's days begin at their midnight) and the team's. Running
    it twice in a row only computes the same figures again.
    """
    names = get_user_model().objects.filter(is_active=True, is_staff=True).values_list("profile__timezone", flat=True)
    zones = sorted({zone(name).key for name in names} | {zone(settings.TIME_ZONE).key})
    return cache.refresh_default_range(zones)


@shared_task
def purge_expired_reports() -> int:
    """Beat, hourly: delete the kept reports past their time (they name people, and nothing else removes them)."""
    return cache.purge_expired()
