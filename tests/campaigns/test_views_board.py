"""The pipeline board: a column per stage, a card per relationship, shortlisting, and who may move cards."""

import datetime
import json
import re

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from campaigns.models import Relationship, Stage
from campaigns.services import pitch_checks
from campaigns.views.board import COLUMN_CARDS
from tests.factories import CampaignFactory, ChannelFactory, InfluencerFactory, RelationshipFactory, paris

MONDAY = paris(2026, 3, 2, 10, 0)
HTMX = {"HTTP_HX_REQUEST": "true"}
# session, user, the user's permissions (own and groups'), campaign, which cards each column shows (with the
# columns' counts), those cards, campaign topics, the cards' people sharing one of those topics, their recent pitches,
# and the campaign's owners that the owner filter offers.
BOARD_QUERIES = 10


@pytest.fixture(autouse=True)
def now(time_machine):
    time_machine.move_to(MONDAY, tick=False)
    return MONDAY


def _board(campaign) -> str:
    return reverse("campaigns:campaign_board", args=[campaign.pk])


def _fill(campaign, count: int) -> None:
    """`count` relationships spread over every stage, with the things the cards show: flags, owners, due dates."""
    stages = list(Stage)
    for n in range(count):
        stage = stages[n % len(stages)]
        person = InfluencerFactory(topics=["lifestyle"] if n % 2 else ["sport"], audience=n * 10_000)
        if n % 3 == 0:
            RelationshipFactory(
                influencer=person,
                campaign=CampaignFactory(topics=["sport"]),
                stage=Stage.PITCHED,
                pitched_at=MONDAY - datetime.timedelta(days=2),
            )
        RelationshipFactory(
            influencer=person,
            campaign=campaign,
            stage=stage,
            next_contact_due=datetime.date(2026, 3, 1) if stage != Stage.SHORTLISTED else None,
        )


@pytest.mark.parametrize("count", [3, 30])
def test_the_board_renders_in_a_bounded_number_of_queries(client, bob, spring, count, django_assert_num_queries):
    _fill(spring, count)
    client.force_login(bob)

    with django_assert_num_queries(BOARD_QUERIES):
        response = client.get(_board(spring))

    assert response.status_code == 200
    assert response.content.decode().count('class="card shadow-sm"') == count


def test_the_board_shows_a_column_per_stage_and_a_card_per_relationship(client, bob, spring):
    lea = InfluencerFactory(name="Léa", region="Bretagne", topics=["lifestyle"], audience=25_000)
    karim = InfluencerFactory(name="Karim", topics=["sport"])
    RelationshipFactory(
        influencer=lea, campaign=spring, stage=Stage.ACTIVE, owner=bob, next_contact_due=datetime.date(2026, 2, 27)
    )
    RelationshipFactory(influencer=karim, campaign=spring)
    client.force_login(bob)

    html = client.get(_board(spring)).content.decode()

    for stage in ("Shortlisted", "Pitched", "Active", "Delivered", "Closed"):
        assert f"<span>{stage}</span>" in html
    assert "Léa" in html and "Bretagne" in html and "micro (10k–100k)" in html and "Bob" in html
    assert "02/27/2026" in html and "overdue" in html
    assert "off-topic" in html  # Karim's card
    assert reverse("campaigns:relationship_pitch", args=[karim.relationships.get().pk]) in html
    assert reverse("campaigns:relationship_deliver", args=[lea.relationships.get().pk]) in html
    assert reverse("crm:contact_log") + f"?influencer={lea.pk}&amp;relationship={lea.relationships.get().pk}" in html


def test_the_cards_carry_the_flags_pitch_checks_would_raise(client, bob, spring):
    sport = CampaignFactory(topics=["sport"])
    people = {
        "on topic": InfluencerFactory(name="A on topic", topics=["lifestyle"]),
        "off topic": InfluencerFactory(name="B off topic", topics=["sport"]),
        "opted out": InfluencerFactory(name="C opted out", topics=["lifestyle"], consent="opted_out"),
        "pitched elsewhere": InfluencerFactory(name="D pitched elsewhere", topics=["lifestyle"]),
        "pitched a lot": InfluencerFactory(name="E pitched a lot", topics=["lifestyle"]),
    }
    RelationshipFactory(influencer=people["pitched elsewhere"], campaign=sport, stage=Stage.PITCHED)
    for _ in range(3):
        RelationshipFactory(
            influencer=people["pitched a lot"], campaign=CampaignFactory(topics=["lifestyle"]), stage=Stage.PITCHED
        )
    relationships = [RelationshipFactory(influencer=person, campaign=spring) for person in people.values()]
    client.force_login(bob)

    cards = client.get(_board(spring)).context["columns"][0]["cards"]

    flags = {card["relationship"].pk: card["flags"] for card in cards}
    for relationship in relationships:
        checks = pitch_checks(relationship=relationship)
        labels = [flag.label for flag in flags[relationship.pk]]
        assert ("off-topic" in labels) == checks.off_topic
        assert ("opted out" in labels) == checks.opted_out
        assert len([label for label in labels if label.startswith("pitched")]) == len(checks.flags)
    assert [f.label for f in flags[relationships[0].pk]] == []
    assert [(f.label, f.blocking) for f in flags[relationships[2].pk]] == [("opted out", True)]
    assert [f.label for f in flags[relationships[3].pk]] == ["pitched on unrelated topics"]
    assert flags[relationships[3].pk][0].detail == "Pitched on 1 unrelated campaign in the last 30 days."
    assert [f.label for f in flags[relationships[4].pk]] == ["pitched 3 times lately"]


def test_an_incomplete_brief_is_said_on_the_board_and_on_every_shortlisted_card(client, bob):
    campaign = CampaignFactory(topics=["lifestyle"], offer="")
    RelationshipFactory(campaign=campaign, influencer=InfluencerFactory(topics=["lifestyle"]))
    client.force_login(bob)

    html = client.get(_board(campaign)).content.decode()

    assert "The brief is incomplete: nobody can be pitched yet." in html
    assert "Missing: what is offered." in html
    assert ">brief incomplete</span>" in html
    # No blue "Pitch…" that would be refused: the card leads to the brief instead.
    assert "Pitch…" not in html
    edit = reverse("campaigns:campaign_edit", args=[campaign.pk])
    assert f'href="{edit}">\n        Complete the brief…' in html


def test_a_complete_brief_offers_the_pitch_on_shortlisted_cards(client, bob):
    campaign = CampaignFactory(topics=["lifestyle"])
    RelationshipFactory(campaign=campaign, influencer=InfluencerFactory(topics=["lifestyle"]))
    client.force_login(bob)

    html = client.get(_board(campaign)).content.decode()

    assert "Pitch…" in html and "Complete the brief…" not in html


def test_a_viewer_sees_the_board_without_any_way_to_change_it(client, carol, spring):
    relationship = RelationshipFactory(campaign=spring, influencer=InfluencerFactory(topics=["lifestyle"]))
    client.force_login(carol)

    html = client.get(_board(spring)).content.decode()

    assert relationship.influencer.name in html
    assert reverse("campaigns:relationship_pitch", args=[relationship.pk]) not in html
    assert reverse("campaigns:relationship_close", args=[relationship.pk]) not in html
    assert "Shortlist someone" not in html
    assert "Edit the brief" not in html
    assert 'id="move-modal"' not in html


def test_a_board_of_a_campaign_that_does_not_exist_is_404(client, bob):
    client.force_login(bob)

    assert client.get(reverse("campaigns:campaign_board", args=[999999])).status_code == 404
    assert client.get(reverse("campaigns:influencer_search", args=[999999]), {"q": "a"}).status_code == 404
    assert client.post(reverse("campaigns:relationship_shortlist", args=[999999]), {"influencer": 1}).status_code == 404


def test_an_htmx_refresh_of_the_board_returns_the_columns_only(client, bob, spring):
    RelationshipFactory(campaign=spring)
    client.force_login(bob)

    html = client.get(_board(spring), HTTP_HX_TARGET="board", **HTMX).content.decode()

    assert html.lstrip().startswith('<div id="board"')
    assert "Shortlist someone" not in html


# --- Long columns --------------------------------------------------------------------------------------------


def _column(campaign, stage, count: int) -> list[Relationship]:
    """`count` people in one column, named so that their order on the board is their order here."""
    return [
        RelationshipFactory(campaign=campaign, stage=stage, influencer__name=f"Person {n:03}") for n in range(count)
    ]


def _card_ids(html: str) -> list[int]:
    return [int(card) for card in re.findall(r'<li class="card shadow-sm" id="card-(\d+)"', html)]


def test_a_long_column_shows_its_first_cards_its_full_count_and_a_show_more(client, bob, spring):
    pitched = _column(spring, Stage.PITCHED, COLUMN_CARDS + 3)
    RelationshipFactory(campaign=spring, stage=Stage.ACTIVE, influencer__name="Alone")
    client.force_login(bob)

    response = client.get(_board(spring))

    columns = {column["stage"]: column for column in response.context["columns"]}
    assert [card["relationship"] for card in columns[Stage.PITCHED]["cards"]] == pitched[:COLUMN_CARDS]
    assert columns[Stage.PITCHED]["total"] == COLUMN_CARDS + 3
    more = reverse("campaigns:board_more", args=[spring.pk]) + f"?stage=pitched&after={pitched[COLUMN_CARDS - 1].pk}"
    assert columns[Stage.PITCHED]["more_url"] == more
    assert columns[Stage.ACTIVE]["total"] == 1 and columns[Stage.ACTIVE]["more_url"] == ""
    html = response.content.decode()
    assert f'<span class="badge text-bg-secondary rounded-pill">{COLUMN_CARDS + 3}</span>' in html
    assert html.count('hx-get="' + more.replace("&", "&amp;") + '"') == 1
    assert html.count("Show more") == 1
    assert len(_card_ids(html)) == COLUMN_CARDS + 1


def test_show_more_returns_exactly_the_remaining_cards_in_order_and_no_further_button(client, bob, spring):
    pitched = _column(spring, Stage.PITCHED, COLUMN_CARDS + 3)
    RelationshipFactory(campaign=spring, stage=Stage.ACTIVE, influencer__name="Person 999")  # another column
    client.force_login(bob)
    more = reverse("campaigns:board_more", args=[spring.pk])

    response = client.get(more, {"stage": "pitched", "after": pitched[COLUMN_CARDS - 1].pk}, **HTMX)

    assert response.status_code == 200
    html = response.content.decode()
    assert _card_ids(html) == [r.pk for r in pitched[COLUMN_CARDS:]]
    assert "Show more" not in html


def test_show_more_on_a_very_long_column_gives_the_next_cards_and_the_next_button(
    client, bob, spring, django_assert_num_queries
):
    shortlisted = _column(spring, Stage.SHORTLISTED, 2 * COLUMN_CARDS + 1)
    client.force_login(bob)
    more = reverse("campaigns:board_more", args=[spring.pk])

    # session, user, permissions (own and groups'), campaign, the cards, the flags' three queries.
    with django_assert_num_queries(8):
        response = client.get(more, {"stage": "shortlisted", "after": shortlisted[COLUMN_CARDS - 1].pk}, **HTMX)

    html = response.content.decode()
    assert _card_ids(html) == [r.pk for r in shortlisted[COLUMN_CARDS : 2 * COLUMN_CARDS]]
    assert f'?stage=shortlisted&amp;after={shortlisted[2 * COLUMN_CARDS - 1].pk}"' in html
    assert html.count("Show more") == 1
    assert "off-topic" in html  # the pitch flags are on these cards too


def test_two_people_with_the_same_name_are_both_shown_across_show_more(client, bob, spring):
    same = [
        RelationshipFactory(
            campaign=spring, stage=Stage.ACTIVE, influencer__name="Sam", influencer__email=f"sam{n}@x.org"
        )
        for n in range(2)
    ]
    client.force_login(bob)

    more = reverse("campaigns:board_more", args=[spring.pk])

    html = client.get(more, {"stage": "active", "after": same[0].pk}).content

    assert _card_ids(html.decode()) == [same[1].pk]


@pytest.mark.parametrize(
    "query",
    [{"stage": "pitched", "after": "x"}, {"stage": "pitched"}, {"stage": "pitched", "after": str(2**70)}]
    + [{"stage": "nowhere", "after": "1"}, {"after": "1"}],
)
def test_show_more_with_bad_input_is_a_400_not_a_500(client, bob, spring, query):
    client.force_login(bob)

    response = client.get(reverse("campaigns:board_more", args=[spring.pk]), query)

    assert response.status_code == 400


def test_show_more_after_a_card_of_another_campaign_gives_nothing(client, bob, spring):
    _column(spring, Stage.PITCHED, 2)
    elsewhere = RelationshipFactory(stage=Stage.PITCHED, influencer__name="A")
    client.force_login(bob)

    more = reverse("campaigns:board_more", args=[spring.pk])

    html = client.get(more, {"stage": "pitched", "after": elsewhere.pk}).content

    assert _card_ids(html.decode()) == []


def test_a_viewer_without_access_to_relationships_gets_403_on_show_more(client, db, spring):
    nobody = get_user_model().objects.create_user("nobody")
    client.force_login(nobody)

    response = client.get(reverse("campaigns:board_more", args=[spring.pk]), {"stage": "pitched", "after": 1})

    assert response.status_code == 403


# --- Shortlisting ---------------------------------------------------------------------------------------------


def test_the_search_finds_people_by_name_place_or_handle_and_leaves_out_those_on_it(client, bob, spring):
    lea = InfluencerFactory(name="Léa Martin", city="Brest", topics=["lifestyle"])
    InfluencerFactory(name="Martin Roux", topics=["sport"])
    on_it = InfluencerFactory(name="Marie Martin")
    RelationshipFactory(influencer=on_it, campaign=spring)
    ChannelFactory(influencer=lea, handle="lea_cooks")
    client.force_login(bob)
    search = reverse("campaigns:influencer_search", args=[spring.pk])

    by_name = client.get(search, {"q": "martin"}, **HTMX).content.decode()
    by_city = client.get(search, {"q": "brest"}, **HTMX).content.decode()
    by_handle = client.get(search, {"q": "COOKS"}, **HTMX).content.decode()
    nobody = client.get(search, {"q": "zzz"}, **HTMX).content.decode()

    assert "Léa Martin" in by_name and "Martin Roux" in by_name and "Marie Martin" not in by_name
    assert by_name.count("off-topic") == 1  # Martin Roux
    assert "Léa Martin" in by_city and "Martin Roux" not in by_city
    assert "Léa Martin" in by_handle
    assert "Nobody found who is not on this campaign already." in nobody


def test_shortlisting_from_the_search_puts_the_person_on_the_board(client, bob, spring):
    lea = InfluencerFactory(name="Léa")
    client.force_login(bob)

    response = client.post(
        reverse("campaigns:relationship_shortlist", args=[spring.pk]), {"influencer": lea.pk}, **HTMX
    )

    assert response.status_code == 200
    assert "Léa is shortlisted on" in response.content.decode()
    assert json.loads(response["HX-Trigger"]) == {"relationshipShortlisted": {"influencer": lea.pk}}
    relationship = Relationship.objects.get(influencer=lea, campaign=spring)
    assert (relationship.stage, relationship.owner) == (Stage.SHORTLISTED, bob)


def test_shortlisting_twice_or_someone_unknown_is_a_readable_error(client, bob, spring):
    lea = InfluencerFactory(name="Léa")
    client.force_login(bob)
    url = reverse("campaigns:relationship_shortlist", args=[spring.pk])

    client.post(url, {"influencer": lea.pk}, **HTMX)
    twice = client.post(url, {"influencer": lea.pk}, **HTMX)
    unknown = client.post(url, {"influencer": "999999"}, **HTMX)
    garbage = client.post(url, {"influencer": "abc"}, **HTMX)

    assert "Léa is already on" in twice.content.decode()
    assert "This person is not in the directory (any more)." in unknown.content.decode()
    assert "This person is not in the directory (any more)." in garbage.content.decode()
    assert Relationship.objects.count() == 1


def test_without_javascript_the_search_and_the_shortlisting_work_as_pages(client, bob, spring):
    lea = InfluencerFactory(name="Léa")
    client.force_login(bob)

    results = client.get(_board(spring), {"q": "léa"}).content.decode()
    response = client.post(reverse("campaigns:relationship_shortlist", args=[spring.pk]), {"influencer": lea.pk})

    assert f'name="influencer" value="{lea.pk}"' in results
    assert response.status_code == 302
    assert "Léa is shortlisted on" in client.get(response["Location"]).content.decode()


def test_nobody_can_be_shortlisted_on_a_finished_campaign(client, bob):
    finished = CampaignFactory(status="finished")
    lea = InfluencerFactory(name="Léa")
    client.force_login(bob)

    html = client.get(_board(finished)).content.decode()
    response = client.post(reverse("campaigns:relationship_shortlist", args=[finished.pk]), {"influencer": lea.pk})

    assert "Shortlist someone" not in html
    assert response.status_code == 302
    assert "is finished: nobody can be added to it." in client.get(response["Location"]).content.decode()
    assert not Relationship.objects.exists()


def test_a_viewer_gets_403_when_shortlisting_or_searching(client, carol, spring):
    lea = InfluencerFactory(name="Léa")
    client.force_login(carol)

    posted = client.post(reverse("campaigns:relationship_shortlist", args=[spring.pk]), {"influencer": lea.pk})
    searched = client.get(reverse("campaigns:influencer_search", args=[spring.pk]), {"q": "léa"})

    assert (posted.status_code, searched.status_code) == (403, 403)
    assert not Relationship.objects.exists()
