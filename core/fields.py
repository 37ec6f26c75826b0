"""Form fields shared by the apps' forms."""

from datetime import UTC, datetime

from django import forms
from django.core.exceptions import ValidationError
from django.forms.models import ModelChoiceIterator
from django.utils import timezone


class ReadOnce(ModelChoiceIterator):
    """The choices read by one plain query.

    Django reads a model choice field's rows with `queryset.iterator()`, which on PostgreSQL opens a server-side
    cursor (DECLARE … WITH HOLD, then FETCH): made for millions of rows, it cost more than the query itself for
    the thirty topics of the directory's filter, on every page that shows a select. The choices of a form are a
    short list.
    """

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for obj in self.queryset:
            yield self.choice(obj)


class ModelChoiceField(forms.ModelChoiceField):
    iterator = ReadOnce


class ModelMultipleChoiceField(forms.ModelMultipleChoiceField):
    iterator = ReadOnce


class LocalDateTimeField(forms.DateTimeField):
    """A date and time read on the clock of the page's time zone, including the hour that clock repeats.

    Django refuses a time in the hour the clocks repeat in autumn as ambiguous, so from 02:00 to 03:00 that night
    the contact form refused its own "now". The first of the two readings is meant. A time in the hour the
    clocks skip in spring never happened and stays refused, with Django's message.
    """

    def to_python(self, value) -> datetime | None:
        try:
            return super().to_python(value)
        except ValidationError as error:
            if error.code != "ambiguous_timezone":
                raise
            naive = error.params["datetime"]  # what Django parsed and could not place
            zone = timezone.get_current_timezone()
            aware = naive.replace(tzinfo=zone)  # fold=0: the first reading
            if aware.astimezone(UTC).astimezone(zone).replace(tzinfo=None) != naive:
                raise  # in the skipped hour: no clock showed it
            return aware
