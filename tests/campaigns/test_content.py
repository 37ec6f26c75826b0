"""campaigns.services.content: posts matched to their author's open relationships, recorded or proposed, confirmed
or dismissed, and a sponsored campaign's disclosure flagged and cleared."""

import datetime as dt

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from campaigns.models import ContentMatch, DisclosureMarker, GuardrailEvent, Stage
from campaigns.services import content_confirm, content_dismiss, posts_match, relationship_deliver
from crm.models import Exchange, Post
from messaging import delivery
from messaging.models import Message, Profile
from tests.factories import (
    CampaignFactory,
    ChannelFactory,
    InfluencerFactory,
    RelationshipFactory,
    disclosure_markers,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def markers(db):
    return disclosure_markers()


@pytest.fixture
def camille():
    return InfluencerFactory(name="Camille Martin")


@pytest.fixture
def blog(camille):
    return ChannelFactory(influencer=camille, platform="blog", handle="carnets")


@pytest.fixture
def savon(bob):
    campaign = CampaignFactory(
        brand__name="Savonnerie Lu",
        name="Printemps",
        content_terms="#LuBio",
        content_links="https://savonnerie-lu.example/printemps",
        promo_code="CAMILLE10",
        sponsored=True,
        disclosure="Collaboration commerciale avec Savonnerie Lu",
    )
    return campaign


@pytest.fixture
def relationship(camille, savon, bob):
    return RelationshipFactory(influencer=camille, campaign=savon, owner=bob, stage=Stage.ACTIVE)


def a_post(channel, *, key="1", title="Mon rituel du matin", text="", links=(), published=None) -> Post:
    return Post.objects.create(
        channel=channel,
        key=key,
        url=f"https://carnets.example/{key}",
        title=title,
        text=text,
        links=list(links),
        published_at=published or timezone.now(),
        digest=f"d{key}-{len(text)}",
    )


def test_an_exact_link_records_the_content_at_once_and_the_owner_is_told(blog, relationship, bob):
    post = a_post(blog, text="Publicité. Mon avis.", links=["https://savonnerie-lu.example/printemps?utm=x"])

    assert posts_match(post_ids=[post.pk]) == 1

    content = ContentMatch.objects.get()
    assert (content.status, content.exact, content.disclosure) == ("recorded", True, "present")
    exchange = Exchange.objects.get(relationship=relationship)
    assert content.exchange == exchange
    assert (exchange.direction, exchange.kind, exchange.url, exchange.recorded_by) == ("get", "post", post.url, None)
    told = Message.objects.get(kind=Message.Kind.REMINDER, to_user=bob)
    assert told.subject == "Camille Martin published for Printemps: recorded"
    assert post.url in told.body and "mark it delivered" in told.body
    assert relationship_deliver(relationship=relationship, by=bob).stage == Stage.DELIVERED


def test_the_promo_code_records_the_content_too(blog, relationship):
    post = a_post(blog, text="Avec le code camille10, #ad")

    posts_match(post_ids=[post.pk])

    assert ContentMatch.objects.get().matched == "CAMILLE10"
    assert Exchange.objects.filter(relationship=relationship, direction="get").count() == 1


def test_a_mention_is_proposed_and_the_owner_confirms_it_into_a_get_exchange(blog, relationship, bob):
    post = a_post(blog, title="Ma routine #LuBio", text="Publicité")

    posts_match(post_ids=[post.pk])
    content = ContentMatch.objects.get()
    assert (content.status, content.matched, content.exchange) == ("proposed", "#LuBio", None)
    assert not Exchange.objects.exists()
    assert "to confirm" in Message.objects.get().subject

    content_confirm(content=content, by=bob)

    content.refresh_from_db()
    assert (content.status, content.decided_by) == ("recorded", bob)
    assert content.exchange.recorded_by == bob and content.exchange.relationship == relationship
    with pytest.raises(ValidationError, match="already recorded"):
        content_confirm(content=content, by=bob)
    with pytest.raises(ValidationError):
        content_dismiss(content=content, by=bob)
    assert Exchange.objects.count() == 1


def test_a_dismissed_proposal_records_nothing_and_its_missing_disclosure_no_longer_counts(blog, relationship, bob):
    post = a_post(blog, title="La Savonnerie Lu, en passant")
    posts_match(post_ids=[post.pk])
    content = ContentMatch.objects.get()
    assert content.disclosure == "missing"

    content_dismiss(content=content, by=bob)

    content.refresh_from_db()
    assert content.status == "dismissed" and not Exchange.objects.exists()
    assert not ContentMatch.objects.filter(disclosure="missing").exclude(status="dismissed").exists()
    # Read again (the post changed): a dismissed proposal is not raised again.
    Post.objects.filter(pk=post.pk).update(text="Toujours rien", digest="other")
    assert posts_match(post_ids=[post.pk]) == 0


def test_a_sponsored_post_without_disclosure_is_flagged_then_cleared_when_it_is_added(blog, relationship, bob):
    post = a_post(blog, text="Mon code CAMILLE10 !")

    posts_match(post_ids=[post.pk])

    content = ContentMatch.objects.get()
    assert content.disclosure == "missing"
    event = GuardrailEvent.objects.get()
    assert (event.rule, event.result, event.relationship, event.detail) == (
        "disclosure",
        "flagged",
        relationship,
        post.url,
    )
    told = Message.objects.get()
    assert told.subject == "Camille Martin's post for Printemps has no ad disclosure"
    assert "Collaboration commerciale avec Savonnerie Lu" in told.body

    Post.objects.filter(pk=post.pk).update(text="Mon code CAMILLE10 ! #pub", digest="v2")
    assert posts_match(post_ids=[post.pk]) == 1
    content.refresh_from_db()
    assert content.disclosure == "present"
    assert GuardrailEvent.objects.count() == 1 and Message.objects.count() == 1

    Post.objects.filter(pk=post.pk).update(text="Mon code CAMILLE10 !", digest="v3")
    posts_match(post_ids=[post.pk])
    content.refresh_from_db()
    assert content.disclosure == "missing"
    assert GuardrailEvent.objects.count() == 2 and Message.objects.count() == 2


def test_the_campaign_s_own_disclosure_and_the_managers_markers_count(blog, relationship):
    own = a_post(blog, key="own", text="CAMILLE10 — Collaboration commerciale avec Savonnerie Lu")
    DisclosureMarker.objects.create(text="#partenaire")
    added = a_post(blog, key="added", text="CAMILLE10 #partenaire")

    posts_match(post_ids=[own.pk, added.pk])

    assert set(ContentMatch.objects.values_list("disclosure", flat=True)) == {"present"}


def test_an_organic_campaign_needs_no_disclosure(blog, camille, bob):
    organic = CampaignFactory(brand__name="Lu", sponsored=False)
    RelationshipFactory(influencer=camille, campaign=organic, owner=bob, stage=Stage.PITCHED)
    post = a_post(blog, text="Chez Lu")

    posts_match(post_ids=[post.pk])

    assert ContentMatch.objects.get().disclosure == ""
    assert not GuardrailEvent.objects.exists()


def test_matching_twice_makes_one_match_one_exchange_one_message(blog, relationship):
    post = a_post(blog, text="CAMILLE10 #ad")

    assert posts_match(post_ids=[post.pk]) == 1
    assert posts_match(post_ids=[post.pk]) == 0

    assert (ContentMatch.objects.count(), Exchange.objects.count(), Message.objects.count()) == (1, 1, 1)


def test_old_posts_closed_relationships_and_other_people_are_not_matched(blog, relationship, camille, savon, bob):
    backlog = a_post(blog, key="old", text="CAMILLE10", published=relationship.created_at - dt.timedelta(days=30))
    closed = RelationshipFactory(influencer=camille, campaign=CampaignFactory(brand__name="Ferme"), stage=Stage.CLOSED)
    closed_post = a_post(blog, key="ferme", text="Ferme")
    other = a_post(ChannelFactory(handle="autre"), key="autre", text="CAMILLE10")

    assert posts_match(post_ids=[backlog.pk, closed_post.pk, other.pk]) == 0
    assert not ContentMatch.objects.exists() and closed.content_matches.count() == 0


def test_a_post_matches_each_campaign_it_mentions(blog, relationship, camille, bob):
    other = RelationshipFactory(
        influencer=camille, campaign=CampaignFactory(brand__name="Thé Vert"), owner=bob, stage=Stage.ACTIVE
    )
    post = a_post(blog, text="CAMILLE10 #ad, avec un thé vert")

    assert posts_match(post_ids=[post.pk]) == 2

    assert set(ContentMatch.objects.values_list("relationship", "status")) == {
        (relationship.pk, "recorded"),
        (other.pk, "proposed"),
    }


def test_a_youtube_video_becomes_a_video_exchange(camille, relationship):
    channel = ChannelFactory(influencer=camille, platform="youtube", handle="camille-tv")
    post = a_post(channel, text="CAMILLE10 #ad")

    posts_match(post_ids=[post.pk])

    assert Exchange.objects.get().kind == Exchange.Kind.VIDEO


def test_the_owner_is_told_in_their_language(blog, relationship, bob):
    Profile.objects.create(user=bob, language="fr")
    post = a_post(blog, text="CAMILLE10")

    posts_match(post_ids=[post.pk])

    told = Message.objects.get()
    assert told.language == "fr"
    assert told.subject == "La publication de Camille Martin pour Printemps n’a pas de mention publicitaire"


def test_the_owner_s_notice_is_sent_whatever_the_relationship_s_contact_clock(
    blog, relationship, bob, monkeypatch, django_capture_on_commit_callbacks
):
    # A due-contact reminder is cancelled once the clock moved; the notice of a post is not about the clock.
    relationship.next_contact_due = timezone.localdate()
    relationship.save()
    enqueued = []
    monkeypatch.setattr(delivery, "_enqueue", lambda task, ids, token, report: enqueued.extend((i, token) for i in ids))
    posts_match(post_ids=[a_post(blog, text="CAMILLE10").pk])

    with django_capture_on_commit_callbacks(execute=True):
        delivery.dispatch()

    assert [delivery.deliver(pk, token) for pk, token in enqueued] == ["sent"]
    assert mail.outbox[0].to == [bob.email]
    assert mail.outbox[0].subject == "Camille Martin's post for Printemps has no ad disclosure"
