"""Form fields shared by the apps' forms."""

from django import forms
from django.forms.models import ModelChoiceIterator


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
