"""Forms of the messaging UI: schedule a follow-up, edit or cancel a message that has not gone, my settings.

They validate input; messaging.services changes state. Dates and times typed by a team member are read in
their own time zone (Profile.timezone, else settings.TIME_ZONE): the views activate it around the form.
"""

import zoneinfo
from datetime import datetime, timedelta
from functools import cache

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.dates import WEEKDAYS
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from campaigns.models import Relationship
from core import fields
from core.forms import DATETIME_INPUT
from core.rules import team_rules
from core.validators import CLOCK_SKEW, guard_fields
from crm.models import Influencer
from messaging.models import Message, MessageTemplate, Profile

# How far ahead a message may be scheduled. Besides being sensible, it keeps every typed date far from the end
# of the calendar, where converting a local time to UTC overflows.
MAX_AHEAD = timedelta(days=366)


@cache
def time_zone_names() -> tuple[str, ...]:
    return tuple(sorted(zoneinfo.available_timezones()))


def sending_hours_text(influencer: Influencer) -> str:
    """ "Monday to Friday, 9:00–19:00 their time (Europe/Paris)": when a message to this person may leave."""
    days = team_rules().sending_weekdays
    if tuple(days) == tuple(range(days[0], days[-1] + 1)) and len(days) > 2:
        day_text = _("%(first)s to %(last)s") % {"first": WEEKDAYS[days[0]], "last": WEEKDAYS[days[-1]]}
    else:
        day_text = ", ".join(str(WEEKDAYS[day]) for day in days)
    start, end = team_rules().sending_hours
    return _(
        "It only leaves in their sending hours: %(days)s, %(start)s:00–%(end)s:00 their time (%(zone)s). "
        "Outside them it waits for the next window."
    ) % {"days": day_text, "start": start, "end": end, "zone": influencer.timezone or settings.TIME_ZONE}


def _clean_send_at(value: datetime | None) -> datetime | None:
    if value is None:
        return value
    now = timezone.now()
    if value < now - CLOCK_SKEW:
        raise ValidationError(_("Pick a time in the future."), code="past")
    if value > now + MAX_AHEAD:
        raise ValidationError(_("Pick a time within the next year."), code="too_far")
    return value


CANCEL_IF_REPLY_HELP = _("If you log an inbound contact from them before it goes, it is cancelled.")


class FollowUpForm(forms.Form):
    """A follow-up to one person: optionally on one of their campaigns, optionally started from a template."""

    relationship = fields.ModelChoiceField(
        label=_("Campaign"),
        queryset=Relationship.objects.none(),
        required=False,
        empty_label=_("— no campaign —"),
    )
    template = fields.ModelChoiceField(
        label=_("Start from a template"),
        queryset=MessageTemplate.objects.none(),
        required=False,
        empty_label=_("— write my own —"),
        help_text=_("Fills the subject and the text below; adapt them to the person."),
    )
    subject = forms.CharField(
        label=_("Subject"), max_length=200, error_messages={"required": _("Give the follow-up a subject.")}
    )
    body = forms.CharField(
        label=_("Message"),
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("Your signature (My settings) is added at the end."),
        error_messages={"required": _("Write the follow-up.")},
    )
    send_at = fields.LocalDateTimeField(label=_("Send on"), widget=DATETIME_INPUT)
    cancel_if_reply = forms.BooleanField(
        label=_("Cancel if they reply"), required=False, initial=True, help_text=CANCEL_IF_REPLY_HELP
    )

    def __init__(self, *args, influencer: Influencer, **kwargs):
        super().__init__(*args, **kwargs)
        self.influencer = influencer
        # Only this person's relationships and templates in their language can be picked: anything else is
        # "not a valid choice".
        relationship = self.fields["relationship"]
        relationship.queryset = (
            Relationship.objects.filter(influencer=influencer).select_related("campaign__brand").order_by("-created_at")
        )
        relationship.label_from_instance = lambda r: f"{r.campaign} ({r.get_stage_display()})"
        self.fields["template"].queryset = templates_for(influencer)
        self.fields["template"].label_from_instance = lambda t: t.name
        self.fields["send_at"].help_text = _("Your time (%(zone)s).") % {"zone": timezone.get_current_timezone_name()}
        # A line break in the subject would end up in an e-mail header: refused with the other control characters.
        # The send time has its own bounds (_clean_send_at: from now to a year ahead).
        guard_fields(self, dates=False)

    def clean_send_at(self):
        return _clean_send_at(self.cleaned_data["send_at"])


def templates_for(influencer: Influencer):
    return MessageTemplate.objects.filter(language=influencer.language).order_by("name")


class MessageEditForm(forms.Form):
    subject = forms.CharField(
        label=_("Subject"), max_length=200, error_messages={"required": _("Give the message a subject.")}
    )
    body = forms.CharField(
        label=_("Message"),
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 10}),
        error_messages={"required": _("The message cannot be empty.")},
    )
    send_at = fields.LocalDateTimeField(label=_("Send on"), widget=DATETIME_INPUT)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["send_at"].help_text = _("Your time (%(zone)s).") % {"zone": timezone.get_current_timezone_name()}
        # A line break in the subject would end up in an e-mail header: refused with the other control characters.
        # The send time has its own bounds (_clean_send_at: from now to a year ahead).
        guard_fields(self, dates=False)

    def clean_send_at(self):
        return _clean_send_at(self.cleaned_data["send_at"])


class MessageCancelForm(forms.Form):
    reason = forms.CharField(
        label=_("Why (optional)"),
        max_length=200,
        required=False,
        help_text=_("Shown on the person's timeline."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        guard_fields(self)


# The tabs of the messages' page, in their order (messaging.selectors.MESSAGE_TABS says what each holds).
MESSAGE_TAB_LABELS = {
    "scheduled": _("Scheduled"),
    "sent": _("Sent"),
    "failed": _("Failed"),
    "cancelled": _("Cancelled"),
}
DEFAULT_TAB = "scheduled"


class MessageFilterForm(forms.Form):
    """The filters of the messages' page, from its query string. A value that is not one (a hand-typed status, a
    kind that does not exist) is left out, the default used instead, and the error shown by the filter."""

    status = forms.ChoiceField(required=False, choices=list(MESSAGE_TAB_LABELS.items()), widget=forms.HiddenInput)
    kind = forms.ChoiceField(
        label=_("Kind"),
        required=False,
        choices=[("", _("Any kind"))] + [(kind.value, capfirst(kind.label)) for kind in Message.TO_INFLUENCERS],
    )
    q = forms.CharField(label=_("Person"), required=False, max_length=100, help_text=_("A part of their name"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].widget.attrs["class"] = "form-select"
        self.fields["q"].widget.attrs.update({"class": "form-control", "type": "search"})
        guard_fields(self)

    def chosen(self) -> tuple[str, str, str]:
        """(tab, kind, name): the valid filters, the defaults for the others."""
        self.is_valid()
        data = self.cleaned_data
        return data.get("status") or DEFAULT_TAB, data.get("kind") or "", (data.get("q") or "").strip()

    @property
    def status_error(self) -> str:
        # The status comes from a tab's link, not a field anyone sees: its error is said above the tabs.
        return _("There is no such list of messages: here are the scheduled ones.") if self["status"].errors else ""


class ProfileForm(forms.ModelForm):
    """A team member's own settings. The time zone is checked against the zoneinfo database."""

    timezone = forms.ChoiceField(
        label=_("Time zone"), help_text=_("The dates and times you type and read in messages are in this zone.")
    )

    class Meta:
        model = Profile
        fields = ["timezone", "language", "signature", "wants_digest"]
        widgets = {"signature": forms.Textarea(attrs={"rows": 4})}
        help_texts = {
            "language": _("The language of the interface and of the e-mails you receive."),
            "signature": _("Added at the end of the follow-ups you write. Empty: your name."),
            "wants_digest": _("An e-mail each working morning: who needs news, what is scheduled, what failed."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["timezone"].choices = [(name, name) for name in time_zone_names()]
        guard_fields(self)

    def clean_timezone(self) -> str:
        name = self.cleaned_data["timezone"]
        try:
            zoneinfo.ZoneInfo(name)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            raise ValidationError(_("“%(name)s” is not a time zone.") % {"name": name}) from None
        return name

    def clean_signature(self) -> str:
        return self.cleaned_data["signature"].strip()
