"""What the people forms share: date inputs, the admin's guarded model form, the team-member choice, and
putting a service's errors on a form."""

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError

from core import fields
from core.validators import guard_fields

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATETIME_INPUT = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class GuardedModelForm(forms.ModelForm):
    """A model form with guard_fields(): for the admin, whose forms Django builds from the models."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        guard_fields(self)


def team_members():
    """People who can own a person or a relationship: active users, by name."""
    return get_user_model().objects.filter(is_active=True).order_by("first_name", "username")


class TeamMemberChoiceField(fields.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return obj.get_full_name() or obj.get_username()


def add_service_errors(form: forms.BaseForm, error: ValidationError) -> None:
    """Put a service's ValidationError on the form: on the field it names when the form has it, else on top."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for field, messages in error.message_dict.items():
        form.add_error(field if field in form.fields else None, messages)
