"""The team's own rules: one row that managers edit in the admin, with its history.

The environment gives each rule's default (config/settings.py, "Lifecycle rules" and "Messaging"); until a manager
saves the rules once, those defaults apply. core.rules.team_rules() is how the code reads them.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.dates import WEEKDAYS
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

# Django's own names of the days (and their translations).
WEEKDAY_CHOICES = sorted(WEEKDAYS.items())


def _days(most: int) -> list:
    return [MinValueValidator(1), MaxValueValidator(most)]


class TeamRules(models.Model):
    """The one row of rules (pk 1). Each field is named as config/settings.py names its default, in lower case."""

    guardrail_window_days = models.PositiveSmallIntegerField(
        _("guardrails' window (days)"),
        validators=_days(365),
        help_text=_("A pitch is flagged when the person was pitched off-topic, or too often, within these days."),
    )
    guardrail_max_pitches = models.PositiveSmallIntegerField(
        _("pitches per person in that window"),
        validators=_days(100),
        help_text=_("The frequency cap: one pitch more than this in the window is flagged."),
    )
    pitch_follow_up_days = models.PositiveSmallIntegerField(
        _("follow-up after a pitch (days)"),
        validators=_days(365),
        help_text=_("Without an answer, the owner is reminded this many days after a pitch."),
    )
    default_cadence_days = models.PositiveSmallIntegerField(
        _("default cadence (days)"),
        validators=_days(365),
        help_text=_("How often an active relationship needs news when neither the move nor the person says."),
    )
    ambassador_cadence_days = models.PositiveSmallIntegerField(
        _("ambassadors' cadence (days)"),
        validators=_days(365),
        help_text=_("Brand ambassadors stay in touch between campaigns this often."),
    )
    thank_you_delay_minutes = models.PositiveIntegerField(
        _("thank-you delay (minutes)"),
        validators=[MaxValueValidator(7 * 24 * 60)],
        help_text=_("A thank-you waits this long after the closing, so that it can still be edited or cancelled."),
    )
    sending_hour_start = models.PositiveSmallIntegerField(
        _("sending hours: from"), validators=[MaxValueValidator(23)], help_text=_("In each person's own time zone.")
    )
    sending_hour_end = models.PositiveSmallIntegerField(
        _("sending hours: until"), validators=[MinValueValidator(1), MaxValueValidator(24)]
    )
    sending_weekdays = models.JSONField(_("sending days"), default=list)
    history = HistoricalRecords()

    class Meta:
        verbose_name = verbose_name_plural = _("team rules")

    def __str__(self) -> str:
        return str(_("Team rules"))

    def save(self, *args, **kwargs):
        self.pk = 1  # one row: saving any instance saves the rules
        self.sending_weekdays = sorted(set(self.sending_weekdays))
        super().save(*args, **kwargs)

    @classmethod
    def defaults(cls) -> "TeamRules":
        """The rules as the environment sets them (unsaved)."""
        start, end = settings.SENDING_HOURS
        return cls(
            pk=1,
            guardrail_window_days=settings.GUARDRAIL_WINDOW_DAYS,
            guardrail_max_pitches=settings.GUARDRAIL_MAX_PITCHES,
            pitch_follow_up_days=settings.PITCH_FOLLOW_UP_DAYS,
            default_cadence_days=settings.DEFAULT_CADENCE_DAYS,
            ambassador_cadence_days=settings.AMBASSADOR_CADENCE_DAYS,
            thank_you_delay_minutes=settings.THANK_YOU_DELAY_MINUTES,
            sending_hour_start=start,
            sending_hour_end=end,
            sending_weekdays=sorted(settings.SENDING_WEEKDAYS),
        )

    def clean(self) -> None:
        errors = {}
        if (
            self.sending_hour_start is not None
            and self.sending_hour_end is not None
            and self.sending_hour_start >= self.sending_hour_end
        ):
            errors["sending_hour_end"] = _("The sending hours must end after they start.")
        days = self.sending_weekdays
        if not isinstance(days, list) or not days or not all(isinstance(d, int) and 0 <= d <= 6 for d in days):
            errors["sending_weekdays"] = _("Choose at least one day.")
        if errors:
            raise ValidationError(errors)

    @property
    def sending_hours(self) -> tuple[int, int]:
        return self.sending_hour_start, self.sending_hour_end
