"""The pipeline board: a column per stage, a card per relationship, shortlisting, and who may move cards."""

import datetime
import json
import re

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from campaigns.models import ContentMatch, Relationship, Stage
from campaigns.services import pitch_checks
from campaigns.views.board import COLUMN_CARDS
from crm.models import Influencer, Post
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


@pytest.fixture
def spring(db):
    return CampaignFactory(name="Spring range", topics=["lifestyle"])


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


# --- Filters and search ---------------------------------------------------------------------------------------


def _columns(response) -> dict[str, dict]:
    return {column["stage"]: column for column in response.context["columns"]}


def _shown(response) -> dict[str, list[Relationship]]:
    return {stage: [card["relationship"] for card in column["cards"]] for stage, column in _columns(response).items()}


def _post_matched(relationship, **fields) -> None:
    channel = ChannelFactory(influencer=relationship.influencer)
    post = Post.objects.create(channel=channel, key=f"post-{relationship.pk}", url="https://blog.example/1")
    ContentMatch.objects.create(relationship=relationship, post=post, matched="#spring", **fields)


@pytest.fixture
def team(bob, dave, spring):
    """Bob's and Dave's cards on two stages, in Bretagne or in Paris, nano or mid, one of Bob's overdue."""
    return {
        "bob_active": RelationshipFactory(
            campaign=spring,
            stage=Stage.ACTIVE,
            owner=bob,
            influencer__name="Anna",
            influencer__region="Bretagne",
            influencer__audience=200_000,
            next_contact_due=datetime.date(2026, 2, 20),
        ),
        "bob_pitched": RelationshipFactory(
            campaign=spring,
            stage=Stage.PITCHED,
            owner=bob,
            influencer__name="Bruno",
            influencer__region="Paris",
            influencer__audience=2_000,
            next_contact_due=datetime.date(2026, 3, 20),
        ),
        "dave_active": RelationshipFactory(
            campaign=spring,
            stage=Stage.ACTIVE,
            owner=dave,
            influencer__name="Chloé",
            influencer__region="Paris",
            influencer__audience=3_000,
            next_contact_due=datetime.date(2026, 3, 20),
        ),
    }


@pytest.mark.parametrize(
    ("query", "kept"),
    [
        ({"owner": "{bob}"}, ["bob_active", "bob_pitched"]),
        ({"owner": "{dave}"}, ["dave_active"]),
        ({"region": "paris"}, ["bob_pitched", "dave_active"]),
        ({"tier": "mid"}, ["bob_active"]),
        ({"tier": "nano"}, ["bob_pitched", "dave_active"]),
        ({"flag": "overdue"}, ["bob_active"]),
        ({"person": "chlo"}, ["dave_active"]),
        ({"owner": "{bob}", "region": "Paris"}, ["bob_pitched"]),
    ],
)
def test_each_filter_narrows_every_column_and_its_count(client, bob, dave, spring, team, query, kept):
    client.force_login(bob)
    ids = {"bob": bob.pk, "dave": dave.pk}

    response = client.get(_board(spring), {name: value.format(**ids) for name, value in query.items()})

    shown = _shown(response)
    assert sorted(r.pk for cards in shown.values() for r in cards) == sorted(team[name].pk for name in kept)
    for stage, column in _columns(response).items():
        assert column["total"] == len(shown[stage])


def test_the_search_finds_a_card_by_a_channel_s_handle(client, bob, spring, team):
    ChannelFactory(influencer=team["bob_pitched"].influencer, platform="instagram", handle="bruno_cooks")
    client.force_login(bob)

    response = client.get(_board(spring), {"person": "BRUNO_C"})

    assert [r for cards in _shown(response).values() for r in cards] == [team["bob_pitched"]]


def test_the_post_flags_narrow_the_board_to_the_cards_that_show_them(client, bob, spring, team):
    _post_matched(team["bob_active"])
    _post_matched(team["dave_active"], disclosure=ContentMatch.Disclosure.MISSING, status=ContentMatch.Status.RECORDED)
    client.force_login(bob)

    proposed = client.get(_board(spring), {"flag": "content_proposed"})
    undisclosed = client.get(_board(spring), {"flag": "disclosure_missing"})

    assert _shown(proposed)[Stage.ACTIVE] == [team["bob_active"]]
    assert "post to confirm" in proposed.content.decode()
    assert _shown(undisclosed)[Stage.ACTIVE] == [team["dave_active"]]
    assert "post without ad disclosure" in undisclosed.content.decode()


def test_the_owner_filter_offers_mine_first_then_the_campaign_s_owners_by_name(client, bob, dave, spring, team):
    dave.first_name, dave.last_name = "Dave", "Durand"
    dave.save()
    get_user_model().objects.create_user("erin", first_name="Erin")  # owns nothing on this campaign
    client.force_login(bob)

    owner = client.get(_board(spring)).context["filters"]["owner"]

    assert [label for _value, label in owner.field.choices] == ["Anyone", "Mine", "Dave Durand"]


def test_show_more_and_the_board_s_own_reloads_keep_the_filters(client, bob, dave, spring):
    mine = [
        RelationshipFactory(campaign=spring, stage=Stage.ACTIVE, owner=bob, influencer__name=f"Person {n:03}")
        for n in range(COLUMN_CARDS + 2)
    ]
    RelationshipFactory(campaign=spring, stage=Stage.ACTIVE, owner=dave, influencer__name="Person 0255")
    client.force_login(bob)

    response = client.get(_board(spring), {"owner": bob.pk})

    column = _columns(response)[Stage.ACTIVE]
    assert column["total"] == COLUMN_CARDS + 2
    assert column["more_url"].endswith(f"?stage=active&after={mine[COLUMN_CARDS - 1].pk}&owner={bob.pk}")
    html = response.content.decode()
    assert f'hx-get="{_board(spring)}?owner={bob.pk}"' in html  # after a move or a logged contact
    assert f'href="?owner={bob.pk}&amp;stage=active#board"' in html  # a phone's stage tabs
    more = client.get(column["more_url"], **HTMX).content.decode()
    assert _card_ids(more) == [r.pk for r in mine[COLUMN_CARDS:]]  # not Dave's card that follows in the order
    reload = client.get(_board(spring), {"owner": bob.pk, "stage": "active"}, HTTP_HX_TARGET="board", **HTMX)
    assert _columns(reload)[Stage.ACTIVE]["total"] == COLUMN_CARDS + 2


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"owner": "999999"}, "owner"),
        ({"owner": "99999999999999999999999"}, "owner"),
        ({"owner": "me"}, "owner"),
        ({"tier": "xyz"}, "tier"),
        ({"flag": "everything"}, "flag"),
        ({"region": "P" * 10_000}, "region"),
        ({"person": "x" * 10_000}, "person"),
    ],
)
def test_a_bad_filter_is_said_on_its_field_and_left_out(client, bob, spring, team, query, field):
    client.force_login(bob)

    response = client.get(_board(spring), query)

    assert response.status_code == 200
    assert response.context["filters"].errors[field]
    assert 'class="invalid-feedback"' in response.content.decode()
    assert sum(column["total"] for column in _columns(response).values()) == len(team)
    more = reverse("campaigns:board_more", args=[spring.pk])
    after = client.get(more, {"stage": "active", "after": team["bob_active"].pk, **query}, **HTMX)
    assert after.status_code == 200 and _card_ids(after.content.decode()) == [team["dave_active"].pk]


@pytest.mark.parametrize("count", [3, 30])
def test_a_filtered_board_renders_in_the_same_number_of_queries(client, bob, spring, count, django_assert_num_queries):
    _fill(spring, count)
    Relationship.objects.filter(campaign=spring).update(owner=bob)
    Influencer.objects.update(region="Bretagne")
    client.force_login(bob)
    query = {"owner": bob.pk, "region": "bretagne", "tier": "", "flag": "", "person": ""}

    with django_assert_num_queries(BOARD_QUERIES):
        response = client.get(_board(spring), query)

    assert not response.context["filters"].errors
    assert response.content.decode().count('class="card shadow-sm"') == count


def test_a_card_says_where_it_can_be_dragged_and_what_a_wrong_drop_says(client, bob, spring, team):
    client.force_login(bob)

    html = client.get(_board(spring)).content.decode()

    assert 'data-stage="pitched" data-next-stage="active"' in html
    assert "A card in “Pitched” can only go to “Active” or to “Closed”." in html
    assert 'data-stage="delivered" data-next-stage=""' in html
    assert "data-move-link" in html and "data-close-link" in html and "data-can-move" in html
