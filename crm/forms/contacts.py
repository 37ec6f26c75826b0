"""The contact log form: one contact with one person, on one or several of their campaigns."""

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Layout, Row
from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from campaigns.models import Relationship
from core import fields
from core.forms import DATETIME_INPUT
from core.validators import CLOCK_SKEW, guard_fields
from crm.models import Contact, Influencer


class ContactLogForm(forms.Form):
    """One touch with a person. The influencer comes from the URL; the relationship is one of theirs, or none."""

    influencer = forms.IntegerField(widget=forms.HiddenInput)
    next = forms.CharField(required=False, widget=forms.HiddenInput)
    relationship = fields.ModelChoiceField(
        label=_("Campaign"),
        queryset=Relationship.objects.none(),
        required=False,
        empty_label=_("— no campaign —"),
    )
    kind = forms.ChoiceField(label=_("Kind"), choices=Contact.Kind.choices, initial=Contact.Kind.EMAIL)
    direction = forms.ChoiceField(
        label=_("Direction"), choices=Contact.Direction.choices, initial=Contact.Direction.OUTBOUND
    )
    occurred_at = fields.LocalDateTimeField(label=_("When"), widget=DATETIME_INPUT)
    summary = forms.CharField(
        label=_("Summary"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3, "autofocus": True}),
        help_text=_("What was said, in a few words."),
    )

    def __init__(self, *args, influencer: Influencer, **kwargs):
        super().__init__(*args, **kwargs)
        self.influencer = influencer
        # Only this person's relationships can be picked: another person's id is "not a valid choice".
        field = self.fields["relationship"]
        field.queryset = (
            Relationship.objects.filter(influencer=influencer).select_related("campaign__brand").order_by("-created_at")
        )
        field.label_from_instance = lambda r: f"{r.campaign} ({r.get_stage_display()})"
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        self.helper.layout = Layout(
            "influencer",
            "next",
            "relationship",
            Row(Column("kind", css_class="col-sm-6"), Column("direction", css_class="col-sm-6")),
            "occurred_at",
            "summary",
        )
        guard_fields(self)

    def clean_summary(self) -> str:
        summary = self.cleaned_data["summary"].strip()
        if not summary:
            raise ValidationError(_("Say in a few words what the contact was about."))
        return summary

    def clean_occurred_at(self):
        occurred_at = self.cleaned_data["occurred_at"]
        # The service allows a few minutes of clock skew; the form says it earlier, on the field.
        if occurred_at > timezone.now() + CLOCK_SKEW:
            raise ValidationError(_("A contact cannot be in the future. To plan one, schedule a follow-up instead."))
        return occurred_at
