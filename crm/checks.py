"""System checks on the settings the people side computes dates from."""

from django.conf import settings
from django.core.checks import Error, register

from core.validators import MAX_CADENCE_DAYS, MIN_CADENCE_DAYS

# Days added to today for a contact clock: the same bounds as a cadence a person types.
DAY_COUNTS = ("DEFAULT_CADENCE_DAYS", "AMBASSADOR_CADENCE_DAYS", "PITCH_FOLLOW_UP_DAYS")


@register()
def day_counts_in_bounds(app_configs, **kwargs) -> list[Error]:
    """A default cadence out of range would refuse every new person (or overflow a date): say so at start."""
    return [
        Error(
            f"{name} is {getattr(settings, name)!r}: it must be a number of days from {MIN_CADENCE_DAYS} "
            f"to {MAX_CADENCE_DAYS}.",
            hint=f"Set {name} in the environment to a number of days in that range.",
            id="crm.E001",
        )
        for name in DAY_COUNTS
        if not isinstance(getattr(settings, name), int)
        or not MIN_CADENCE_DAYS <= getattr(settings, name) <= MAX_CADENCE_DAYS
    ]
