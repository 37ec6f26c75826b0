"""The board's filters and search (owner, region, tier, flags, a name or handle), and what dragging a card says."""

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from campaigns.models import ContentMatch, Relationship, Stage
from campaigns.views.board import COLUMN_CARDS
from crm.models import Influencer, Post
from tests.campaigns.test_views_board import BOARD_QUERIES, HTMX, MONDAY, _board, _card_ids, _fill
from tests.factories import ChannelFactory, RelationshipFactory


@pytest.fixture(autouse=True)
def now(time_machine):
    time_machine.move_to(MONDAY, tick=False)
    return MONDAY


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
