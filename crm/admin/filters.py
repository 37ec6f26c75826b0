"""List filters shared by the people and the campaign admins."""

from django.contrib import admin
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from crm.models import Tier, tier_bounds


class TierFilter(admin.SimpleListFilter):
    """Tier is derived from `audience`, so it filters on the audience range in SQL (indexed)."""

    title = _("tier")
    parameter_name = "tier"

    def lookups(self, request, model_admin):
        return Tier.choices

    def queryset(self, request, queryset):
        if self.value() not in Tier.values:
            return queryset
        low, high = tier_bounds(self.value())
        queryset = queryset.filter(audience__gte=low)
        return queryset.filter(audience__lt=high) if high is not None else queryset


class OverdueFilter(admin.SimpleListFilter):
    """Whose contact is overdue: next contact due before today (a missing date is never overdue)."""

    title = _("contact")
    parameter_name = "overdue"

    def lookups(self, request, model_admin):
        return [("yes", _("overdue")), ("no", _("not overdue"))]

    def queryset(self, request, queryset):
        today = timezone.localdate()
        if self.value() == "yes":
            return queryset.filter(next_contact_due__lt=today)
        if self.value() == "no":
            return queryset.exclude(next_contact_due__lt=today)
        return queryset
