"""The team's rules in the admin: one page, no list; who changed what is in its history."""

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core.admin.history import HistoryAdmin
from core.models import WEEKDAY_CHOICES, TeamRules
from core.rules import RULES_SECONDS


class TeamRulesForm(forms.ModelForm):
    sending_weekdays = forms.TypedMultipleChoiceField(
        label=_("sending days"),
        choices=WEEKDAY_CHOICES,
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Messages to influencers leave only on these days, in their own time zone."),
    )

    class Meta:
        model = TeamRules
        fields = [
            "guardrail_window_days",
            "guardrail_max_pitches",
            "pitch_follow_up_days",
            "default_cadence_days",
            "ambassador_cadence_days",
            "thank_you_delay_minutes",
            "sending_hour_start",
            "sending_hour_end",
            "sending_weekdays",
        ]


@admin.register(TeamRules)
class TeamRulesAdmin(HistoryAdmin):
    form = TeamRulesForm
    fieldsets = (
        (_("Guardrails"), {"fields": ("guardrail_window_days", "guardrail_max_pitches")}),
        (_("Clocks"), {"fields": ("pitch_follow_up_days", "default_cadence_days", "ambassador_cadence_days")}),
        (
            _("Messages"),
            {"fields": ("thank_you_delay_minutes", "sending_hour_start", "sending_hour_end", "sending_weekdays")},
        ),
    )

    def has_add_permission(self, request) -> bool:
        return False  # the one row is edited, never added (saving the defaults creates it)

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def changelist_view(self, request, extra_context=None):
        """A list of one row says nothing: its page opens directly."""
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        return redirect(reverse("admin:core_teamrules_change", args=[1]))

    def get_object(self, request, object_id, from_field=None):
        """Until a manager saves them, the rules are the environment's defaults: shown on the same page."""
        if str(object_id) != "1":
            return None
        # Read afresh, never the process's kept copy: the form writes its values into this instance, even those of
        # a POST it then refuses.
        return TeamRules.objects.filter(pk=1).first() or TeamRules.defaults()

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "subtitle": _("A change applies within %(seconds)d seconds everywhere.") % {"seconds": RULES_SECONDS},
        }
        return super().change_view(request, object_id, form_url, extra_context)
