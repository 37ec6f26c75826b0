"""Today: who needs news from me, what I logged lately, my messages (scheduled, failed), the open campaigns."""

from dataclasses import dataclass
from datetime import date
from urllib.parse import quote, urlencode

from django.contrib.humanize.templatetags.humanize import naturalday
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET

from campaigns.models import OPEN_STAGES, Campaign, Relationship, Stage
from campaigns.selectors import who_needs_news
from core.links import PkUrl
from crm.models import Contact, Influencer
from messaging.models import Message
from messaging.selectors import attention_for, my_failed_messages, my_messages

NEWS_ROWS = 25  # per section: overdue, due this week
RECENT_CONTACTS = 10
OPEN_CAMPAIGNS = 10
SCHEDULED_MESSAGES = 10
FAILED_MESSAGES = 10
BOUNCING_PEOPLE = 10

# What each list of the page shows, and no more (a person row is 20 columns, a relationship 21).
NEWS_RELATIONSHIP_FIELDS = ("influencer_id", "campaign_id", "stage", "next_contact_due", "influencer__name")
NEWS_RELATIONSHIP_FIELDS += ("campaign__name", "campaign__brand__name")
NEWS_PERSON_FIELDS = ("name", "next_contact_due")
RECENT_CONTACT_FIELDS = ("influencer__name", "kind", "direction", "occurred_at", "summary")
RECENT_CONTACT_FIELDS += ("relationship__campaign__name", "relationship__campaign__brand__name")


@dataclass(frozen=True)
class NewsRow:
    """One line of "who needs news": a relationship on a campaign, or a person between campaigns.

    Besides the row's objects, what it shows, made once in the view for the page's 50 rows: links reversed once
    per pattern (core.links), and the due day's labels once per day, rather than {% url %}, date filters,
    {% blocktranslate %} and an include on each row (they were most of the page's rendering).
    """

    influencer: Influencer
    relationship: Relationship | None
    due: date
    is_overdue: bool
    person_url: str
    campaign_url: str
    due_label: str  # "today", "tomorrow", or the short date
    late: str  # "3 days late" when overdue
    log_query: str  # the contact form's query: this person, and this relationship if any
    stage_label: str  # the relationship's stage, translated ("" for a person between campaigns)


def _due_labels(due: date, today: date) -> tuple[str, str]:
    """The due day as the row shows it, and how late it is, in whole days: a due date has no hour, so "6 days,
    23 hours late" (timesince from its midnight) said more than it knows."""
    days = (today - due).days
    late = ngettext("%(days)s day late", "%(days)s days late", days) % {"days": number_format(days)} if days > 0 else ""
    return naturalday(due, "SHORT_DATE_FORMAT"), late


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    # The first rows of each section and their totals, cut in SQL: a marketer may own 28,000 people.
    news = who_needs_news(owner=request.user, today=today, limit=NEWS_ROWS)
    # Only the columns a row shows: the window sorts and counts every due row of the owner (1,400 for the busiest
    # marketer) before the cut, and carrying whole people, campaigns and owners through it cost more than the cut.
    relationships = news.relationships.select_related(None).select_related("influencer", "campaign__brand")
    relationships = relationships.only(*NEWS_RELATIONSHIP_FIELDS)
    people = news.people.select_related(None).only(*NEWS_PERSON_FIELDS)
    person_url, board_url = PkUrl("crm:influencer_detail"), PkUrl("campaigns:campaign_board")
    # The page's rows share a few days: each day's labels are made once.
    labels = {due: _due_labels(due, today) for due in {row.next_contact_due for row in [*relationships, *people]}}
    rows = [_news_row(r.influencer, r, person_url, board_url(r.campaign_id), labels) for r in relationships]
    rows += [_news_row(p, None, person_url, "", labels) for p in people]
    rows.sort(key=lambda row: (row.due, row.influencer.name.lower(), row.influencer.pk))
    totals = {True: 0, False: 0}
    for row in [*relationships, *people]:
        # Every row of a section carries its source's total for the section: its first row says it once.
        if row.position == 1:
            totals[row.is_overdue] += row.section_total
    overdue = [row for row in rows if row.is_overdue][:NEWS_ROWS]
    this_week = [row for row in rows if not row.is_overdue][:NEWS_ROWS]
    directory = reverse("crm:influencer_list")
    my_people = f"owner={request.user.pk}&sort=due&per_page=100"

    recent_contacts = list(
        Contact.objects.filter(logged_by=request.user)
        .select_related("influencer", "relationship__campaign__brand")
        .only(*RECENT_CONTACT_FIELDS)
        .order_by("-occurred_at", "-pk")[:RECENT_CONTACTS]
    )
    open_campaigns = list(
        Campaign.objects.exclude(status=Campaign.Status.FINISHED)
        .select_related("brand")
        .only("name", "status", "ends_on", "brand__name")
        # Counted for the ten campaigns shown (a subquery runs after the LIMIT), not grouped over every open one.
        .annotate(open_relationships=Coalesce(_open_relationships_count(), 0))
        .order_by("ends_on", "name")[:OPEN_CAMPAIGNS]
    )
    scheduled = my_messages(
        request.user, order=["send_at", "pk"], limit=SCHEDULED_MESSAGES, status=Message.Status.SCHEDULED
    )
    failed = my_failed_messages(request.user, limit=FAILED_MESSAGES)
    scheduled, failed = list(scheduled), list(failed)
    # The true number, not the ten shown: 50 failed read "10", with no way to the other 40. Counted in one query
    # with the bouncing people the mail from unknown senders and my mailbox's
    # health (messaging.selectors.attention_for).
    attention = attention_for(request.user, limit=BOUNCING_PEOPLE)
    failed_total = attention.failed_total
    for item in [*recent_contacts, *scheduled, *failed]:
        item.person_url = person_url(item.influencer_id)
    for campaign in open_campaigns:
        campaign.board_url = board_url(campaign.pk)
    return render(
        request,
        "desk/home.html",
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
            "failed_total": failed_total,
            "failed_more": failed_total - len(failed),
            "open_campaigns": open_campaigns,
            "bouncing_people": attention.bouncing,
            "unknown_total": attention.unknown_total,
            # My mailbox when it has not synced lately (templates/desk/_mailbox_warning.html), else None.
            "stale_mailbox": attention.stale_mailbox,
            "today": today,
            "log_url": reverse("crm:contact_log"),
            # The same for every row's "Log a contact": where the form goes back to, and whether it is offered.
            "log_next": quote(request.get_full_path()),
            # Asked only when there are rows: the permissions cost a query, which a page without rows never ran.
            "can_log": bool(overdue or this_week) and request.user.has_perm("crm.add_contact"),
        },
    )


def _news_row(person: Influencer, relationship, person_url: PkUrl, campaign_url: str, labels: dict) -> NewsRow:
    row = relationship or person
    due_label, late = labels[row.next_contact_due]
    query = {"influencer": person.pk} | ({"relationship": relationship.pk} if relationship else {})
    return NewsRow(
        person,
        relationship,
        row.next_contact_due,
        row.is_overdue,
        person_url(person.pk),
        campaign_url,
        due_label,
        late,
        f"?{urlencode(query)}",
        # Stage(value).label, not get_stage_display(), which translates every stage's label to find one.
        str(Stage(relationship.stage).label) if relationship else "",
    )


def _open_relationships_count() -> Subquery:
    return Subquery(
        Relationship.objects.filter(campaign_id=OuterRef("pk"), stage__in=OPEN_STAGES)
        .order_by()
        .values("campaign_id")
        .annotate(total=Count("pk"))
        .values("total")
    )
