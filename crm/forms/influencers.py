"""A person's add and edit form, with their channels as an inline formset."""

import re
from zoneinfo import available_timezones

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Field, Layout, Row
from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core import fields
from core.forms import DATETIME_INPUT, TeamMemberChoiceField, team_members
from core.validators import CLOCK_SKEW, MAX_CADENCE_DAYS, MIN_CADENCE_DAYS, guard_fields
from crm.models import Channel, Feed, Influencer, Topic
from crm.selectors import people_with_email
from crm.services.influencers import email_taken_message


def clean_unique_email(email: str, *, person: Influencer) -> str:
    """A form's e-mail, refused when someone else has it, however spelt (the web form's and the admin's)."""
    email = email.strip()
    if people_with_email(email, besides=person).exists():
        raise ValidationError(email_taken_message(email), code="email_taken")
    return email


def split_addresses(text: str) -> list[str]:
    """The addresses typed in a box, one per line (commas and semicolons separate them too)."""
    return [bit.strip() for bit in re.split(r"[\n,;]+", text or "") if bit.strip()]


class InfluencerForm(forms.ModelForm):
    # Saved by the service (crm.services.addresses), which checks them: valid, nobody else's, not the main one.
    addresses = forms.CharField(
        label=_("Other e-mail addresses"),
        required=False,
        max_length=6000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("One per line. Mail from these addresses is theirs too."),
    )
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
        if self.instance.pk is not None and "addresses" not in self.initial:
            self.initial["addresses"] = "\n".join(a.email for a in self.instance.addresses.all())
        # The browser says it before posting; the bound itself is the model's validator.
        self.fields["cadence_days"].widget.attrs.update(min=MIN_CADENCE_DAYS, max=MAX_CADENCE_DAYS)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        self.helper.layout = Layout(
            Row(Column("name", css_class="col-md-6"), Column("email", css_class="col-md-6")),
            "addresses",
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
        return clean_unique_email(self.cleaned_data["email"], person=self.instance)

    def clean_addresses(self) -> list[str]:
        return split_addresses(self.cleaned_data["addresses"])

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
    # Not a Channel field: saved through crm.services.feeds (the view), which starts its reading afresh.
    feed_url = forms.URLField(
        label=_("Feed address"),
        max_length=Feed._meta.get_field("url").max_length,
        required=False,
        assume_scheme="https",
        help_text=_(
            "RSS, Atom or JSON Feed. Left empty, it is looked for at the channel's address (blog, YouTube, podcast, "
            "newsletter)."
        ),
    )

    class Meta:
        model = Channel
        fields = ["platform", "handle", "url"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None and "feed_url" not in self.initial:
            # The formset's rows come with their feed (select_related): no query per row.
            feed = getattr(self.instance, "feed", None)
            self.initial["feed_url"] = feed.url if feed is not None else ""
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
    """One channel per row, its feed's address on a second one, each field with its own label (readable on a phone,
    and by a screen reader)."""

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
            ),
            # The feed under its channel, as wide as the channel's own address: addresses of feeds are long.
            Row(Column("feed_url", css_class="col-sm-8 offset-sm-3")),
        )
