"""Today: who needs news from me, what I logged lately, my messages (scheduled, failed), the open campaigns."""

from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from campaigns.models import OPEN_STAGES, Campaign, Relationship
from campaigns.selectors import who_needs_news
from crm.links import PkUrl
from crm.models import Contact, Influencer
from messaging.models import Message

NEWS_ROWS = 25  # per section: overdue, due this week
RECENT_CONTACTS = 10
OPEN_CAMPAIGNS = 10
SCHEDULED_MESSAGES = 10
FAILED_MESSAGES = 10
FAILED_DAYS = 14


@dataclass(frozen=True)
class NewsRow:
    """One line of "who needs news": a relationship on a campaign, or a person between campaigns."""

    influencer: Influencer
    relationship: Relationship | None
    due: date
    is_overdue: bool
    # Links reversed once per pattern for the page's 50 rows (crm.links), not by {% url %} on each row.
    person_url: str
    campaign_url: str


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    # The first rows of each section and their totals, cut in SQL: a marketer may own 28,000 people.
    news = who_needs_news(owner=request.user, today=today, limit=NEWS_ROWS)
    person_url, board_url = PkUrl("crm:influencer_detail"), PkUrl("campaigns:campaign_board")
    rows = [
        NewsRow(
            r.influencer, r, r.next_contact_due, r.is_overdue, person_url(r.influencer_id), board_url(r.campaign_id)
        )
        for r in news.relationships
    ]
    rows += [NewsRow(p, None, p.next_contact_due, p.is_overdue, person_url(p.pk), "") for p in news.people]
    rows.sort(key=lambda row: (row.due, row.influencer.name.lower(), row.influencer.pk))
    totals = {True: 0, False: 0}
    for row in [*news.relationships, *news.people]:
        # Every row of a section carries its source's total for the section: its first row says it once.
        if row.position == 1:
            totals[row.is_overdue] += row.section_total
    overdue = [row for row in rows if row.is_overdue][:NEWS_ROWS]
    this_week = [row for row in rows if not row.is_overdue][:NEWS_ROWS]
    directory = reverse("crm:influencer_list")
    my_people = f"owner={request.user.pk}&sort=due&per_page=100"

    recent_contacts = (
        Contact.objects.filter(logged_by=request.user)
        .select_related("influencer", "relationship__campaign__brand")
        .order_by("-occurred_at", "-pk")[:RECENT_CONTACTS]
    )
    open_campaigns = (
        Campaign.objects.exclude(status=Campaign.Status.FINISHED)
        .select_related("brand")
        # Counted for the ten campaigns shown (a subquery runs after the LIMIT), not grouped over every open one.
        .annotate(open_relationships=Coalesce(_open_relationships_count(), 0))
        .order_by("ends_on", "name")[:OPEN_CAMPAIGNS]
    )
    scheduled = _my_messages(request.user, ["send_at", "pk"], SCHEDULED_MESSAGES, status=Message.Status.SCHEDULED)
    failed = _my_messages(
        request.user,
        ["-updated_at", "-pk"],
        FAILED_MESSAGES,
        status=Message.Status.FAILED,
        updated_at__gte=timezone.now() - timedelta(days=FAILED_DAYS),
    )
    return render(
        request,
        "crm/home.html",
        {
            "overdue": overdue,
            "overdue_total": totals[True],
            "overdue_more": totals[True] - len(overdue),
            "overdue_url": f"{directory}?{my_people}&overdue=on",
            "this_week": this_week,
            "this_week_total": totals[False],
            "this_week_more": totals[False] - len(this_week),
            "this_week_url": f"{directory}?{my_people}&due_this_week=on",
            "recent_contacts": recent_contacts,
            "scheduled_messages": scheduled,
            "failed_messages": failed,
            "open_campaigns": open_campaigns,
            "today": today,
            "log_url": reverse("crm:contact_log"),
        },
    )


def _open_relationships_count() -> Subquery:
    return Subquery(
        Relationship.objects.filter(campaign_id=OuterRef("pk"), stage__in=OPEN_STAGES)
        .order_by()
        .values("campaign_id")
        .annotate(total=Count("pk"))
        .values("total")
    )


def _my_messages(user, order: list[str], limit: int, **conditions):
    """The first `limit` follow-ups and thank-yous in `order` that are mine (and meet `conditions`): I wrote them,
    or the person or the relationship is mine.

    Not one OR across three joins, which no index could serve (0.8 s of SQL for a manager at 200,000 messages):
    each of the three is searched through its own index and cut to its own first `limit`, and the page's rows
    are the first `limit` of those few (at most 3 × `limit` ids: the database never matches against thousands).
    Stand-in for a messaging selector (services.digests_queue reads the same set for the morning digest).
    """
    mine = Message.objects.filter(kind__in=Message.TO_INFLUENCERS, **conditions).order_by(*order)
    first = [
        # Each cut wrapped in an IN of its own: SQLite refuses a LIMIT directly inside a UNION.
        Message.objects.filter(pk__in=mine.filter(**{whose: user}).values("pk")[:limit]).order_by().values("pk")
        for whose in ("created_by", "relationship__owner", "influencer__owner")
    ]
    return (
        Message.objects.filter(pk__in=first[0].union(*first[1:], all=True))
        .select_related("influencer", "relationship__campaign__brand")
        .defer("body", "claim", "claimed_at")
        .order_by(*order)[:limit]
    )
