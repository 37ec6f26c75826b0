"""The ledger and the audience: a give or a get, and a dated audience figure."""

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Layout, Row, Submit
from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from campaigns.models import Relationship
from core import fields
from core.forms import DATE_INPUT
from core.validators import MAX_AUDIENCE, MAX_PERCENT, guard_fields
from crm.models import AudienceSnapshot, Exchange, Influencer


def _model_field(model: type[models.Model], name: str, **options) -> forms.Field:
    """The form field a ModelForm would make for this model field."""
    return model._meta.get_field(name).formfield(**options)


# Plain forms over the models' fields, not ModelForms: the service builds and validates the row (with the person or
# the channel, which the form does not hold), so the model's checks would only run the fields' validators again and
# query the database once for each constraint.


class ExchangeForm(forms.Form):
    direction = _model_field(Exchange, "direction")
    kind = _model_field(Exchange, "kind")
    occurred_on = _model_field(Exchange, "occurred_on", widget=DATE_INPUT)
    relationship = fields.ModelChoiceField(
        label=_("Campaign"), queryset=Relationship.objects.none(), required=False, empty_label=_("— no campaign —")
    )
    value = _model_field(Exchange, "value")
    reach = _model_field(Exchange, "reach")
    url = forms.URLField(label=_("URL"), max_length=500, required=False, assume_scheme="https")
    note = _model_field(Exchange, "note", widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, influencer: Influencer, **kwargs):
        super().__init__(*args, **kwargs)
        self.influencer = influencer
        self.fields["direction"].widget = forms.RadioSelect(choices=Exchange.Direction.choices)
        self.fields["relationship"].queryset = Relationship.objects.filter(influencer=influencer).select_related(
            "campaign__brand"
        )
        self.fields["relationship"].label_from_instance = lambda r: str(r.campaign)
        self.fields["occurred_on"].initial = timezone.localdate
        self.helper = FormHelper()
        self.helper.layout = Layout(
            Row(
                Column("direction", css_class="col-sm-4"),
                Column("kind", css_class="col-sm-4"),
                Column("occurred_on", css_class="col-sm-4"),
            ),
            "relationship",
            Row(Column("value", css_class="col-sm-6"), Column("reach", css_class="col-sm-6")),
            "url",
            "note",
        )
        # The page writes the form tag and its buttons: Record, and Cancel back to where it was opened.
        self.helper.form_tag = False
        guard_fields(self)

    def clean_occurred_on(self):
        occurred_on = self.cleaned_data["occurred_on"]
        if occurred_on > timezone.localdate():
            raise ValidationError(_("Record an exchange once it has happened: the date is in the future."))
        return occurred_on


class AudienceSnapshotForm(forms.Form):
    """One figure per channel per day: a second one replaces the first (the service's rule), so no unique check."""

    taken_on = _model_field(AudienceSnapshot, "taken_on", widget=DATE_INPUT)
    followers = _model_field(AudienceSnapshot, "followers")
    engagement_rate = _model_field(AudienceSnapshot, "engagement_rate")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["taken_on"].initial = timezone.localdate
        # The bounds themselves are the model's validators, which the service runs.
        self.fields["engagement_rate"].widget.attrs.update(min=0, max=MAX_PERCENT, step="0.01")
        self.fields["followers"].widget.attrs.update(min=0, max=MAX_AUDIENCE)
        self.helper = FormHelper()
        self.helper.layout = Layout(
            Row(
                Column("taken_on", css_class="col-sm-4"),
                Column("followers", css_class="col-sm-4"),
                Column("engagement_rate", css_class="col-sm-4"),
            )
        )
        self.helper.add_input(Submit("save", _("Record"), css_class="btn-primary"))
        guard_fields(self)

    def clean_taken_on(self):
        taken_on = self.cleaned_data["taken_on"]
        if taken_on > timezone.localdate():
            raise ValidationError(_("An audience figure cannot be dated in the future."))
        return taken_on
