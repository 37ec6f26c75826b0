"""The directory's filter form: search, filters, sort and page size."""

from datetime import timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core import fields
from core.forms import TeamMemberChoiceField, team_members
from crm.models import Influencer, Tier, Topic, tier_bounds
from crm.selectors import has_a_feed, matching_people, next_due_before, posted_since

SORTS = {
    "name": (_("Name"), ["name_lower", "pk"]),
    "due": (_("Next contact due"), ["next_due", "name_lower", "pk"]),
    "last_contact": (_("Last contact (most recent first)"), ["-last_contact_at", "name_lower", "pk"]),
    "audience": (_("Audience (largest first)"), ["-audience", "name_lower", "pk"]),
}
PER_PAGE_CHOICES = [(25, "25"), (50, "50"), (100, "100")]
# "Posted": in the last N days, or silent for SILENT_DAYS (read from a feed, and nothing in that time: worth knowing
# before a pitch).
SILENT = "silent"
SILENT_DAYS = 90
POSTED_CHOICES = [
    ("", _("Any time")),
    ("7", _("In the last 7 days")),
    ("30", _("In the last 30 days")),
    ("90", _("In the last 90 days")),
    (SILENT, _("Not in 90 days")),
]


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
    posted = forms.ChoiceField(label=_("Posted"), required=False, choices=POSTED_CHOICES)
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
            ("posted", "col-6 col-md-2"),
            ("sort", "col-6 col-md-3"),
            ("per_page", "col-6 col-md-2"),
        ],
        [
            ("overdue", "col-6 col-md-2"),
            ("due_this_week", "col-6 col-md-2"),
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
        if posted := data.get("posted"):
            people = self._by_posts(people, posted)
        if data.get("due_this_week"):
            # As Today's "Due this week": due from today to a week ahead (the overdue have their own filter).
            people = people.exclude(next_due_before(today)).filter(next_due_before(today + timedelta(days=8)))
        return people

    @staticmethod
    def _by_posts(people, posted: str):
        now = timezone.now()
        if posted == SILENT:
            return people.filter(has_a_feed()).exclude(posted_since(now - timedelta(days=SILENT_DAYS)))
        return people.filter(posted_since(now - timedelta(days=int(posted))))

    @property
    def ordering(self) -> list[str]:
        self.is_valid()
        return SORTS[self.cleaned_data.get("sort") or "name"][1]

    @property
    def page_size(self) -> int:
        self.is_valid()
        return self.cleaned_data.get("per_page") or 25
