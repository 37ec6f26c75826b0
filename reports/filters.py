"""The filters every report takes: a date range, and a brand, a campaign or an owner."""

import datetime
from dataclasses import dataclass

from django import forms
from django.contrib import admin
from django.contrib.admin.widgets import AutocompleteSelect
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.formats import get_format
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from campaigns.models import Brand, Campaign, Relationship
from core.forms import TeamMemberChoiceField, team_members
from core.validators import plausible_date

DEFAULT_DAYS = 365


@dataclass(frozen=True)
class ReportFilters:
    """Dates are inclusive days on the team's clock; `start`/`end` are the matching [start, end) instants."""

    date_from: datetime.date
    date_to: datetime.date
    brand_id: int | None = None
    campaign_id: int | None = None
    owner_id: int | None = None

    @classmethod
    def default(cls, **kwargs) -> "ReportFilters":
        today = timezone.localdate()
        return cls(date_from=today - datetime.timedelta(days=DEFAULT_DAYS), date_to=today, **kwargs)

    @property
    def start(self) -> datetime.datetime:
        return _midnight(self.date_from)

    @property
    def end(self) -> datetime.datetime:
        return _midnight(self.date_to + datetime.timedelta(days=1))

    @property
    def moment(self) -> datetime.datetime:
        """When clocks are read: the end of the range, or now when the range reaches today."""
        return min(self.end, timezone.now())

    def campaign_q(self, prefix: str = "") -> Q:
        """The brand and campaign filters on a model reaching a campaign through `prefix` (e.g. "relationship__")."""
        q = Q()
        if self.brand_id:
            q &= Q(**{f"{prefix}campaign__brand_id": self.brand_id})
        if self.campaign_id:
            q &= Q(**{f"{prefix}campaign_id": self.campaign_id})
        return q

    @property
    def scoped_to_campaigns(self) -> bool:
        return bool(self.brand_id or self.campaign_id)

    def relationships(self, queryset: QuerySet, prefix: str = "") -> QuerySet:
        """Brand, campaign and owner filters on relationships (or a model reaching them through `prefix`)."""
        queryset = queryset.filter(self.campaign_q(prefix))
        if self.owner_id:
            queryset = queryset.filter(**{f"{prefix}owner_id": self.owner_id})
        return queryset

    def as_query(self) -> dict[str, str]:
        query = {"date_from": self.date_from.isoformat(), "date_to": self.date_to.isoformat()}
        for name in ("brand", "campaign", "owner"):
            value = getattr(self, f"{name}_id")
            if value:
                query[name] = str(value)
        return query


def _midnight(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time()))


# The parts of a date format, as the page's language names them for a placeholder: "jj/mm/aaaa" in French.
DATE_PARTS = {
    "%d": pgettext_lazy("date pattern", "dd"),
    "%m": pgettext_lazy("date pattern", "mm"),
    "%Y": pgettext_lazy("date pattern", "yyyy"),
    "%y": pgettext_lazy("date pattern", "yy"),
}


def date_pattern() -> str:
    """How the page's language writes a date in a form, for people: "dd/mm/yyyy", "jj/mm/aaaa", "yyyy-mm-dd"."""
    pattern = get_format("DATE_INPUT_FORMATS")[0]
    for directive, part in DATE_PARTS.items():
        pattern = pattern.replace(directive, str(part))
    return pattern


class LocalDateInput(forms.DateInput):
    """A text input with the page's date format as its placeholder.

    <input type="date"> follows the browser's locale, not the page's: a French manager in an English browser was
    shown mm/dd/yyyy on a French page.
    """

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["widget"]["attrs"].setdefault("placeholder", date_pattern())
        return context


class LocalDateField(forms.DateField):
    """A date in the page language's format (DATE_INPUT_FORMATS), shown back in it.

    Django also accepts ISO dates in every language, so links written with ?date_from=2025-01-01 keep working; such
    a date is shown back in the page's format. A field left empty shows the default it stands for.
    """

    widget = LocalDateInput

    def __init__(self, **kwargs):
        super().__init__(localize=True, **kwargs)

    def to_python(self, value):
        try:
            return super().to_python(value)
        except ValidationError as error:
            if error.code != "invalid":
                raise
            raise ValidationError(
                _("Write the date as %(pattern)s.") % {"pattern": date_pattern()}, code="invalid"
            ) from error

    def bound_data(self, data, initial):
        """What the field shows: the date typed, in the page's format; the default when left empty."""
        try:
            return self.to_python(data) or initial
        except ValidationError:
            return data


class ReportFilterForm(forms.Form):
    # plausible_date: a year 1 or 9999 range overflowed converting its midnights to UTC (a 500).
    date_from = LocalDateField(label=_("from"), required=False, validators=[plausible_date])
    date_to = LocalDateField(label=_("to"), required=False, validators=[plausible_date])
    # Brands and campaigns are searched as one types (the admin's autocomplete): an agency has hundreds of
    # campaigns, and a <select> of every one of them on each report page cost more than reading a kept report. Only
    # the chosen one is read, to show its name and to check it exists.
    brand = forms.ModelChoiceField(
        label=_("brand"),
        queryset=Brand.objects.all(),
        required=False,
        widget=AutocompleteSelect(Campaign._meta.get_field("brand"), admin.site),
    )
    campaign = forms.ModelChoiceField(
        label=_("campaign"),
        queryset=Campaign.objects.select_related("brand"),
        required=False,
        widget=AutocompleteSelect(Relationship._meta.get_field("campaign"), admin.site),
    )
    # Managers know their team by name: each member by full name, the username only when there is none.
    owner = TeamMemberChoiceField(label=_("owner"), queryset=team_members(), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The range a report shows when no date is given, written in the fields rather than left blank.
        default = ReportFilters.default()
        self.fields["date_from"].initial = default.date_from
        self.fields["date_to"].initial = default.date_to

    def clean(self):
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            raise forms.ValidationError(_("The start of the range comes after its end."))
        return data

    def filters(self) -> ReportFilters:
        """The filters typed in, the default range for what is missing or wrong."""
        default = ReportFilters.default()
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        return ReportFilters(
            date_from=data.get("date_from") or default.date_from,
            date_to=data.get("date_to") or default.date_to,
            brand_id=data["brand"].pk if data.get("brand") else None,
            campaign_id=data["campaign"].pk if data.get("campaign") else None,
            owner_id=data["owner"].pk if data.get("owner") else None,
        )
