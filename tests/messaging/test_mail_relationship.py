"""Which relationship a mail with a person belongs to: its thread first (the outbox, then the mails logged), else
their one relationship they know of, else none; in one query."""

from datetime import timedelta

import pytest
from django.utils import timezone

from campaigns.models import Stage
from messaging.selectors import mail_relationship
from tests.factories import ContactFactory, InfluencerFactory, RelationshipFactory
from tests.messaging.factories import MessageFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def lea():
    return InfluencerFactory(name="Léa", email="lea@blog.example")


def test_a_reply_to_a_follow_up_belongs_to_the_follow_up_s_relationship(lea, django_assert_num_queries):
    spring = RelationshipFactory(influencer=lea, stage=Stage.ACTIVE)
    RelationshipFactory(influencer=lea, stage=Stage.ACTIVE)
    # The outbox keeps the ids it wrote with their angle brackets; a mail's headers are read without them.
    MessageFactory(influencer=lea, relationship=spring, message_id="<follow-up-1@crm.example>")

    with django_assert_num_queries(1):
        found = mail_relationship(influencer=lea, thread_ids=["follow-up-1@crm.example"])

    assert found == spring


def test_a_reply_to_a_logged_mail_belongs_to_that_mail_s_relationship(lea):
    autumn = RelationshipFactory(influencer=lea, stage=Stage.DELIVERED)
    RelationshipFactory(influencer=lea, stage=Stage.ACTIVE)
    ContactFactory(influencer=lea, relationship=autumn, message_id="sent-by-bob@agence.example")

    assert mail_relationship(influencer=lea, thread_ids=["", "sent-by-bob@agence.example"]) == autumn


def test_the_outbox_comes_before_the_logged_mails_and_the_latest_first(lea):
    older, newer, logged = (RelationshipFactory(influencer=lea, stage=Stage.ACTIVE) for _ in range(3))
    now = timezone.now()
    MessageFactory(influencer=lea, relationship=older, message_id="<a@crm.example>", send_at=now - timedelta(days=3))
    MessageFactory(influencer=lea, relationship=newer, message_id="<b@crm.example>", send_at=now - timedelta(days=1))
    ContactFactory(influencer=lea, relationship=logged, message_id="c@crm.example")

    assert mail_relationship(influencer=lea, thread_ids=["c@crm.example", "a@crm.example", "b@crm.example"]) == newer


def test_another_person_s_thread_is_not_theirs(lea):
    mine = RelationshipFactory(influencer=lea, stage=Stage.ACTIVE)
    other = RelationshipFactory(stage=Stage.ACTIVE)
    MessageFactory(influencer=other.influencer, relationship=other, message_id="<x@crm.example>")

    # No thread of hers: her one relationship she knows of.
    assert mail_relationship(influencer=lea, thread_ids=["x@crm.example"]) == mine


def test_without_a_thread_it_is_their_one_relationship_they_know_of(lea, django_assert_num_queries):
    active = RelationshipFactory(influencer=lea, stage=Stage.ACTIVE)
    RelationshipFactory(influencer=lea, stage=Stage.SHORTLISTED)  # she does not know of it yet
    RelationshipFactory(influencer=lea, stage=Stage.CLOSED)

    with django_assert_num_queries(1):
        assert mail_relationship(influencer=lea, thread_ids=[]) == active


def test_with_two_relationships_she_knows_of_and_no_thread_it_is_none(lea):
    RelationshipFactory(influencer=lea, stage=Stage.PITCHED)
    RelationshipFactory(influencer=lea, stage=Stage.ACTIVE)

    assert mail_relationship(influencer=lea, thread_ids=["unknown@elsewhere.example"]) is None
