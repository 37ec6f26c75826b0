"""Input guards every form shares: plausible dates and numbers, and text without control characters.

The forms of every app (crm, campaigns, messaging, reports) and the CSV import apply them; guard_fields() gives a
whole form the right ones. The numbers' bounds are the model fields' validators, so that the forms, the admin and
the services all refuse the same values.
"""

import re
from datetime import timedelta
from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, URLValidator
from django.utils.translation import gettext_lazy as _

# Clocks of the browser and the server differ a little: a "now" from a form is neither future nor past.
CLOCK_SKEW = timedelta(minutes=5)

# Days a person may mean. A typo beyond them (year 1, year 9999) would pass as a date and then overflow
# further on, converting to UTC or adding a cadence; the field says so instead.
EARLIEST_YEAR, LATEST_YEAR = 1900, 2100
# Characters nobody types: spreadsheets refuse them (openpyxl raises), terminals obey them, and in an
# e-mail subject a line break starts a new header. Multi-line text keeps its tabs and line breaks.
CONTROL_CHARACTERS = re.compile(r"[\x01-\x08\x0b\x0c\x0e-\x1f\x7f]")  # NUL: Django's own validator
LINE_BREAKS_AND_TABS = re.compile(r"[\t\n\r\x85\u2028\u2029]")

# Numbers a person may mean. Beyond them a typo is refused on its field: it would otherwise overflow further on
# (today plus 2,912,104 days is past the year 9999), or overflow a column or a sum in a report.
# Stay in touch at most every day, at least every ten years (a cadence in days: a person's, a relationship's).
MIN_CADENCE_DAYS, MAX_CADENCE_DAYS = 1, 3650
# People: a channel's followers, a post's reach. The largest accounts have under a billion followers; the
# bound stays within PostgreSQL's integer column, and the audience report's key needs it below 2**31.
MAX_AUDIENCE = 2_000_000_000
# An engagement rate is a percentage.
MAX_PERCENT = 100
# Euros: a fee or what a product is worth, for one exchange.
MAX_MONEY = Decimal("10000000")


def between(low, high) -> list:
    """The validators of a number field bounded to [low, high]."""
    return [MinValueValidator(low), MaxValueValidator(high)]


CADENCE_DAYS = between(MIN_CADENCE_DAYS, MAX_CADENCE_DAYS)
AUDIENCE = between(0, MAX_AUDIENCE)
PERCENT = between(0, MAX_PERCENT)
MONEY = between(0, MAX_MONEY)


def plausible_date(value) -> None:
    """A date or a moment between EARLIEST_YEAR and LATEST_YEAR (validator for DateField and DateTimeField)."""
    if value is not None and not (EARLIEST_YEAR <= value.year <= LATEST_YEAR):
        raise ValidationError(
            _("Check the year: it must be between %(earliest)d and %(latest)d.")
            % {"earliest": EARLIEST_YEAR, "latest": LATEST_YEAR},
            code="implausible_date",
        )


def multi_line_text(value: str) -> None:
    """Validator for a text area: any text, but no control characters besides tabs and line breaks."""
    if CONTROL_CHARACTERS.search(value):
        raise ValidationError(_("Remove the invisible control characters from this text."), code="control_characters")


def one_line_text(value: str) -> None:
    """Validator for a one-line field: no control characters, no tab, no line break."""
    multi_line_text(value)
    if LINE_BREAKS_AND_TABS.search(value):
        raise ValidationError(_("Keep this on one line: no tabs or line breaks."), code="line_breaks")


DOMAIN = re.compile(r"^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$", re.IGNORECASE)
WEB_LINK = URLValidator(schemes=["http", "https"])


def links_or_domains(value: str) -> None:
    """Validator for a list of links or domains, one per line: https://brand.example/page or brand.example."""
    for line in (line.strip() for line in value.splitlines()):
        if not line:
            continue
        if "://" in line:
            try:
                WEB_LINK(line)
            except ValidationError:
                raise ValidationError(
                    _("“%(line)s” is not a web link (https://…)."), code="bad_link", params={"line": line[:100]}
                ) from None
        elif not DOMAIN.match(line.removeprefix("www.").rstrip("/")):
            raise ValidationError(
                _("“%(line)s” is neither a link (https://…) nor a domain (brand.example)."),
                code="bad_domain",
                params={"line": line[:100]},
            )


def guard_fields(form: forms.BaseForm, *, dates: bool = True) -> None:
    """Give every text and date field of a form the validators above: text areas may hold several lines.

    dates=False for a form that bounds its dates more tightly itself.
    """
    for field in form.fields.values():
        if field.widget.is_hidden:
            continue  # an error on a field nobody sees would only block the form; the view checks those
        if isinstance(field, forms.CharField):
            multi_line = isinstance(field.widget, forms.Textarea)
            field.validators.append(multi_line_text if multi_line else one_line_text)
        elif dates and isinstance(field, forms.DateField | forms.DateTimeField | forms.SplitDateTimeField):
            field.validators.append(plausible_date)
