"""Forms of the people side of the web UI. They validate input; the services in crm.services change state."""

from datetime import timedelta
from zoneinfo import available_timezones

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Field, Layout, Row, Submit
from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from campaigns.models import Relationship
from crm import fields
from crm.models import AudienceSnapshot, Channel, Contact, Exchange, Influencer, Tier, Topic, tier_bounds
from crm.selectors import matching_people, next_due_before
from crm.validators import CLOCK_SKEW, guard_fields

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


# --- The contact log ------------------------------------------------------------------------------------------


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
    occurred_at = forms.DateTimeField(label=_("When"), widget=DATETIME_INPUT)
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


# --- Influencers ----------------------------------------------------------------------------------------------


class InfluencerForm(forms.ModelForm):
    owner = TeamMemberChoiceField(label=_("Owner"), queryset=team_members(), required=False)
    topics = fields.ModelMultipleChoiceField(
        label=_("Topics"),
        queryset=Topic.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Influencer
        fields = [
            "name",
            "email",
            "kind",
            "language",
            "timezone",
            "city",
            "region",
            "country",
            "topics",
            "owner",
            "cadence_days",
            "consent",
            "consent_at",
            "consent_source",
            "notes",
        ]
        widgets = {
            "consent_at": DATETIME_INPUT,
            "notes": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = team_members()
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        self.helper.layout = Layout(
            Row(Column("name", css_class="col-md-6"), Column("email", css_class="col-md-6")),
            Row(
                Column("kind", css_class="col-md-4"),
                Column("language", css_class="col-md-4"),
                Column("timezone", css_class="col-md-4"),
            ),
            Row(
                Column("city", css_class="col-md-5"),
                Column("region", css_class="col-md-5"),
                Column("country", css_class="col-md-2"),
            ),
            Field("topics", wrapper_class="topic-checkboxes"),
            Row(Column("owner", css_class="col-md-6"), Column("cadence_days", css_class="col-md-6")),
            Row(
                Column("consent", css_class="col-md-4"),
                Column("consent_at", css_class="col-md-4"),
                Column("consent_source", css_class="col-md-4"),
            ),
            "notes",
        )
        guard_fields(self)

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip()
        if not name:
            raise ValidationError(_("A person needs a name."))
        return name

    def clean_email(self) -> str:
        email = self.cleaned_data["email"].strip()
        if email and Influencer.objects.filter(email__iexact=email).exclude(pk=self.instance.pk).exists():
            raise ValidationError(_("Someone in the directory already has the e-mail %(email)s.") % {"email": email})
        return email

    def clean_timezone(self) -> str:
        name = self.cleaned_data["timezone"].strip()
        if name not in available_timezones():
            raise ValidationError(_("“%(name)s” is not a time zone. Use a name like Europe/Paris.") % {"name": name})
        return name

    def clean_country(self) -> str:
        country = self.cleaned_data["country"].strip().upper()
        if country and (len(country) != 2 or not country.isalpha()):
            raise ValidationError(_("Use the two-letter ISO code, e.g. FR."))
        return country

    def clean_consent_at(self):
        consent_at = self.cleaned_data["consent_at"]
        if consent_at and consent_at > timezone.now() + CLOCK_SKEW:
            raise ValidationError(_("The consent date cannot be in the future."))
        return consent_at

    def clean(self):
        cleaned = super().clean()
        consent = cleaned.get("consent")
        changed = "consent" in self.changed_data
        # A recorded consent says when and where it was given; "now" when the person just told us.
        if consent and consent != Influencer.Consent.UNKNOWN and changed and not cleaned.get("consent_at"):
            cleaned["consent_at"] = timezone.now()
        return cleaned


class ChannelForm(forms.ModelForm):
    url = forms.URLField(label=_("URL"), max_length=500, required=False, assume_scheme="https")

    class Meta:
        model = Channel
        fields = ["platform", "handle", "url"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        guard_fields(self)

    def clean_handle(self) -> str:
        return self.cleaned_data["handle"].strip()

    def clean(self):
        cleaned = super().clean()
        platform, handle = cleaned.get("platform"), cleaned.get("handle")
        # The database holds platform + handle unique (case-insensitive); say so on the field, readably.
        if platform and handle:
            taken = Channel.objects.filter(platform=platform, handle__iexact=handle)
            if self.instance.pk:
                taken = taken.exclude(pk=self.instance.pk)
            if taken.exists():
                self.add_error("handle", _("This handle is already in the directory for this platform."))
        return cleaned


class BaseChannelFormSet(forms.BaseInlineFormSet):
    def clean(self):
        super().clean()
        seen = set()
        for form in self.forms:
            if not hasattr(form, "cleaned_data") or form.cleaned_data.get("DELETE") or not form.has_changed():
                continue
            key = (form.cleaned_data.get("platform"), (form.cleaned_data.get("handle") or "").lower())
            if all(key) and key in seen:
                form.add_error("handle", _("This channel is listed twice."))
            seen.add(key)


def channel_formset_class(extra: int):
    return forms.inlineformset_factory(
        Influencer,
        Channel,
        form=ChannelForm,
        formset=BaseChannelFormSet,
        extra=extra,
        can_delete=True,
        max_num=20,
        validate_max=True,
    )


class ChannelFormHelper(FormHelper):
    """One channel per row, each field with its own label (readable on a phone, and by a screen reader)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.form_tag = False
        self.disable_csrf = True
        self.layout = Layout(
            Row(
                Column("platform", css_class="col-sm-3"),
                Column("handle", css_class="col-sm-4"),
                Column("url", css_class="col-sm-4"),
                Column("DELETE", css_class="col-sm-1 pt-sm-4"),
                "id",
            )
        )


# --- Influencer list filters ----------------------------------------------------------------------------------

SORTS = {
    "name": (_("Name"), ["name_lower", "pk"]),
    "due": (_("Next contact due"), ["next_due", "name_lower", "pk"]),
    "last_contact": (_("Last contact (most recent first)"), ["-last_contact_at", "name_lower", "pk"]),
    "audience": (_("Audience (largest first)"), ["-audience", "name_lower", "pk"]),
}
PER_PAGE_CHOICES = [(25, "25"), (50, "50"), (100, "100")]


class InfluencerFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100, help_text=_("Name, e-mail or handle"))
    kind = forms.ChoiceField(label=_("Kind"), required=False, choices=[("", _("Any kind"))] + Influencer.Kind.choices)
    tier = forms.ChoiceField(label=_("Tier"), required=False, choices=[("", _("Any tier"))] + Tier.choices)
    region = forms.CharField(label=_("Region"), required=False, max_length=100)
    topic = fields.ModelChoiceField(
        label=_("Topic"), required=False, queryset=Topic.objects.all(), empty_label=_("Any topic")
    )
    consent = forms.ChoiceField(
        label=_("Consent"), required=False, choices=[("", _("Any consent"))] + Influencer.Consent.choices
    )
    owner = TeamMemberChoiceField(label=_("Owner"), required=False, queryset=team_members(), empty_label=_("Anyone"))
    overdue = forms.BooleanField(label=_("Overdue only"), required=False)
    due_this_week = forms.BooleanField(label=_("Due this week only"), required=False)
    sort = forms.ChoiceField(
        label=_("Sort by"), required=False, choices=[(key, label) for key, (label, _order) in SORTS.items()]
    )
    per_page = forms.TypedChoiceField(
        label=_("Per page"), required=False, coerce=int, choices=PER_PAGE_CHOICES, empty_value=25
    )

    # Rows of (field, Bootstrap column classes), as templates/crm/influencers/_filters.html lays them out. Drawn by
    # our own small template rather than crispy-forms: on the directory, the pages marketers open most, crispy's
    # per-field templates cost more than the page's SQL.
    LAYOUT = [
        [
            ("q", "col-12 col-md-4"),
            ("kind", "col-6 col-md-2"),
            ("tier", "col-6 col-md-2"),
            ("region", "col-6 col-md-2"),
            ("topic", "col-6 col-md-2"),
        ],
        [
            ("consent", "col-6 col-md-2"),
            ("owner", "col-6 col-md-2"),
            ("sort", "col-6 col-md-3"),
            ("per_page", "col-6 col-md-2"),
            ("overdue", "col-6 col-md-2 pt-md-4"),
            ("due_this_week", "col-6 col-md-2 pt-md-4"),
        ],
    ]
    WIDGET_CLASSES = {"checkbox": "form-check-input", "select": "form-select"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = team_members()
        for name, field in self.fields.items():
            field.widget.attrs["class"] = self.WIDGET_CLASSES.get(self[name].widget_type, "form-control")

    @property
    def rows(self) -> list[list[tuple]]:
        """The layout's bound fields, invalid ones marked for Bootstrap."""
        rows = []
        for row in self.LAYOUT:
            bound = []
            for name, css in row:
                field = self[name]
                if self.is_bound and field.errors:
                    field.field.widget.attrs["class"] += " is-invalid"
                bound.append((field, css))
            rows.append(bound)
        return rows

    def filter(self, people, *, today):
        """Apply the valid filters to a queryset of people (invalid ones are ignored, and shown as errors)."""
        self.is_valid()
        data = self.cleaned_data
        if q := (data.get("q") or "").strip():
            people = people.filter(pk__in=matching_people(q))
        if kind := data.get("kind"):
            people = people.filter(kind=kind)
        if tier := data.get("tier"):
            low, high = tier_bounds(tier)
            people = people.filter(audience__gte=low)
            if high is not None:
                people = people.filter(audience__lt=high)
        if region := (data.get("region") or "").strip():
            people = people.filter(region__iexact=region)
        if topic := data.get("topic"):
            people = people.filter(topics=topic)
        if consent := data.get("consent"):
            people = people.filter(consent=consent)
        if owner := data.get("owner"):
            people = people.filter(owner=owner)
        # On the soonest of the person's and their relationships' clocks (the view's `next_due`), said so that
        # indexes serve it: see next_due_before.
        if data.get("overdue"):
            people = people.filter(next_due_before(today))
        if data.get("due_this_week"):
            # As Today's "Due this week": due from today to a week ahead (the overdue have their own filter).
            people = people.exclude(next_due_before(today)).filter(next_due_before(today + timedelta(days=8)))
        return people

    @property
    def ordering(self) -> list[str]:
        self.is_valid()
        return SORTS[self.cleaned_data.get("sort") or "name"][1]

    @property
    def page_size(self) -> int:
        self.is_valid()
        return self.cleaned_data.get("per_page") or 25


# --- The ledger and the audience ------------------------------------------------------------------------------


class ExchangeForm(forms.ModelForm):
    relationship = fields.ModelChoiceField(
        label=_("Campaign"), queryset=Relationship.objects.none(), required=False, empty_label=_("— no campaign —")
    )
    url = forms.URLField(label=_("URL"), max_length=500, required=False, assume_scheme="https")

    class Meta:
        model = Exchange
        fields = ["direction", "kind", "occurred_on", "relationship", "value", "reach", "url", "note"]
        widgets = {"occurred_on": DATE_INPUT, "note": forms.Textarea(attrs={"rows": 3})}

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
        self.helper.add_input(Submit("save", _("Record"), css_class="btn-primary"))
        guard_fields(self)

    def clean_occurred_on(self):
        occurred_on = self.cleaned_data["occurred_on"]
        if occurred_on > timezone.localdate():
            raise ValidationError(_("Record an exchange once it has happened: the date is in the future."))
        return occurred_on

    def _post_clean(self):
        # The service validates the row (and reads the influencer); the form only checks the fields.
        pass


class AudienceSnapshotForm(forms.ModelForm):
    class Meta:
        model = AudienceSnapshot
        fields = ["taken_on", "followers", "engagement_rate"]
        widgets = {"taken_on": DATE_INPUT}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["taken_on"].initial = timezone.localdate
        rate = self.fields["engagement_rate"]
        rate.validators += [MinValueValidator(0), MaxValueValidator(100)]
        rate.widget.attrs.update(min=0, max=100, step="0.01")
        self.fields["followers"].widget.attrs.update(min=0)
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

    def _post_clean(self):
        # One figure per channel per day: a second one replaces the first (the service's rule), so no unique check.
        pass
