"""Today: bob's overdue and due-this-week people and relationships, his recent contacts, the open campaigns."""

import datetime

import pytest
from django.urls import reverse

from campaigns.models import Campaign, Stage
from tests.factories import CampaignFactory, ContactFactory, InfluencerFactory, RelationshipFactory, paris
from tests.messaging.factories import MessageFactory

NOW = paris(2026, 3, 2, 10)
TODAY = NOW.date()
# Session, user, the user's permissions (own and groups', one query), two "who needs news" queries, recent
# contacts, scheduled messages, failed messages, open campaigns. The same whether bob has 3 or 30 people to call.
TODAY_QUERIES = 9


@pytest.fixture(autouse=True)
def frozen(time_machine):
    time_machine.move_to(NOW, tick=False)


def _due(days: int) -> datetime.date:
    return TODAY + datetime.timedelta(days=days)


@pytest.fixture
def bobs_day(db, bob, dave):
    campaign = CampaignFactory(name="Spring range")
    rows = {
        "late relationship": RelationshipFactory(
            influencer=InfluencerFactory(name="Léa"),
            campaign=campaign,
            owner=bob,
            stage=Stage.ACTIVE,
            next_contact_due=_due(-2),
        ),
        "soon relationship": RelationshipFactory(
            influencer=InfluencerFactory(name="Marc"),
            campaign=campaign,
            owner=bob,
            stage=Stage.PITCHED,
            next_contact_due=_due(3),
        ),
        "later relationship": RelationshipFactory(
            influencer=InfluencerFactory(name="Zoé"),
            campaign=campaign,
            owner=bob,
            stage=Stage.ACTIVE,
            next_contact_due=_due(20),
        ),
        "daves relationship": RelationshipFactory(
            influencer=InfluencerFactory(name="Daves Person"),
            campaign=campaign,
            owner=dave,
            stage=Stage.ACTIVE,
            next_contact_due=_due(-5),
        ),
    }
    rows["late person"] = InfluencerFactory(
        name="Ambassador Anna", owner=bob, cadence_days=30, next_contact_due=_due(-1)
    )
    rows["soon person"] = InfluencerFactory(name="Ambassador Bea", owner=bob, cadence_days=30, next_contact_due=_due(6))
    return rows


def _section(html: str, title_id: str) -> str:
    start = html.index(f'id="{title_id}"')
    end = html.find("<section", start)
    return html[start : end if end != -1 else len(html)]


def test_today_lists_my_overdue_then_due_this_week_relationships_and_people(client, bob, bobs_day):
    client.force_login(bob)

    html = client.get(reverse("home")).content.decode()

    overdue, this_week = _section(html, "overdue-title"), _section(html, "week-title")
    assert "Léa" in overdue and "Ambassador Anna" in overdue
    assert "Marc" not in overdue and "Ambassador Bea" not in overdue
    assert "Marc" in this_week and "Ambassador Bea" in this_week
    assert "Zoé" not in html, "due in 20 days: not this week"
    assert "Daves Person" not in html, "dave's relationship is on dave's Today"


def test_today_shows_my_recent_contacts_and_the_open_campaigns(client, bob, dave, bobs_day):
    ContactFactory(influencer=bobs_day["late person"], logged_by=bob, summary="Talked about the spring range")
    ContactFactory(influencer=bobs_day["late person"], logged_by=dave, summary="Dave's own call")
    CampaignFactory(name="Old operation", status=Campaign.Status.FINISHED)
    client.force_login(bob)

    html = client.get(reverse("home")).content.decode()

    assert "Talked about the spring range" in html
    assert "Dave&#x27;s own call" not in html and "Dave's own call" not in html
    campaigns = _section(html, "campaigns-title")
    assert "Spring range" in campaigns and "Old operation" not in campaigns


def test_each_row_opens_the_log_contact_form_for_that_person_and_campaign(client, bob, bobs_day):
    client.force_login(bob)
    late = bobs_day["late relationship"]

    html = client.get(reverse("home")).content.decode()

    url = f"{reverse('crm:contact_log')}?influencer={late.influencer_id}&amp;relationship={late.pk}"
    assert f'hx-get="{url}"' in html
    assert 'hx-target="#contact-modal-content"' in html
    assert 'id="contact-modal"' in html
    assert 'hx-trigger="contactLogged from:body"' in html


def test_a_viewer_sees_today_without_log_buttons(client, carol, bob):
    RelationshipFactory(
        owner=carol, stage=Stage.ACTIVE, next_contact_due=_due(-1), influencer=InfluencerFactory(name="Léa")
    )
    client.force_login(carol)

    response = client.get(reverse("home"))

    assert response.status_code == 200
    assert "Léa" in response.content.decode()
    assert "Log contact" not in response.content.decode()


def _bobs_people(bob, count: int) -> None:
    campaign = CampaignFactory()
    for n in range(count):
        person = InfluencerFactory(owner=bob, cadence_days=30, next_contact_due=_due(n % 5 - 2))
        RelationshipFactory(campaign=campaign, owner=bob, stage=Stage.ACTIVE, next_contact_due=_due(n % 7 - 3))
        ContactFactory(influencer=person, logged_by=bob)
        CampaignFactory(status=Campaign.Status.RUNNING)
        MessageFactory(influencer=person, created_by=bob, send_at=NOW + datetime.timedelta(hours=n + 1))
        MessageFactory(influencer=person, created_by=bob, status="failed", last_error="550 mailbox unknown")


@pytest.mark.parametrize("rows", [3, 30])
def test_today_costs_the_same_number_of_queries_at_3_and_30_rows(client, bob, django_assert_num_queries, rows):
    _bobs_people(bob, rows)
    client.force_login(bob)

    with django_assert_num_queries(TODAY_QUERIES):
        response = client.get(reverse("home"))

    assert response.status_code == 200
    assert response.content.decode().count("Log contact<span") >= min(rows * 2, 20)
    assert len(response.context["scheduled_messages"]) == min(rows, 10)
    assert len(response.context["failed_messages"]) == min(rows, 10)
