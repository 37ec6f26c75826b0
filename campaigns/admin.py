"""Brands, campaigns and relationships in the managers' back office.

A relationship moves only through the lifecycle services, here as admin actions: the stage, the outcome and
every timestamp are read-only on its page, so the admin cannot bypass a rule the web UI enforces.
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core.exceptions import ValidationError
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _

from campaigns.models import (
    PHASE_STAGES,
    Brand,
    Campaign,
    ContentMatch,
    DisclosureMarker,
    GuardrailEvent,
    Outcome,
    Phase,
    Relationship,
    StageChange,
)
from campaigns.services import (
    pitch_checks,
    pitch_text,
    relationship_accept,
    relationship_close,
    relationship_deliver,
    relationship_pitch,
    relationship_shortlist,
    relationship_update,
)
from core.admin.history import HistoryAdmin
from core.admin.inlines import ParentRowsFormSet
from core.admin.paging import BigTableAdmin
from core.admin.rows import ModelAdmin
from core.forms import GuardedModelForm
from crm.admin.filters import OverdueFilter


@admin.register(Brand)
class BrandAdmin(ModelAdmin):
    form = GuardedModelForm
    list_display = ("name",)
    search_fields = ("name",)


class RelationshipInline(admin.TabularInline):
    """Who is on the campaign and where they are; moves go through the relationship's own actions."""

    model = Relationship
    formset = ParentRowsFormSet
    extra = 0
    can_delete = False
    show_change_link = True
    fields = ("influencer", "stage", "outcome", "owner", "next_contact_due")
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("influencer", "owner")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Campaign)
class CampaignAdmin(HistoryAdmin):
    form = GuardedModelForm
    list_display = ("name", "brand", "status", "sponsored", "starts_on", "ends_on", "brief_complete", "owner")
    list_filter = ("brand", "status", "sponsored")
    search_fields = ("name", "brand__name", "objective")
    list_select_related = ("brand", "owner")
    autocomplete_fields = ("brand", "owner")
    filter_horizontal = ("topics",)
    date_hierarchy = "starts_on"
    list_per_page = 50  # each row costs about a millisecond of Python (core.admin.paging.BigTableAdmin)
    show_full_result_count = False  # a second COUNT of every campaign on each page, for "of N" beside a filter
    fieldsets = (
        (None, {"fields": ("brand", "name", "status", "owner", "topics")}),
        (
            _("The brief (complete before anyone is pitched)"),
            {
                "fields": (
                    "objective",
                    "ask",
                    "deliverables",
                    "offer",
                    "sponsored",
                    "disclosure",
                    ("starts_on", "ends_on"),
                )
            },
        ),
        (_("How its content is recognised in a feed"), {"fields": ("content_terms", "content_links", "promo_code")}),
    )
    inlines = (RelationshipInline,)

    @admin.display(description=_("brief complete"), boolean=True)
    def brief_complete(self, obj: Campaign) -> bool:
        return obj.brief_complete


class PhaseFilter(admin.SimpleListFilter):
    title = _("phase")
    parameter_name = "phase"

    def lookups(self, request, model_admin):
        return Phase.choices

    def queryset(self, request, queryset):
        if self.value() in PHASE_STAGES:
            return queryset.filter(stage__in=PHASE_STAGES[self.value()])
        return queryset


class ShortlistForm(forms.ModelForm):
    """Adding a relationship is shortlisting: the service runs as the form validates, its refusal lands on the form.

    The row it saves becomes the form's instance, which the admin goes on with (its log entry, its redirect); the
    model's checks Django runs after clean() find that row valid. No inlines on this page: a valid form is a saved one.
    """

    by = None  # the acting user, set by the admin

    class Meta:
        model = Relationship
        fields = ("influencer", "campaign", "owner")

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        try:
            self.instance = relationship_shortlist(
                influencer=data["influencer"], campaign=data["campaign"], by=self.by, owner=data.get("owner")
            )
        except ValidationError as refused:
            # On the campaign, which both refusals are about (finished, or the person already on it): the model's
            # checks then leave the pair alone instead of saying "already exists" in their own words again.
            self.add_error("campaign", refused)
        else:
            data["owner"] = self.instance.owner  # the service's default (whoever shortlists) when none was chosen
        return data


class PitchForm(forms.Form):
    override_reason = forms.CharField(
        label=_("Why pitch them off-topic?"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=1000,
    )
    acknowledge_flags = forms.BooleanField(label=_("I have read the warnings and pitch anyway"), required=False)

    def __init__(self, *args, checks, **kwargs):
        super().__init__(*args, **kwargs)
        self.checks = checks
        if checks.off_topic:
            self.fields["override_reason"].required = True
        else:
            del self.fields["override_reason"]
        if checks.flags:
            self.fields["acknowledge_flags"].required = True
        else:
            del self.fields["acknowledge_flags"]


def _close_action(outcome: str, description):
    def action(modeladmin, request, queryset):
        modeladmin.move_each(
            request, queryset, lambda rel: relationship_close(relationship=rel, by=request.user, outcome=outcome)
        )

    action.__name__ = f"close_{outcome}"
    return admin.action(description=description, permissions=["change"])(action)


@admin.register(Relationship)
class RelationshipAdmin(BigTableAdmin, HistoryAdmin):
    list_display = ("influencer", "campaign", "stage", "phase", "outcome", "owner", "next_contact_due")
    list_filter = ("stage", PhaseFilter, "outcome", "owner", OverdueFilter)
    search_fields = ("influencer__name", "campaign__name", "campaign__brand__name")
    list_select_related = ("influencer", "campaign__brand", "owner")
    autocomplete_fields = ("influencer", "campaign", "owner")
    # Everything the lifecycle services own; a person changes only the owner and the cadence here.
    lifecycle_fields = (
        "stage",
        "outcome",
        "last_contact_at",
        "next_contact_due",
        "off_topic_reason",
        "flag_reason",
        "flag_acknowledged_by",
        "thank_you",
        "thank_you_skip_reason",
        "shortlisted_at",
        "pitched_at",
        "accepted_at",
        "delivered_at",
        "closed_at",
        "created_at",
        "updated_at",
    )
    actions = (
        "pitch",
        "accept",
        "deliver",
        _close_action(Outcome.COMPLETED, _("Close as completed (thank-you queued)")),
        _close_action(Outcome.DECLINED, _("Close as declined (thank-you queued)")),
        _close_action(Outcome.NO_REPLY, _("Close as no reply (thank-you queued)")),
        _close_action(Outcome.DROPPED, _("Close as dropped (thank-you queued)")),
    )

    def get_fields(self, request, obj=None):
        if obj is None:
            return ("influencer", "campaign", "owner")
        return ("influencer", "campaign", "owner", "cadence_days", *self.lifecycle_fields)

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ()
        return ("influencer", "campaign", *self.lifecycle_fields)

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = type("ShortlistForm", (ShortlistForm,), {"by": request.user})
        return super().get_form(request, obj, change=change, **kwargs)

    def save_model(self, request, obj, form, change):
        if change:
            # The owner and the cadence go through the service: a new cadence restarts the relationship's clock.
            relationship_update(relationship=obj, by=request.user, **form.cleaned_data)
        # Added: shortlisted by the service as the form validated (ShortlistForm.clean); obj is that row.

    @admin.display(description=_("phase"))
    def phase(self, obj: Relationship) -> str:
        return Phase(obj.phase).label

    def move_each(self, request, queryset, move) -> None:
        """Apply one service to each selected relationship; a refusal names the relationship and stops only it."""
        for relationship in queryset.select_related("influencer", "campaign__brand"):
            try:
                move(relationship)
            except ValidationError as refused:
                self.message_user(
                    request,
                    _("%(relationship)s: %(reason)s")
                    % {"relationship": relationship, "reason": " ".join(refused.messages)},
                    messages.ERROR,
                )
                continue
            self.message_user(request, self._moved_message(relationship), messages.SUCCESS)

    def _moved_message(self, relationship: Relationship) -> str:
        text = _("%(relationship)s is now %(stage)s.") % {
            "relationship": relationship,
            "stage": relationship.get_stage_display(),
        }
        if relationship.thank_you == "queued":
            text += " " + _("A thank-you is queued.")
        elif relationship.thank_you == "skipped":
            text += " " + _("No thank-you: %(reason)s") % {"reason": relationship.thank_you_skip_reason}
        return text

    @admin.action(description=_("Pitch (one person at a time)"), permissions=["change"])
    def pitch(self, request, queryset):
        selected = list(queryset.select_related("influencer", "campaign__brand")[:2])
        if len(selected) != 1:
            # B3: messages are personal; no blast to a segment, even from the admin.
            self.message_user(request, _("Pitch one person at a time: select a single relationship."), messages.ERROR)
            return None
        relationship = selected[0]
        checks = pitch_checks(relationship=relationship)
        needs_a_decision = (checks.off_topic or checks.flags) and not (checks.brief_missing or checks.opted_out)
        if not needs_a_decision:
            # Clear, or blocked by a rule no reason can lift: the service pitches or says why not.
            self.move_each(request, queryset.filter(pk=relationship.pk), self._pitcher(request))
            return None
        form = PitchForm(request.POST if "apply" in request.POST else None, checks=checks)
        if form.is_bound and form.is_valid():
            self.move_each(request, queryset.filter(pk=relationship.pk), self._pitcher(request, **form.cleaned_data))
            return None
        return TemplateResponse(
            request,
            "admin/campaigns/relationship/pitch.html",
            {
                **self.admin_site.each_context(request),
                "title": _("Pitch %(person)s") % {"person": relationship.influencer},
                "opts": self.model._meta,
                "relationship": relationship,
                "checks": checks,
                "brief": pitch_text(campaign=relationship.campaign, influencer=relationship.influencer),
                "form": form,
                "action": "pitch",
                "action_checkbox_name": ACTION_CHECKBOX_NAME,
            },
        )

    @staticmethod
    def _pitcher(request, override_reason: str = "", acknowledge_flags: bool = False):
        def pitch(relationship):
            relationship_pitch(
                relationship=relationship,
                by=request.user,
                override_reason=override_reason,
                acknowledge_flags=acknowledge_flags,
            )

        return pitch

    @admin.action(description=_("Accept (they said yes)"), permissions=["change"])
    def accept(self, request, queryset):
        self.move_each(request, queryset, lambda rel: relationship_accept(relationship=rel, by=request.user))

    @admin.action(description=_("Mark delivered"), permissions=["change"])
    def deliver(self, request, queryset):
        self.move_each(request, queryset, lambda rel: relationship_deliver(relationship=rel, by=request.user))


class ReadOnlyAdmin(ModelAdmin):
    """Records the services write; the admin lists them for reading."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(StageChange)
class StageChangeAdmin(BigTableAdmin, ReadOnlyAdmin):
    list_display = ("changed_at", "relationship", "from_stage", "to_stage", "changed_by")
    list_filter = ("to_stage", "from_stage", ("changed_at", admin.DateFieldListFilter), "changed_by")
    search_fields = ("relationship__influencer__name", "relationship__campaign__name")
    list_select_related = ("relationship__influencer", "relationship__campaign__brand", "changed_by")


@admin.register(GuardrailEvent)
class GuardrailEventAdmin(BigTableAdmin, ReadOnlyAdmin):
    list_display = ("occurred_at", "relationship", "rule", "result", "by")
    # A date filter rather than a date hierarchy: the hierarchy reads the first and last dates and every distinct
    # year of the table on each page, two queries and a scan of every event.
    list_filter = ("rule", "result", ("occurred_at", admin.DateFieldListFilter), "by")
    search_fields = ("relationship__influencer__name", "relationship__campaign__name", "detail")
    list_select_related = ("relationship__influencer", "relationship__campaign__brand", "by")


@admin.register(DisclosureMarker)
class DisclosureMarkerAdmin(ModelAdmin):
    """The words and tags that say a post is paid for, looked for in every matched post of a sponsored campaign."""

    form = GuardedModelForm
    list_display = ("text", "created_at")
    search_fields = ("text",)


@admin.register(ContentMatch)
class ContentMatchAdmin(BigTableAdmin, ReadOnlyAdmin):
    """Posts read from feeds that mention a campaign: confirmed or dismissed by the owner on the board."""

    list_display = ("found_at", "relationship", "post", "matched", "status", "disclosure", "decided_by")
    list_filter = ("status", "disclosure", "exact", ("found_at", admin.DateFieldListFilter))
    search_fields = ("relationship__influencer__name", "relationship__campaign__name", "post__title", "matched")
    list_select_related = ("relationship__influencer", "relationship__campaign__brand", "post", "decided_by")
