"""Time zones: the team member's, in which pages show times, and the person's, whose sending hours decide when
a message to them leaves.

Each team member reads times in their own time zone (Profile.timezone), kept in the session. The zone is looked
up once, at login (or when the member changes it in My settings), so pages pay no query for it.
"""

import zoneinfo
from datetime import datetime, time, timedelta

from django.conf import settings
from django.utils import timezone

from core.rules import team_rules
from messaging.models import Profile

SESSION_KEY = "member_timezone"


def zone(name: str | None) -> zoneinfo.ZoneInfo:
    """A time zone by name; the team's (TIME_ZONE) when the name is empty or unknown."""
    try:
        return zoneinfo.ZoneInfo(name or settings.TIME_ZONE)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo(settings.TIME_ZONE)


def next_sending_time(moment: datetime, tz_name: str | None) -> datetime:
    """`moment` if it is inside the sending hours of that time zone, else the start of the next window.

    The one place a message's departure time is worked out: the outbox stores it when a message is queued or
    rescheduled, and the dispatcher holds what is due outside the hours (a person who moved, changed hours).
    """
    tz = zone(tz_name)
    rules = team_rules()
    start, end = rules.sending_hours
    local = moment.astimezone(tz)
    if local.weekday() in rules.sending_weekdays and start <= local.hour < end:
        return moment
    day = local.date() if local.hour < start else local.date() + timedelta(days=1)
    while day.weekday() not in rules.sending_weekdays:
        day += timedelta(days=1)
    return datetime.combine(day, time(hour=start), tzinfo=tz)


def member_zone(user) -> zoneinfo.ZoneInfo:
    """The time zone a team member reads and types times in: their profile's, else the team's."""
    profile = getattr(user, "profile", None)
    return zone(profile.timezone if profile is not None else None)


def remember(request, name: str) -> None:
    request.session[SESSION_KEY] = name
    activate(name)


def activate(name: str | None) -> None:
    timezone.activate(zone(name))


def remember_at_login(sender, request, user, **kwargs) -> None:
    profile = Profile.objects.filter(user=user).only("timezone").first()
    remember(request, profile.timezone if profile else settings.TIME_ZONE)


class MemberTimezoneMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        session = getattr(request, "session", None)
        if session is not None and SESSION_KEY in session:
            activate(session[SESSION_KEY])
        else:
            timezone.deactivate()
        return self.get_response(request)
