"""Every page's text is readable: its colour against what is behind it meets WCAG AA (4.5:1, 3:1 for large text).

The reports overview's card titles were links of rgb(65,120,147) on rgb(65,118,144), 1.03:1 (issue 14). The
check runs in the page: it walks the visible text, takes each one's colour and the first opaque background
behind it (its own or an ancestor's, semi-transparent ones blended on the way), and returns what falls short.
Every page of the UI (each URL a marketer may read, from tests/access_rules.py) and every report (the admin's
overview and each report) is walked, on a small community so that lists, badges and cards are drawn.
"""

from pathlib import Path

import pytest
from django.utils import timezone

from campaigns.models import Stage
from messaging.unsubscribe import make_token
from reports.registry import REPORTS
from tests.access_rules import ANONYMOUS, MARKETER, PAGES
from tests.browser.steps import log_in
from tests.browser.test_csp import admin_log_in
from tests.factories import (
    AudienceSnapshotFactory,
    CampaignFactory,
    ChannelFactory,
    ContactFactory,
    ExchangeFactory,
    InfluencerFactory,
    RelationshipFactory,
)
from tests.messaging.factories import MailboxFactory, MessageFactory, MessageTemplateFactory
from tests.messaging.unknown_factories import SharedMailboxFactory, UnknownSenderFactory
from tests.urlwalk import all_routes

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LOW_CONTRAST = (Path(__file__).parent / "low_contrast.js").read_text()


@pytest.fixture
def community(bob):
    """A little of everything a page can show: people with channels and figures, a campaign with one relationship
    at each stage, contacts, the ledger, messages scheduled and failed, a template, bob's own mailbox, and a
    stranger's mail in his shared one."""
    campaign = CampaignFactory(name="Spring range", topics=["lifestyle"], owner=bob)
    at = {}
    for n, stage in enumerate(Stage.values):
        person = InfluencerFactory(name=f"Person {n}", owner=bob, topics=["lifestyle"], cadence_days=30)
        channel = ChannelFactory(influencer=person)
        AudienceSnapshotFactory(channel=channel)
        relationship = RelationshipFactory(influencer=person, campaign=campaign, owner=bob, stage=stage)
        ContactFactory(influencer=person, relationship=relationship, logged_by=bob)
        ExchangeFactory(influencer=person, relationship=relationship)
        at[stage] = relationship
    lea = at[Stage.ACTIVE].influencer
    lea.next_contact_due = timezone.localdate()
    lea.save()
    message = MessageFactory(influencer=lea, relationship=at[Stage.ACTIVE], created_by=bob)
    MessageFactory(influencer=lea, created_by=bob, status="failed", last_error="550 No such user")
    MessageTemplateFactory(language=lea.language)
    MailboxFactory(owner=bob)
    stranger = UnknownSenderFactory(mailbox=SharedMailboxFactory(owner=bob))
    return {
        "Influencer": lea.pk,
        "Campaign": campaign.pk,
        "Channel": lea.channels.first().pk,
        "Message": message.pk,
        "relationships": {move: at[stage].pk for move, stage in MOVES.items()},
        "Relationship": at[Stage.ACTIVE].pk,  # its posts found in feeds (campaigns:content_review)
        "token": make_token(lea),
        "UnknownSender": stranger.pk,
    }


MOVES = {"pitch": Stage.SHORTLISTED, "accept": Stage.PITCHED, "deliver": Stage.ACTIVE, "close": Stage.DELIVERED}


def ui_pages(ids: dict, role: str) -> list[str]:
    """Each page of the UI that answers `role` with a page (200), with the community's ids."""
    paths = []
    for route in all_routes():
        page = PAGES.get(route.name)
        if route.is_admin or page is None or page.get is None or role not in page.get:
            continue
        answer = page.answer_get.get(role) if isinstance(page.answer_get, dict) else page.answer_get
        if answer != 200:
            continue
        values = {}
        for name in route.params:
            if name == "token":
                values[name] = ids["token"]
            elif route.name.startswith("campaigns:relationship_"):
                values[name] = ids["relationships"][route.name.removeprefix("campaigns:relationship_")]
            else:
                values[name] = ids[page.pk.__name__]
        path = route.fill(**values)
        if page.query:
            path += "?" + page.query.format(influencer=ids["Influencer"])
        paths.append(path)
    return paths


def offenders_on(page, paths: list[str]) -> dict[str, list[str]]:
    found = {}
    for path in paths:
        response = page.goto(path)
        page.wait_for_load_state("networkidle")  # the reports overview fills its cards after the load
        assert response.ok, f"{path}: {response.status}"
        if not response.headers["content-type"].startswith("text/html"):
            continue  # the health check's JSON
        if low := page.evaluate(LOW_CONTRAST):
            found[path] = low
    return found


def test_every_page_of_the_ui_has_readable_text(page_in, bob, community):
    public, members = ui_pages(community, ANONYMOUS), ui_pages(community, MARKETER)
    page = page_in()
    found = offenders_on(page, public)
    log_in(page, "bob", "pw-bob")

    # The search page with results: people; a campaign and its status, a brand.
    found |= offenders_on(page, [*members, "/search/?q=Person", "/search/?q=an"])

    assert {"/login/", "/", "/influencers/", "/messages/", "/messages/failed/"} <= {*public, *members}
    assert found == {}


def test_every_report_has_readable_text(page_in, alice, community):
    page = page_in()
    admin_log_in(page, "alice", "pw-alice")

    found = offenders_on(page, ["/admin/", "/admin/reports/report/", *(f"/admin/reports/report/{s}/" for s in REPORTS)])

    assert found == {}


def test_no_page_of_the_ui_scrolls_sideways_on_a_phone(page_in, bob, community):
    """Issue 18: every page at 390 px, in French (its words are the longest), signed out and as a marketer."""
    page = page_in("fr-FR")
    page.set_viewport_size({"width": 390, "height": 844})
    wide = {}

    def measure(paths: list[str]) -> None:
        for path in paths:
            response = page.goto(path)
            page.wait_for_load_state("networkidle")
            if not response.headers["content-type"].startswith("text/html"):
                continue
            if (width := page.evaluate("document.documentElement.scrollWidth")) > 390:
                wide[path] = width

    measure(ui_pages(community, ANONYMOUS))
    log_in(page, "bob", "pw-bob")
    members = ui_pages(community, MARKETER)
    measure([*members, "/search/?q=Person"])

    assert len(members) > 20
    assert wide == {}
