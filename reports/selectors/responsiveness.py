"""Responsiveness: how many outbound contacts an inbound one answered within a week, and how fast the first reply came.

An outbound contact is answered by the person's next inbound contact, whatever the channel or the campaign.
Per owner means per team member who logged the outbound contact.
"""

import datetime

from django.db.models import Count, F, Q
from django.utils.translation import gettext_lazy as _

from crm.models import Contact, Influencer
from reports.filters import ReportFilters
from reports.selectors.base import DaysBetween, ReportResult, Table, medians, person, share

REPLY_WITHIN = datetime.timedelta(days=7)


def outbound_contacts(filters: ReportFilters):
    """Outbound contacts of the range, with their answer (kept on the row as contacts are logged: replied_at)."""
    contacts = Contact.objects.filter(
        direction=Contact.Direction.OUTBOUND, occurred_at__gte=filters.start, occurred_at__lt=filters.end
    ).filter(filters.campaign_q("relationship__"))
    if filters.owner_id:
        contacts = contacts.filter(logged_by_id=filters.owner_id)
    return contacts.annotate(reply_hours=DaysBetween("replied_at", "occurred_at") * 24)


def responsiveness_report(filters: ReportFilters, *, limit: int | None = None) -> ReportResult:
    contacts = outbound_contacts(filters)
    counted = {
        "outbound": Count("pk"),
        "answered": Count("pk", filter=Q(replied_at__lte=F("occurred_at") + REPLY_WITHIN)),
    }
    # Counted per owner and kind of person in one pass; each table's rows are sums over it.
    owner = ("logged_by_id", "logged_by__first_name", "logged_by__last_name", "logged_by__username")
    by_owner, by_kind = {}, {}
    for r in contacts.order_by().values(*owner, "influencer__kind").annotate(**counted):
        for groups, fields in ((by_owner, owner), (by_kind, ("influencer__kind",))):
            group = groups.setdefault(r[fields[0]], {**{f: r[f] for f in fields}, "outbound": 0, "answered": 0})
            group["outbound"] += r["outbound"]
            group["answered"] += r["answered"]
    by_owner, by_kind = list(by_owner.values()), list(by_kind.values())
    hours_by_owner = medians(contacts, F("reply_hours"), group="logged_by_id")
    hours_by_kind = medians(contacts, F("reply_hours"), group="influencer__kind")
    hours = medians(contacts, F("reply_hours")).get(None)

    owner_rows = sorted(
        (
            [
                person(r["logged_by__first_name"], r["logged_by__last_name"], r["logged_by__username"]),
                r["outbound"],
                r["answered"],
                share(r["answered"], r["outbound"]),
                hours_by_owner.get(r["logged_by_id"]),
            ]
            for r in by_owner
        ),
        key=lambda row: row[0],
    )
    kinds = dict(Influencer.Kind.choices)
    kind_rows = [
        [
            kinds.get(r["influencer__kind"], r["influencer__kind"]),
            r["outbound"],
            r["answered"],
            share(r["answered"], r["outbound"]),
            hours_by_kind.get(r["influencer__kind"]),
        ]
        for r in sorted(by_kind, key=lambda r: list(kinds).index(r["influencer__kind"]))
    ]
    outbound = sum(r["outbound"] for r in by_owner)
    answered = sum(r["answered"] for r in by_owner)
    columns = [_("outbound contacts"), _("answered within 7 days"), _("answered (%)"), _("median hours to reply")]
    return ReportResult(
        figures=[
            (_("outbound contacts"), outbound),
            (_("answered within 7 days (%)"), share(answered, outbound)),
            (_("median hours to the first reply"), hours),
        ],
        tables=[
            Table(_("Per owner"), [_("owner"), *columns], owner_rows),
            Table(_("Per kind of influencer"), [_("kind"), *columns], kind_rows),
        ],
        chart={
            "type": "bar",
            "labels": [str(row[0]) for row in owner_rows + kind_rows],
            "datasets": [{"label": str(_("answered (%)")), "data": [row[3] for row in owner_rows + kind_rows]}],
        },
    )
