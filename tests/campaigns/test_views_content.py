"""The posts found for a relationship on the board: the card's badge, the dialog, confirm and dismiss."""

import json

import pytest
from django.urls import reverse
from django.utils import timezone

from campaigns.models import ContentMatch, Stage
from crm.models import Exchange, Post
from tests.factories import CampaignFactory, ChannelFactory, InfluencerFactory, RelationshipFactory

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def relationship(bob):
    person = InfluencerFactory(name="Camille Martin")
    campaign = CampaignFactory(name="Printemps", brand__name="Lu", sponsored=True, disclosure="#ad")
    return RelationshipFactory(influencer=person, campaign=campaign, owner=bob, stage=Stage.ACTIVE)


def found(relationship, *, key="1", disclosure="", status="proposed") -> ContentMatch:
    channel = relationship.influencer.channels.first() or ChannelFactory(influencer=relationship.influencer)
    post = Post.objects.create(
        channel=channel, key=key, url=f"https://blog.example/{key}", title=f"Billet {key}", published_at=timezone.now()
    )
    return ContentMatch.objects.create(
        relationship=relationship, post=post, matched="Lu", disclosure=disclosure, status=status
    )


def url(relationship) -> str:
    return reverse("campaigns:content_review", args=[relationship.pk])


def test_the_card_says_a_post_is_to_confirm_or_lacks_its_disclosure(client, bob, relationship):
    client.force_login(bob)
    board = reverse("campaigns:campaign_board", args=[relationship.campaign_id])
    found(relationship)
    assert "post to confirm" in client.get(board).content.decode()

    found(relationship, key="2", disclosure="missing", status="recorded")
    page = client.get(board).content.decode()

    assert "post without ad disclosure" in page and url(relationship) in page


def test_the_dialog_lists_the_posts_and_confirming_one_records_it(client, bob, relationship):
    client.force_login(bob)
    content = found(relationship, disclosure="missing")

    dialog = client.get(url(relationship), **HTMX).content.decode()
    assert "Billet 1" in dialog and "no ad disclosure" in dialog and 'name="confirm"' in dialog

    answer = client.post(url(relationship), {"confirm": content.pk}, **HTMX)

    assert answer.status_code == 204
    assert json.loads(answer["HX-Trigger"])["relationshipMoved"]["relationship"] == relationship.pk
    content.refresh_from_db()
    assert content.status == "recorded"
    assert Exchange.objects.get(relationship=relationship).url == "https://blog.example/1"


def test_without_javascript_dismissing_returns_to_the_page_it_came_from(client, bob, relationship):
    client.force_login(bob)
    content = found(relationship)
    person = reverse("crm:influencer_detail", args=[relationship.influencer_id])

    answer = client.post(url(relationship), {"dismiss": content.pk, "next": person})

    assert answer.status_code == 302 and answer["Location"] == person
    content.refresh_from_db()
    assert content.status == "dismissed" and not Exchange.objects.exists()


def test_deciding_twice_says_so_and_changes_nothing(client, bob, relationship):
    client.force_login(bob)
    content = found(relationship, status="recorded")

    answer = client.post(url(relationship), {"dismiss": content.pk}, **HTMX)

    assert answer.status_code == 200 and "already recorded" in answer.content.decode()
    content.refresh_from_db()
    assert content.status == "recorded"


def test_a_post_of_another_relationship_is_not_found_and_no_choice_is_said(client, bob, relationship):
    client.force_login(bob)
    other = found(RelationshipFactory(stage=Stage.ACTIVE), key="x")

    assert client.post(url(relationship), {"confirm": other.pk}).status_code == 404
    for nothing in ({"confirm": "abc"}, {}):
        answer = client.post(url(relationship), nothing)
        assert answer.status_code == 200 and "Choose a post" in answer.content.decode()
    other.refresh_from_db()
    assert other.status == "proposed"


def test_a_viewer_cannot_decide(client, carol, relationship):
    client.force_login(carol)
    content = found(relationship)

    assert client.post(url(relationship), {"confirm": content.pk}).status_code == 403
    content.refresh_from_db()
    assert content.status == "proposed"


def test_a_next_address_elsewhere_is_not_followed(client, bob, relationship):
    client.force_login(bob)
    content = found(relationship)

    answer = client.post(url(relationship), {"dismiss": content.pk, "next": "https://evil.example/"})

    assert answer["Location"] == reverse("campaigns:campaign_board", args=[relationship.campaign_id])


def test_the_person_page_leads_to_the_posts_to_confirm_and_back(client, bob, relationship):
    client.force_login(bob)
    content = found(relationship, disclosure="missing")
    person = reverse("crm:influencer_detail", args=[relationship.influencer_id])

    page = client.get(person).content.decode()
    review = f"{url(relationship)}?next={person.replace('/', '%2F')}"
    assert "post without ad disclosure" in page and review in page

    dialog = client.get(review).content.decode()
    assert f'name="next" value="{person}"' in dialog
    assert client.post(url(relationship), {"confirm": content.pk, "next": person})["Location"] == person
