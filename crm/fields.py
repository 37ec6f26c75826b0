"""Form fields shared by the apps' forms."""

from datetime import datetime

from django import forms
from django.core.exceptions import ValidationError
from django.forms.models import ModelChoiceIterator
from django.utils import timezone


class ReadOnce(ModelChoiceIterator):
    """The choices read by one plain query.

    Django reads a model choice field's rows with `queryset.iterator()`, which on PostgreSQL opens a server-side
    cursor (DECLARE … WITH HOLD, then FETCH): made for millions of rows, it cost about 6 ms for the thirty topics
    of the directory's filter, on every page that shows a select. The choices of a form are a short list.
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
    """A date and time read on the clock of the page's time zone, including the night that clock changes.

    Django refuses a time in the hour the clocks repeat in autumn (ambiguous) or skip in spring (it never
    happened), so a contact logged at 02:30 that night was refused with the form's own "now". The first of two
    02:30s is meant; a skipped 02:30 is read with the offset before the change (03:30 once it is over).
    """

    def to_python(self, value) -> datetime | None:
        try:
            return super().to_python(value)
        except ValidationError as error:
            if error.code != "ambiguous_timezone":
                raise
            # The naive datetime Django parsed and could not place: fold=0 picks the first reading.
            return error.params["datetime"].replace(tzinfo=timezone.get_current_timezone())
