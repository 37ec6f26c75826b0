"""The person's admin page: their latest campaigns, contacts and exchanges, as read-only tables.

These rows are written through the services (clocks, rules), so the page only shows them. They were read-only
inlines: three formsets of ten forms, each with its hidden inputs and read-only field wrappers, rendered through
the admin's inline templates. That was half of the page's time with the benchmark's largest person
(docs/PERFORMANCE.md). Here each table is one query and a loop in one small template; each row links to its own page,
and each table to its full list, filtered to the person.
"""

from dataclasses import dataclass

from django.contrib.admin.templatetags.admin_urls import admin_urlname
from django.db.models import Model, QuerySet
from django.urls import reverse
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from campaigns.models import Relationship
from crm.models import Contact, Exchange, Influencer

LATEST_ROWS = 10


@dataclass
class Row:
    url: str | None  # the row's admin page, when the user may open it
    cells: list


@dataclass
class Table:
    title: str
    headers: list[str]
    rows: list[Row]
    everything_url: str  # the model's admin list, filtered to the person


def latest_tables(person: Influencer, request, admin_site) -> list[Table]:
    def table(title, queryset: QuerySet, fields: list[str], cells) -> Table:
        opts = queryset.model._meta
        # A row links to its page when the admin would let this user open it (its show_change_link, as an inline).
        may_open = admin_site.get_model_admin(queryset.model).has_view_or_change_permission(request)
        rows = [
            Row(reverse(admin_urlname(opts, "change"), args=[obj.pk]) if may_open else None, cells(obj))
            for obj in queryset.filter(influencer=person)[:LATEST_ROWS]
        ]
        everything = f"{reverse(admin_urlname(opts, 'changelist'))}?influencer__id__exact={person.pk}"
        headers = [
            _("Campaign") if name == "relationship" else capfirst(opts.get_field(name).verbose_name) for name in fields
        ]
        return Table(title, headers, rows, everything)

    return [
        table(
            _("latest campaigns (moves go through the relationship's actions)"),
            Relationship.objects.select_related("campaign__brand", "owner").order_by("-updated_at", "-id"),
            ["campaign", "stage", "outcome", "owner", "next_contact_due"],
            lambda r: [r.campaign, r.get_stage_display(), r.get_outcome_display(), _name(r.owner), r.next_contact_due],
        ),
        table(
            _("latest contacts"),
            Contact.objects.select_related("logged_by", "relationship__campaign__brand").order_by("-occurred_at"),
            ["occurred_at", "kind", "direction", "summary", "relationship", "logged_by"],
            lambda c: [
                c.occurred_at,
                c.get_kind_display(),
                c.get_direction_display(),
                c.summary,
                _campaign(c.relationship),
                _name(c.logged_by),
            ],
        ),
        table(
            _("latest exchanges (given and received)"),
            Exchange.objects.select_related("relationship__campaign__brand").order_by("-occurred_on", "-id"),
            ["occurred_on", "direction", "kind", "value", "reach", "url", "relationship"],
            lambda e: [
                e.occurred_on,
                e.get_direction_display(),
                e.get_kind_display(),
                e.value,
                e.reach,
                e.url,
                _campaign(e.relationship),
            ],
        ),
    ]


def _name(user: Model | None) -> str | None:
    return None if user is None else (user.get_full_name() or user.get_username())


def _campaign(relationship: Relationship | None):
    return None if relationship is None else relationship.campaign
