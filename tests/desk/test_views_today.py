"""Today: bob's overdue and due-this-week people and relationships, his recent contacts, the open campaigns."""

import datetime
import re

import pytest
from django.urls import reverse

from campaigns.models import Campaign, Stage
from desk.views.today import NEWS_ROWS
from tests.factories import CampaignFactory, ContactFactory, InfluencerFactory, RelationshipFactory, paris
from tests.messaging.factories import MailboxFactory, MessageFactory

NOW = paris(2026, 3, 2, 10)
TODAY = NOW.date()
# Session, user, the user's permissions (own and groups', one query), two "who needs news" queries, recent
# contacts, scheduled messages, failed messages (each row carrying how many), open campaigns, bob's mailbox if it
# lags. The same whether bob has 3 or 30 people to call.
TODAY_QUERIES = 10


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
    assert "Log a contact<span" not in response.content.decode()


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
    client.get(reverse("home"))  # a process's first read pays one-off probes (SQLite's JSON support): not counted

    with django_assert_num_queries(TODAY_QUERIES):
        response = client.get(reverse("home"))

    assert response.status_code == 200
    assert response.content.decode().count("Log a contact<span") >= min(rows * 2, 20)
    assert len(response.context["scheduled_messages"]) == min(rows, 10)
    assert len(response.context["failed_messages"]) == min(rows, 10)


# --- Long sections --------------------------------------------------------------------------------------------


def test_today_shows_the_first_overdue_rows_says_how_many_more_and_links_to_the_directory(client, bob, db):
    campaign = CampaignFactory()
    late = [
        RelationshipFactory(
            influencer=InfluencerFactory(name=f"Person {n:03}"),
            campaign=campaign,
            owner=bob,
            stage=Stage.ACTIVE,
            next_contact_due=_due(-2),
        )
        for n in range(NEWS_ROWS + 3)
    ]
    for n in range(2):  # people between campaigns, overdue since yesterday: after every relationship due before
        InfluencerFactory(name=f"Ambassador {n}", owner=bob, cadence_days=30, next_contact_due=_due(-1))
    client.force_login(bob)

    response = client.get(reverse("home"))

    shown = response.context["overdue"]
    assert [row.relationship for row in shown] == late[:NEWS_ROWS]
    assert response.context["overdue_total"] == NEWS_ROWS + 5
    html = response.content.decode()
    overdue = _section(html, "overdue-title")
    assert f'<span class="badge text-bg-danger">{NEWS_ROWS + 5}</span>' in overdue
    assert "and 5 more" in overdue
    directory = f"{reverse('crm:influencer_list')}?owner={bob.pk}&amp;sort=due&amp;per_page=100&amp;overdue=on"
    assert f'<a href="{directory}">See them in the directory</a>' in overdue
    assert "Person 025" not in html and "Ambassador 0" not in html
    assert "more" not in _section(html, "week-title")


def test_due_this_week_is_capped_on_its_own_and_links_to_the_directory_filtered_to_this_week(client, bob, db):
    campaign = CampaignFactory()
    for n in range(NEWS_ROWS + 1):
        RelationshipFactory(
            influencer=InfluencerFactory(name=f"Soon {n:03}"),
            campaign=campaign,
            owner=bob,
            stage=Stage.PITCHED,
            next_contact_due=_due(n % 7),
        )
    RelationshipFactory(campaign=campaign, owner=bob, stage=Stage.ACTIVE, next_contact_due=_due(-1))
    client.force_login(bob)

    response = client.get(reverse("home"))

    assert len(response.context["this_week"]) == NEWS_ROWS
    assert [row.due for row in response.context["this_week"]] == sorted(
        row.due for row in response.context["this_week"]
    )
    assert response.context["this_week_total"] == NEWS_ROWS + 1
    assert response.context["overdue_total"] == 1
    week = _section(response.content.decode(), "week-title")
    assert "and 1 more" in week
    assert "due_this_week=on" in week


def test_the_directory_filter_due_this_week_keeps_today_to_a_week_ahead(client, bob, db):
    for name, days in [("Yesterday", -1), ("Today", 0), ("In a week", 7), ("In eight days", 8)]:
        InfluencerFactory(name=name, owner=bob, cadence_days=30, next_contact_due=_due(days))
    client.force_login(bob)

    response = client.get(reverse("crm:influencer_list"), {"due_this_week": "on", "owner": bob.pk})

    assert [person.name for person in response.context["page"].object_list] == ["In a week", "Today"]


def test_my_scheduled_messages_are_the_first_by_send_time_of_those_i_wrote_or_whose_person_or_campaign_is_mine(
    client, bob, dave
):
    def at(hours: int) -> datetime.datetime:
        return NOW + datetime.timedelta(hours=hours)

    mine_by_every_count = InfluencerFactory(name="Léa", owner=bob)
    relationship = RelationshipFactory(influencer=mine_by_every_count, owner=bob)
    daves_person = InfluencerFactory(name="Marc", owner=dave)
    daves_relationship_with_my_person = RelationshipFactory(influencer=InfluencerFactory(owner=bob), owner=dave)
    expected = [
        MessageFactory(influencer=mine_by_every_count, relationship=relationship, created_by=bob, send_at=at(1)),
        MessageFactory(influencer=daves_person, created_by=bob, send_at=at(2)),  # I wrote it
        MessageFactory(  # my relationship with Dave's person
            influencer=daves_person, relationship=RelationshipFactory(influencer=daves_person, owner=bob), send_at=at(3)
        ),
        MessageFactory(  # my person, on Dave's relationship
            influencer=daves_relationship_with_my_person.influencer,
            relationship=daves_relationship_with_my_person,
            send_at=at(4),
        ),
    ]
    expected += [MessageFactory(influencer=mine_by_every_count, send_at=at(10 + n)) for n in range(8)]
    MessageFactory(influencer=mine_by_every_count, send_at=at(30))  # the eleventh: not shown
    MessageFactory(influencer=daves_person, created_by=dave, send_at=at(0))  # Dave's
    MessageFactory(influencer=mine_by_every_count, status="sent", send_at=at(0))  # not scheduled any more
    MessageFactory(influencer=mine_by_every_count, kind="reminder", send_at=at(0))  # to the team, not to them
    client.force_login(bob)

    response = client.get(reverse("home"))

    assert list(response.context["scheduled_messages"]) == expected[:10]


def test_each_open_campaign_says_how_many_people_are_in_progress_on_it(client, bob, bobs_day):
    spring = bobs_day["late relationship"].campaign  # four open relationships
    RelationshipFactory(campaign=spring, stage=Stage.CLOSED, outcome="completed")
    quiet = CampaignFactory(name="Quiet operation", status=Campaign.Status.RUNNING)
    RelationshipFactory(campaign=quiet, stage=Stage.CLOSED, outcome="declined")
    client.force_login(bob)

    campaigns = {c.name: c.open_relationships for c in client.get(reverse("home")).context["open_campaigns"]}

    assert campaigns == {"Spring range": 4, "Quiet operation": 0}


def _row_of(html: str, name: str) -> str:
    start = html.index(f">{name}</a>")
    return html[start : html.index("</tr>", start)]


@pytest.mark.parametrize(
    ("language", "late_stage", "soon_stage", "late_text", "between_campaigns"),
    [
        ("en", "active", "pitched", "2 days late", "Stay in touch"),
        ("fr", "en cours", "proposé", "2 jours de retard", "Garder le contact"),
    ],
)
def test_each_row_says_its_stage_its_due_day_and_how_late_it_is_in_the_readers_language(
    client, bob, bobs_day, language, late_stage, soon_stage, late_text, between_campaigns
):
    client.force_login(bob)

    html = client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE=language).content.decode()

    lea, marc, bea = _row_of(html, "Léa"), _row_of(html, "Marc"), _row_of(html, "Ambassador Bea")
    assert f"<td>{late_stage}</td>" in lea and f"<td>{soon_stage}</td>" in marc
    assert '<time datetime="2026-02-28">' in lea
    late = re.search(r'<span class="badge text-bg-danger">(.*?)</span>', lea).group(1)
    assert late == late_text  # in whole days: a due date has no hour
    assert '<time datetime="2026-03-05">' in marc and "text-bg-danger" not in marc
    assert between_campaigns in bea and '<time datetime="2026-03-08">' in bea


def test_each_log_button_brings_the_reader_back_to_today(client, bob, bobs_day):
    client.force_login(bob)
    late = bobs_day["late relationship"]

    html = client.get(reverse("home"), {"from": "a b"}).content.decode()

    form = f"{reverse('crm:contact_log')}?influencer={late.influencer_id}&amp;relationship={late.pk}"
    assert f'href="{form}&amp;next=/%3Ffrom%3Da%2Bb"' in html


def test_failed_messages_say_their_true_number_and_link_to_a_page_with_all_of_them(client, bob, dave, db):
    person = InfluencerFactory(name="Léa", owner=bob)
    [MessageFactory(influencer=person, created_by=bob, status="failed", subject=f"Failed {n:02}") for n in range(60)]
    MessageFactory(influencer=InfluencerFactory(owner=dave), created_by=dave, status="failed")  # not bob's
    client.force_login(bob)

    today = client.get(reverse("home")).content.decode()
    first = client.get(reverse("failed_messages")).content.decode()
    second = client.get(reverse("failed_messages") + "?page=2").content.decode()

    section = _section(today, "failed-title")
    assert '<span class="badge text-bg-danger">60</span>' in section
    assert section.count("list-group-item-danger") == 10
    assert "and 50 more" in section
    assert f'<a href="{reverse("failed_messages")}">See all of them</a>' in section
    subjects = [f"Failed {n:02}" for n in range(60)]
    assert re.findall(r"Failed \d\d", first + second) == subjects[::-1]  # the latest first, each once
    assert '<span class="badge text-bg-danger">60</span>' in first
    assert "Page 2 of 2" in second


@pytest.mark.parametrize("page", ["0", "-1", "x", "99999999999999999999", "2"])
def test_the_failed_messages_page_answers_any_page_number_without_an_error(client, bob, page):
    MessageFactory(influencer=InfluencerFactory(owner=bob), created_by=bob, status="failed")
    client.force_login(bob)

    response = client.get(reverse("failed_messages"), {"page": page})

    assert response.status_code == 200


# --- My mailbox's warning ---------------------------------------------------------------------------------------


def test_today_warns_me_when_my_mailbox_has_not_synced_for_15_minutes_with_its_last_error(client, bob):
    MailboxFactory(
        owner=bob,
        address="bob@team.example",
        last_sync_at=NOW - datetime.timedelta(minutes=16),
        last_error="The server refused the user name or password.",
        last_error_at=NOW - datetime.timedelta(minutes=2),
    )
    client.force_login(bob)

    html = client.get(reverse("home")).content.decode()

    assert 'id="mailbox-warning"' in html
    assert "bob@team.example has not been read since 16\xa0minutes ago" in html
    assert "The server refused the user name or password." in html
    assert f'href="{reverse("mailbox")}"' in html


@pytest.mark.parametrize(
    ("fields", "warned"),
    [
        ({"last_sync_at": NOW - datetime.timedelta(minutes=14)}, False),
        ({"last_sync_at": NOW - datetime.timedelta(minutes=16), "paused": True}, False),
        ({"last_sync_at": None, "created_at": NOW - datetime.timedelta(minutes=10)}, False),
        ({"last_sync_at": None, "created_at": NOW - datetime.timedelta(minutes=20)}, True),
    ],
)
def test_a_recent_sync_a_paused_mailbox_or_one_just_connected_is_no_warning(client, bob, fields, warned):
    created_at = fields.pop("created_at", None)
    mailbox = MailboxFactory(owner=bob, **fields)
    if created_at:
        type(mailbox).objects.filter(pk=mailbox.pk).update(created_at=created_at)  # auto_now_add: set afterwards
    client.force_login(bob)

    html = client.get(reverse("home")).content.decode()

    assert ('id="mailbox-warning"' in html) is warned
    assert ("has not been read yet" in html) is (warned and not fields.get("last_sync_at"))


def test_someone_elses_or_a_shared_stale_mailbox_is_no_warning_on_my_today(client, bob, dave):
    old = NOW - datetime.timedelta(hours=2)
    MailboxFactory(owner=dave, last_sync_at=old)
    MailboxFactory(owner=bob, shared=True, last_sync_at=old)
    client.force_login(bob)

    assert 'id="mailbox-warning"' not in client.get(reverse("home")).content.decode()


def test_the_warning_costs_no_query_beyond_todays_budget(client, bob, django_assert_num_queries, bobs_day):
    MailboxFactory(owner=bob, last_sync_at=NOW - datetime.timedelta(hours=1))
    client.force_login(bob)
    client.get(reverse("home"))

    with django_assert_num_queries(TODAY_QUERIES):
        html = client.get(reverse("home")).content.decode()
    assert 'id="mailbox-warning"' in html
