"""Today: who needs news from me, what I logged lately, the campaigns that are open."""

from dataclasses import dataclass
from datetime import date

from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from campaigns.models import OPEN_STAGES, Campaign, Relationship
from campaigns.selectors import who_needs_news
from crm.models import Contact, Influencer

RECENT_CONTACTS = 10
OPEN_CAMPAIGNS = 10


@dataclass(frozen=True)
class NewsRow:
    """One line of "who needs news": a relationship on a campaign, or a person between campaigns."""

    influencer: Influencer
    relationship: Relationship | None
    due: date
    is_overdue: bool


def home(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    news = who_needs_news(owner=request.user, today=today)
    # Split in Python what the two queries returned: overdue first, then due this week.
    rows = [NewsRow(r.influencer, r, r.next_contact_due, r.is_overdue) for r in news.relationships]
    rows += [NewsRow(p, None, p.next_contact_due, p.is_overdue) for p in news.people]
    rows.sort(key=lambda row: (row.due, row.influencer.name.lower(), row.influencer.pk))
    overdue = [row for row in rows if row.is_overdue]
    this_week = [row for row in rows if not row.is_overdue]

    recent_contacts = (
        Contact.objects.filter(logged_by=request.user)
        .select_related("influencer", "relationship__campaign__brand")
        .order_by("-occurred_at", "-pk")[:RECENT_CONTACTS]
    )
    open_campaigns = (
        Campaign.objects.exclude(status=Campaign.Status.FINISHED)
        .select_related("brand")
        .annotate(open_relationships=Count("relationships", filter=Q(relationships__stage__in=OPEN_STAGES)))
        .order_by("ends_on", "name")[:OPEN_CAMPAIGNS]
    )
    return render(
        request,
        "crm/home.html",
        {
            "overdue": overdue,
            "this_week": this_week,
            "recent_contacts": recent_contacts,
            "open_campaigns": open_campaigns,
            "today": today,
        },
    )
