"""The person's admin page: their latest campaigns, contacts and exchanges, as read-only tables.

These rows are written through the services (clocks, rules), so the page only shows them. They were read-only
inlines: three formsets of ten forms, each with its hidden inputs and read-only field wrappers, rendered through
the admin's inline templates. That was half of the page's time (~55 ms of ~120 ms with the 2,800-contact person
of the benchmark). Here each table is one query and a loop in one small template; each row links to its own page,
and each table to its full list, filtered to the person.
"""

from dataclasses import dataclass

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


def latest_tables(person: Influencer, user) -> list[Table]:
    campaigns = Relationship.objects.select_related("campaign__brand", "owner").order_by("-updated_at", "-id")
    contacts = Contact.objects.select_related("logged_by", "relationship__campaign__brand").order_by("-occurred_at")
    exchanges = Exchange.objects.select_related("relationship__campaign__brand").order_by("-occurred_on", "-id")
    return [
        _table(
            _("latest campaigns (moves go through the relationship's actions)"),
            campaigns.filter(influencer=person),
            ["campaign", "stage", "outcome", "owner", "next_contact_due"],
            lambda r: [r.campaign, r.get_stage_display(), r.get_outcome_display(), _name(r.owner), r.next_contact_due],
            person,
            user,
        ),
        _table(
            _("latest contacts"),
            contacts.filter(influencer=person),
            ["occurred_at", "kind", "direction", "summary", "relationship", "logged_by"],
            lambda c: [
                c.occurred_at,
                c.get_kind_display(),
                c.get_direction_display(),
                c.summary,
                _campaign(c.relationship),
                _name(c.logged_by),
            ],
            person,
            user,
        ),
        _table(
            _("latest exchanges (given and received)"),
            exchanges.filter(influencer=person),
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
            person,
            user,
        ),
    ]


def _table(title, queryset: QuerySet, fields: list[str], cells, person: Influencer, user) -> Table:
    opts = queryset.model._meta
    may_open = user.has_perm(f"{opts.app_label}.view_{opts.model_name}") or user.has_perm(
        f"{opts.app_label}.change_{opts.model_name}"
    )
    change = f"admin:{opts.app_label}_{opts.model_name}_change"
    rows = [
        Row(reverse(change, args=[obj.pk]) if may_open else None, cells(obj))
        for obj in queryset[:LATEST_ROWS]  # fmt: skip
    ]
    everything = f"{reverse(f'admin:{opts.app_label}_{opts.model_name}_changelist')}?influencer__id__exact={person.pk}"
    headers = [
        _("Campaign") if name == "relationship" else capfirst(opts.get_field(name).verbose_name) for name in fields
    ]
    return Table(title, headers, rows, everything)


def _name(user: Model | None) -> str | None:
    return None if user is None else (user.get_full_name() or user.get_username())


def _campaign(relationship: Relationship | None):
    return None if relationship is None else relationship.campaign
