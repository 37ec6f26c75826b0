"""Two records of the same person become one, with everything they had, or nothing changes."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from campaigns.models import Relationship
from crm.models import Channel, Contact, Exchange, Influencer
from crm.services.merge import influencer_merge
from tests.crm.admin_factories import campaign, person, relationship

pytestmark = [pytest.mark.django_db, pytest.mark.clock]

NOW = timezone.now()


@pytest.fixture
def twins(alice, bob):
    older = person(
        "Léa Martin",
        email="lea@blog.example",
        topics=["lifestyle"],
        channels=[("blog", "lea-blog", 8_000)],
        notes="Met at the Lyon fair.",
        owner=bob,
        last_contact_at=NOW - dt.timedelta(days=20),
        next_contact_due=timezone.localdate() + dt.timedelta(days=10),
    )
    newer = person(
        "Lea Martin (insta)",
        email="",
        city="Lyon",
        topics=["sport", "lifestyle"],
        channels=[("instagram", "lea.m", 42_000)],
        notes="Prefers DMs.",
        last_contact_at=NOW - dt.timedelta(days=2),
        next_contact_due=timezone.localdate() + dt.timedelta(days=3),
    )
    Influencer.objects.filter(pk=newer.pk).update(created_at=older.created_at + dt.timedelta(days=1))
    Contact.objects.create(influencer=newer, occurred_at=NOW - dt.timedelta(days=2), summary="DM about spring")
    Exchange.objects.create(influencer=newer, direction="give", kind="product", occurred_on=timezone.localdate())
    return older, newer


def test_everything_the_duplicate_had_moves_to_the_survivor(twins, alice):
    older, newer = twins
    rel = relationship(newer, campaign("Spring"))

    merged = influencer_merge(survivor=newer, duplicate=older, by=alice)

    assert not Influencer.objects.filter(pk=older.pk).exists()
    assert set(merged.channels.values_list("handle", flat=True)) == {"lea-blog", "lea.m"}
    assert set(merged.topics.values_list("name", flat=True)) == {"lifestyle", "sport"}
    assert merged.contacts.count() == 1 and merged.exchanges.count() == 1
    assert Relationship.objects.get(pk=rel.pk).influencer == merged
    # Survivor's filled fields stay; blank ones take the duplicate's.
    assert merged.name == "Lea Martin (insta)"
    assert merged.email == "lea@blog.example"
    assert merged.city == "Lyon"
    assert merged.owner.username == "bob"
    # The earliest creation date, the largest channel, the latest contact and the earliest due date.
    assert merged.created_at == older.created_at
    assert merged.audience == 42_000
    assert merged.last_contact_at == newer.last_contact_at
    assert merged.next_contact_due == newer.next_contact_due
    assert merged.notes.startswith("Prefers DMs.\n\nMerged from Léa Martin on ")
    assert merged.notes.endswith("Met at the Lyon fair.")


def test_an_opt_out_on_the_duplicate_wins(twins, alice):
    older, newer = twins
    Influencer.objects.filter(pk=older.pk).update(consent=Influencer.Consent.OPTED_OUT, consent_source="unsubscribe")

    merged = influencer_merge(survivor=newer, duplicate=older, by=alice)

    assert merged.consent == Influencer.Consent.OPTED_OUT
    assert merged.consent_source == "unsubscribe"


def test_it_refuses_two_people_on_the_same_campaign_and_changes_nothing(twins, alice):
    older, newer = twins
    spring = campaign("Spring")
    relationship(older, spring)
    relationship(newer, spring)

    with pytest.raises(ValidationError) as refused:
        influencer_merge(survivor=newer, duplicate=older, by=alice)

    assert refused.value.messages == [
        "Lea Martin (insta) and Léa Martin are both on Maison Verte · Spring. "
        "Close or delete one of the two relationships, then merge."
    ]
    assert Influencer.objects.filter(pk__in=[older.pk, newer.pk]).count() == 2
    assert Channel.objects.get(handle="lea-blog").influencer_id == older.pk
    assert Contact.objects.get().influencer_id == newer.pk


def test_it_refuses_to_merge_a_person_into_themselves(twins, alice):
    older, _ = twins
    with pytest.raises(ValidationError, match="into themselves"):
        influencer_merge(survivor=older, duplicate=older, by=alice)


def test_a_second_email_is_kept_in_the_notes(alice):
    a = person("Tom", email="tom@one.example")
    b = person("Tom B", email="TOM@two.example")

    merged = influencer_merge(survivor=a, duplicate=b, by=alice)

    assert merged.email == "tom@one.example"
    assert "Their other e-mail: TOM@two.example." in merged.notes
