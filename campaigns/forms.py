"""Forms of the campaigns UI: the brief, the list filters, shortlisting and the move dialogs.

The move forms only collect what one service needs; the service decides. Whatever it refuses comes back
as a ValidationError that the view turns into form errors.
"""

from urllib.parse import urlencode

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Field, Fieldset, Layout, Row
from django import forms
from django.utils.translation import gettext_lazy as _

from campaigns.models import Brand, Campaign, Outcome
from campaigns.selectors import BoardFilters, board_owners
from core import fields
from core.rules import team_rules
from core.validators import MAX_CADENCE_DAYS, MIN_CADENCE_DAYS, guard_fields
from crm.models import Contact, Influencer, Tier, Topic


def _helper(*, layout: Layout | None = None) -> FormHelper:
    """The views write their own <form> tags (they carry the htmx attributes), so crispy renders fields only."""
    helper = FormHelper()
    helper.form_tag = False
    helper.disable_csrf = True
    if layout is not None:
        helper.layout = layout
    return helper


# --- The brief ------------------------------------------------------------------------------------------------


class CampaignForm(forms.ModelForm):
    """Create or edit a campaign and its brief.

    An incomplete brief saves: it blocks pitching (B4), not writing. Dates must be in order.
    """

    class Meta:
        model = Campaign
        fields = [
            "brand",
            "name",
            "status",
            "topics",
            "objective",
            "ask",
            "deliverables",
            "offer",
            "sponsored",
            "disclosure",
            "starts_on",
            "ends_on",
            "content_terms",
            "content_links",
            "promo_code",
        ]
        widgets = {
            "content_terms": forms.Textarea(attrs={"rows": 2}),
            "content_links": forms.Textarea(attrs={"rows": 2}),
            "topics": forms.CheckboxSelectMultiple,
            "objective": forms.Textarea(attrs={"rows": 2}),
            "ask": forms.Textarea(attrs={"rows": 2}),
            "deliverables": forms.Textarea(attrs={"rows": 2}),
            "offer": forms.Textarea(attrs={"rows": 2}),
            "starts_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "ends_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["topics"].queryset = Topic.objects.order_by("name")
        self.helper = _helper(
            layout=Layout(
                Row(Column("brand", css_class="col-md-4"), Column("name", css_class="col-md-5"), Column("status")),
                Field("topics", wrapper_class="campaign-topics"),
                Fieldset(
                    _("The brief"),
                    "objective",
                    "ask",
                    "deliverables",
                    "offer",
                    "sponsored",
                    "disclosure",
                    Row(Column("starts_on"), Column("ends_on")),
                ),
                Fieldset(
                    _("How its content is recognised in a feed"),
                    Row(Column("content_terms"), Column("content_links")),
                    Row(Column("promo_code", css_class="col-md-4")),
                ),
            )
        )
        guard_fields(self)

    def clean(self):
        cleaned = super().clean()
        starts_on, ends_on = cleaned.get("starts_on"), cleaned.get("ends_on")
        if starts_on and ends_on and ends_on < starts_on:
            self.add_error("ends_on", _("The campaign cannot end before it starts."))
        brand, name = cleaned.get("brand"), cleaned.get("name")
        if brand and name:
            # The database's case-insensitive constraint would only say "constraint violated".
            clash = Campaign.objects.filter(brand=brand, name__iexact=name.strip()).exclude(pk=self.instance.pk)
            if clash.exists():
                self.add_error("name", _("%(brand)s already has a campaign with this name.") % {"brand": brand})
        return cleaned


class CampaignFilterForm(forms.Form):
    brand = fields.ModelChoiceField(
        label=_("Brand"), queryset=Brand.objects.order_by("name"), required=False, empty_label=_("All brands")
    )
    status = forms.ChoiceField(
        label=_("Status"), choices=[("", _("All statuses")), *Campaign.Status.choices], required=False
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper(layout=Layout(Row(Column("brand"), Column("status"))))


# --- The board: its filters -----------------------------------------------------------------------------------

BOARD_FLAG_CHOICES = [
    ("", _("Any")),
    ("overdue", _("overdue")),
    ("content_proposed", _("post to confirm")),
    ("disclosure_missing", _("post without ad disclosure")),
]


class BoardFilterForm(forms.Form):
    """Narrow the board (GET): invalid values are left out of the filters and said on their field."""

    person = forms.CharField(
        label=_("Name or handle"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )
    owner = forms.ChoiceField(label=_("Owner"), required=False)
    region = forms.CharField(label=_("Region"), required=False, max_length=100)
    tier = forms.ChoiceField(label=_("Tier"), required=False, choices=[("", _("Any tier")), *Tier.choices])
    flag = forms.ChoiceField(label=_("Flag"), required=False, choices=BOARD_FLAG_CHOICES)

    NAMES = ("person", "owner", "region", "tier", "flag")

    def __init__(self, data=None, *, campaign: Campaign, user) -> None:
        super().__init__(data, auto_id="filter-%s")  # the page's dialogs hold forms of their own
        # A callable: the owners are read only when the select is drawn or an owner is asked for, so the board's
        # reloads and "Show more" without one cost no query for it.
        self._campaign, self._user, self._owners = campaign, user, None
        self.fields["owner"].choices = self._owner_choices
        for name, field in self.fields.items():
            select = name in ("owner", "tier", "flag")
            field.widget.attrs["class"] = "form-select form-select-sm" if select else "form-control form-control-sm"
            if self.is_bound and self.has_error(name):
                field.widget.attrs["class"] += " is-invalid"

    def _owner_choices(self) -> list[tuple[str, str]]:
        # Read once: the select's drawing and the owner's validation both ask.
        if self._owners is None:
            others = [
                (str(owner.pk), owner.get_full_name() or owner.get_username())
                for owner in board_owners(campaign=self._campaign)
                if owner.pk != self._user.pk
            ]
            self._owners = [("", _("Anyone")), (str(self._user.pk), _("Mine")), *others]
        return self._owners

    def filters(self) -> BoardFilters:
        """The valid values, as campaigns.selectors applies them."""
        if not self.is_bound:
            return BoardFilters()
        self.is_valid()
        data = self.cleaned_data
        owner = data.get("owner")
        return BoardFilters(
            owner_id=int(owner) if owner else None,
            region=(data.get("region") or "").strip(),
            tier=data.get("tier") or "",
            flag=data.get("flag") or "",
            text=(data.get("person") or "").strip(),
        )

    def query(self) -> str:
        """The valid values as a query string, for the links and reloads that must keep them ("" if none)."""
        if not self.is_bound:
            return ""
        self.is_valid()
        kept = {name: self.cleaned_data[name] for name in self.NAMES if self.cleaned_data.get(name)}
        return urlencode(kept)

    @property
    def active(self) -> bool:
        return bool(self.query())


# --- The board: shortlisting ----------------------------------------------------------------------------------


class InfluencerSearchForm(forms.Form):
    q = forms.CharField(
        label=_("Shortlist someone"),
        required=False,
        max_length=100,
        help_text=_("Type a name, a city, a region or a handle."),
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )

    def __init__(self, *args, search_url: str, **kwargs):
        super().__init__(*args, **kwargs)
        # Search as you type: the results replace the list under the field.
        self.fields["q"].widget.attrs.update(
            {
                "hx-get": search_url,
                "hx-trigger": "input changed delay:300ms, search",
                "hx-target": "#search-results",
                "aria-controls": "search-results",
            }
        )
        self.helper = _helper()


class ShortlistForm(forms.Form):
    """The influencer comes from a search result's button; the service says whether they can be added."""

    influencer = fields.ModelChoiceField(
        label=_("Influencer"),
        queryset=Influencer.objects.all(),
        widget=forms.HiddenInput,
        error_messages={"invalid_choice": _("This person is not in the directory (any more).")},
    )


# --- The move dialogs -----------------------------------------------------------------------------------------


class PitchForm(forms.Form):
    """What relationship_pitch needs beyond the relationship: an override reason (B1), an acknowledgement (M3).

    The two are asked for only when the checks call for them, and then they are required, so that the dialog
    says what is missing next to the field instead of a refusal at the top.
    """

    contact_kind = forms.ChoiceField(
        label=_("Sent as"), choices=Contact.Kind.choices, initial=Contact.Kind.EMAIL, required=True
    )
    override_reason = forms.CharField(
        label=_("Why pitch them on a campaign off their topics?"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    acknowledge_flags = forms.BooleanField(
        label=_("I have read the warnings above and still want to pitch them."), required=False
    )

    def __init__(self, *args, checks, **kwargs):
        super().__init__(*args, **kwargs)
        self.checks = checks
        if not checks.off_topic:
            del self.fields["override_reason"]
        if not checks.flags:
            del self.fields["acknowledge_flags"]
        self.helper = _helper()
        guard_fields(self)

    def clean_override_reason(self) -> str:
        reason = self.cleaned_data["override_reason"].strip()
        if not reason:
            raise forms.ValidationError(_("Give the reason for this off-topic pitch."), code="required")
        return reason

    def clean_acknowledge_flags(self) -> bool:
        if not self.cleaned_data["acknowledge_flags"]:
            raise forms.ValidationError(_("Acknowledge the warnings to pitch anyway."), code="required")
        return True


class AcceptForm(forms.Form):
    cadence_days = forms.IntegerField(
        label=_("Stay in touch every (days)"),
        min_value=MIN_CADENCE_DAYS,
        max_value=MAX_CADENCE_DAYS,
        help_text=_("The next contact falls due this many days from today."),
    )

    def __init__(self, *args, relationship, **kwargs):
        kwargs.setdefault(
            "initial",
            {"cadence_days": relationship.influencer.cadence_days or team_rules().default_cadence_days},
        )
        super().__init__(*args, **kwargs)
        self.helper = _helper()


class DeliverForm(forms.Form):
    """Nothing to fill in: the move needs the content recorded first, which the service checks."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper()


class CloseForm(forms.Form):
    SEND = "send"
    SKIP = "skip"

    outcome = forms.ChoiceField(label=_("How did it end?"), choices=Outcome.choices, widget=forms.RadioSelect)
    thank_you = forms.ChoiceField(
        label=_("Thank-you"),
        choices=[(SEND, _("Send the thank-you below")), (SKIP, _("Skip the thank-you"))],
        initial=SEND,
        widget=forms.RadioSelect,
    )
    skip_reason = forms.CharField(
        label=_("Why skip the thank-you?"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Only when you skip it: the reports show every ending without a thank-you."),
    )

    def __init__(self, *args, automatic_skip: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        if automatic_skip:
            # The service skips it by itself (opted out, no e-mail, never pitched): nothing to choose.
            del self.fields["thank_you"]
            del self.fields["skip_reason"]
        self.helper = _helper()
        guard_fields(self)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("thank_you") == self.SKIP and not (cleaned.get("skip_reason") or "").strip():
            self.add_error("skip_reason", _("Say why no thank-you goes out."))
        return cleaned

    def chosen_skip_reason(self) -> str:
        """The reason to pass to relationship_close: empty when the thank-you is to be sent."""
        if self.cleaned_data.get("thank_you") == self.SKIP:
            return self.cleaned_data["skip_reason"].strip()
        return ""
