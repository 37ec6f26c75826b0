"""List filters shared by the people and the campaign admins."""

from django.contrib import admin
from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from crm.models import Influencer, Tier, tier_bounds


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


class RegionFilter(admin.SimpleListFilter):
    """The regions people live in, read by hopping through the region index once per region.

    Django's "all values" filter asks for SELECT DISTINCT region: a walk over all 100,000 index entries to find a
    couple of dozen values, on every page of the list. Each step here asks for the next region after the last one
    found (a "loose index scan" as a recursive query), so it reads about as many entries as there are regions.
    """

    title = _("region")
    parameter_name = "region"

    def lookups(self, request, model_admin):
        table = connection.ops.quote_name(Influencer._meta.db_table)  # the model's, not the request's
        sql = (
            f"WITH RECURSIVE found(region) AS (SELECT MIN(region) FROM {table} UNION ALL"
            f" SELECT (SELECT MIN(region) FROM {table} WHERE region > found.region) FROM found"
            " WHERE found.region IS NOT NULL) SELECT region FROM found WHERE region IS NOT NULL AND region <> ''"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql)
            return [(region, region) for (region,) in cursor.fetchall()]

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(region=self.value())
        return queryset
