"""The campaign list and the brief: filters, counts per stage, create and edit, the live checklist."""

import datetime

import pytest
from django.urls import reverse

from campaigns.models import Campaign, Stage
from tests.factories import BrandFactory, CampaignFactory, RelationshipFactory, TopicFactory, paris

MONDAY = paris(2026, 3, 2, 10, 0)
HTMX = {"HTTP_HX_REQUEST": "true"}
LIST = reverse("campaigns:campaign_list")
ADD = reverse("campaigns:campaign_add")
CHECK = reverse("campaigns:campaign_brief_check")
# session, user, the user's permissions (own and groups'), the brands of the filter, the page's count, the page,
# the people per stage of the page's campaigns (one grouped query).
LIST_QUERIES = 7


@pytest.fixture(autouse=True)
def now(time_machine):
    time_machine.move_to(MONDAY, tick=False)
    return MONDAY


def _brief(**overrides) -> dict:
    data = {
        "brand": BrandFactory(name="Maison Verte").pk,
        "name": "Printemps local",
        "status": "draft",
        "topics": [TopicFactory(name="lifestyle").pk],
        "objective": "Make the range known outside Paris",
        "ask": "One post",
        "deliverables": "1 post before the end",
        "offer": "The range",
        "disclosure": "",
        "starts_on": "2026-03-10",
        "ends_on": "2026-05-10",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


# --- The list -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("count", [3, 30])
def test_the_list_renders_in_a_bounded_number_of_queries(client, bob, count, django_assert_num_queries):
    for n in range(count):
        campaign = CampaignFactory(brand=BrandFactory(name=f"Brand {n % 4}"))
        RelationshipFactory(campaign=campaign, stage=Stage.ACTIVE)
    client.force_login(bob)

    with django_assert_num_queries(LIST_QUERIES):
        response = client.get(LIST)

    assert response.status_code == 200
    assert len(response.context["page"]) == min(count, 25)
    assert all(row.stage_counts[2] == (Stage.ACTIVE, 1) for row in response.context["page"])


def test_the_list_counts_people_per_stage_and_says_whether_the_brief_is_complete(client, bob):
    spring = CampaignFactory(name="Spring", sponsored=True, disclosure="")
    for stage in [Stage.SHORTLISTED, Stage.SHORTLISTED, Stage.ACTIVE, Stage.CLOSED]:
        RelationshipFactory(campaign=spring, stage=stage)
    client.force_login(bob)

    response = client.get(LIST)

    row = next(c for c in response.context["page"] if c.pk == spring.pk)
    assert row.stage_counts == [
        (Stage.SHORTLISTED, 2),
        (Stage.PITCHED, 0),
        (Stage.ACTIVE, 1),
        (Stage.DELIVERED, 0),
        (Stage.CLOSED, 1),
    ]
    html = response.content.decode()
    assert "Brief incomplete" in html and "Missing: ad disclosure" in html
    assert "sponsored" in html


def test_the_second_page_counts_the_people_of_its_own_campaigns(client, bob):
    for n in range(30):
        campaign = CampaignFactory(name=f"Campaign {n:02}", starts_on=datetime.date(2026, 3, 1))
        for _ in range(n % 3):
            RelationshipFactory(campaign=campaign, stage=Stage.PITCHED)
    client.force_login(bob)

    response = client.get(LIST, {"page": 2})

    rows = {c.name: c.stage_counts[1] for c in response.context["page"]}
    assert rows == {f"Campaign {n:02}": (Stage.PITCHED, n % 3) for n in range(25, 30)}


def test_the_list_filters_by_brand_and_status(client, bob):
    verte = BrandFactory(name="Maison Verte")
    CampaignFactory(name="Spring", brand=verte, status="running")
    CampaignFactory(name="Winter", brand=verte, status="finished")
    CampaignFactory(name="Tour", status="running")
    client.force_login(bob)

    def names(query):
        return sorted(c.name for c in client.get(LIST, query).context["page"])

    assert names({"brand": verte.pk}) == ["Spring", "Winter"]
    assert names({"status": "running"}) == ["Spring", "Tour"]
    assert names({"brand": verte.pk, "status": "finished"}) == ["Winter"]


@pytest.mark.parametrize("query", [{"brand": "abc"}, {"brand": "999999"}, {"status": "lost"}, {"page": "x"}])
def test_bad_filters_show_everything_with_an_error_not_a_500(client, bob, query):
    CampaignFactory(name="Spring")
    client.force_login(bob)

    response = client.get(LIST, query)

    assert response.status_code == 200
    assert [c.name for c in response.context["page"]] == ["Spring"]


def test_a_viewer_sees_the_list_without_the_new_campaign_button(client, carol):
    CampaignFactory(name="Spring")
    client.force_login(carol)

    html = client.get(LIST).content.decode()

    assert "Spring" in html
    assert ADD not in html


# --- Create and edit the brief --------------------------------------------------------------------------------


def test_a_marketer_creates_a_campaign_and_lands_on_its_board(client, bob):
    client.force_login(bob)

    response = client.post(ADD, _brief())

    campaign = Campaign.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("campaigns:campaign_board", args=[campaign.pk])
    assert (campaign.name, campaign.owner, campaign.brief_complete) == ("Printemps local", bob, True)
    assert [t.name for t in campaign.topics.all()] == ["lifestyle"]


def test_dates_in_the_wrong_order_are_a_field_error(client, bob):
    client.force_login(bob)

    response = client.post(ADD, _brief(starts_on="2026-05-10", ends_on="2026-03-10"))

    assert response.status_code == 200
    assert response.context["form"].errors == {"ends_on": ["The campaign cannot end before it starts."]}
    assert not Campaign.objects.exists()


def test_a_sponsored_campaign_without_disclosure_saves_and_the_checklist_says_it_is_missing(client, bob):
    client.force_login(bob)

    client.post(ADD, _brief(sponsored="on"))
    campaign = Campaign.objects.get()
    page = client.get(reverse("campaigns:campaign_edit", args=[campaign.pk]))

    assert campaign.sponsored and campaign.brief_missing() == ["ad disclosure"]
    html = page.content.decode()
    assert "1 item missing before anyone can be pitched." in html
    assert [(item["label"], item["done"]) for item in page.context["checklist"]["items"]][-1] == (
        "ad disclosure",
        False,
    )


def test_an_incomplete_brief_saves(client, bob):
    client.force_login(bob)

    response = client.post(ADD, _brief(objective="", ask="", ends_on=""))

    assert response.status_code == 302
    assert Campaign.objects.get().brief_missing() == ["objective", "what is asked", "ends on"]


def test_editing_the_brief_keeps_the_campaign_and_refuses_a_name_its_brand_already_uses(client, bob):
    verte = BrandFactory(name="Maison Verte")
    spring = CampaignFactory(name="Spring", brand=verte, ask="")
    CampaignFactory(name="Winter", brand=verte)
    client.force_login(bob)
    url = reverse("campaigns:campaign_edit", args=[spring.pk])

    clash = client.post(url, _brief(brand=verte.pk, name="winter"))
    saved = client.post(url, _brief(brand=verte.pk, name="Spring", ask="Two stories"))

    assert clash.context["form"].errors == {"name": ["Maison Verte already has a campaign with this name."]}
    assert saved.status_code == 302
    spring.refresh_from_db()
    assert (spring.ask, spring.brief_complete) == ("Two stories", True)


def test_the_checklist_follows_what_is_typed_without_saving(client, bob):
    client.force_login(bob)

    empty = client.post(CHECK, {"name": "Draft"}, **HTMX)
    sponsored = client.post(CHECK, _brief(sponsored="on"), **HTMX)
    complete = client.post(CHECK, _brief(sponsored="on", disclosure="#ad"), **HTMX)
    bad_date = client.post(CHECK, _brief(ends_on="not a date"), **HTMX)

    def missing(response):
        return [item["label"] for item in response.context["checklist"]["items"] if not item["done"]]

    assert missing(empty) == ["objective", "what is asked", "deliverables", "what is offered", "starts on", "ends on"]
    assert missing(sponsored) == ["ad disclosure"]
    assert missing(complete) == []
    assert "Yes: people can be pitched." in complete.content.decode()
    assert missing(bad_date) == ["ends on"]
    assert not Campaign.objects.exists()


def test_a_viewer_gets_403_on_every_campaign_post(client, carol):
    spring = CampaignFactory(name="Spring")
    client.force_login(carol)

    assert client.post(ADD, _brief()).status_code == 403
    assert client.post(reverse("campaigns:campaign_edit", args=[spring.pk]), _brief()).status_code == 403
    assert client.post(CHECK, _brief(), **HTMX).status_code == 403
    assert client.get(ADD).status_code == 403
    assert Campaign.objects.count() == 1


def test_editing_a_campaign_that_does_not_exist_is_404(client, bob):
    client.force_login(bob)

    assert client.get(reverse("campaigns:campaign_edit", args=[999999])).status_code == 404
    assert client.post(reverse("campaigns:campaign_edit", args=[999999]), _brief()).status_code == 404


def test_dates_show_in_the_language_of_the_reader(client, bob):
    CampaignFactory(name="Spring", starts_on=datetime.date(2026, 3, 10), ends_on=datetime.date(2026, 5, 10))
    client.force_login(bob)

    english = client.get(LIST, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    french = client.get(LIST, HTTP_ACCEPT_LANGUAGE="fr").content.decode()

    assert "03/10/2026" in english
    assert "10/03/2026" in french
