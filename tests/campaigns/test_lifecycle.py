"""shortlist → pitch → accept → deliver → close: each move, what it stamps, and the moves it refuses."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db.models import QuerySet

from campaigns.models import Campaign, Relationship, Stage, StageChange, ThankYou
from campaigns.services import (
    pitch_text,
    relationship_accept,
    relationship_close,
    relationship_deliver,
    relationship_pitch,
    relationship_shortlist,
)
from crm.models import Contact, Exchange, Influencer
from tests.factories import CampaignFactory, ExchangeFactory, InfluencerFactory, RelationshipFactory, paris

MONDAY = paris(2026, 3, 2, 10, 0)


@pytest.fixture
def now(time_machine):
    time_machine.move_to(MONDAY, tick=False)
    return MONDAY


@pytest.fixture
def lea(db):
    return InfluencerFactory(name="Léa", email="lea@example.org", topics=["lifestyle", "food"])


@pytest.fixture
def spring(db):
    return CampaignFactory(name="Spring range", topics=["lifestyle"])


def _shortlisted(lea, spring, bob):
    return relationship_shortlist(influencer=lea, campaign=spring, by=bob)


def _active(lea, spring, bob, **accept):
    relationship = relationship_pitch(relationship=_shortlisted(lea, spring, bob), by=bob)
    return relationship_accept(relationship=relationship, by=bob, **accept)


def _messages(error: pytest.ExceptionInfo) -> str:
    return " ".join(error.value.messages)


# --- Shortlist ---


def test_shortlisting_puts_the_person_on_the_campaign_owned_by_whoever_shortlists(now, lea, spring, bob):
    relationship = relationship_shortlist(influencer=lea, campaign=spring, by=bob)

    assert (relationship.stage, relationship.owner, relationship.shortlisted_at) == (Stage.SHORTLISTED, bob, now)
    assert relationship.next_contact_due is None
    change = relationship.stage_changes.get()
    assert (change.from_stage, change.to_stage, change.changed_by, change.changed_at) == ("", "shortlisted", bob, now)


def test_shortlisting_for_a_colleague_makes_them_the_owner(lea, spring, bob, dave):
    relationship = relationship_shortlist(influencer=lea, campaign=spring, by=bob, owner=dave)

    assert relationship.owner == dave
    assert relationship.stage_changes.get().changed_by == bob


def test_it_refuses_to_shortlist_someone_twice_on_the_same_campaign(lea, spring, bob, dave):
    relationship_shortlist(influencer=lea, campaign=spring, by=bob)

    with pytest.raises(ValidationError) as refused:
        relationship_shortlist(influencer=lea, campaign=spring, by=dave)

    assert _messages(refused) == f"Léa is already on {spring}."
    assert Relationship.objects.count() == 1


def test_a_duplicate_that_slips_past_the_check_still_gets_a_readable_error(lea, spring, bob, dave, monkeypatch):
    relationship_shortlist(influencer=lea, campaign=spring, by=bob)
    # Someone else's insert lands between our check and ours: the check sees nothing, the constraint fires.
    real_exists = QuerySet.exists
    blind = iter([True])

    def exists_blind_once(queryset):
        return False if next(blind, False) else real_exists(queryset)

    monkeypatch.setattr(QuerySet, "exists", exists_blind_once)

    with pytest.raises(ValidationError) as refused:
        relationship_shortlist(influencer=lea, campaign=spring, by=dave)

    assert _messages(refused) == f"Léa is already on {spring}."
    assert Relationship.objects.count() == 1


def test_it_refuses_to_shortlist_on_a_finished_campaign(lea, bob):
    finished = CampaignFactory(status=Campaign.Status.FINISHED)

    with pytest.raises(ValidationError, match="is finished"):
        relationship_shortlist(influencer=lea, campaign=finished, by=bob)

    assert not Relationship.objects.exists()


# --- Pitch ---


def test_pitching_logs_the_brief_as_an_outbound_contact_and_sets_the_follow_up(now, lea, spring, bob):
    relationship = _shortlisted(lea, spring, bob)

    relationship_pitch(relationship=relationship, by=bob, contact_kind=Contact.Kind.DM)

    assert (relationship.stage, relationship.pitched_at) == (Stage.PITCHED, now)
    assert relationship.next_contact_due == datetime.date(2026, 3, 9)  # PITCH_FOLLOW_UP_DAYS = 7
    assert relationship.last_contact_at == now
    contact = Contact.objects.get()
    assert (contact.influencer, contact.relationship, contact.kind, contact.direction, contact.logged_by) == (
        lea,
        relationship,
        Contact.Kind.DM,
        Contact.Direction.OUTBOUND,
        bob,
    )
    assert contact.summary == pitch_text(campaign=spring, influencer=lea)
    assert list(relationship.stage_changes.order_by("pk").values_list("from_stage", "to_stage", "changed_by")) == [
        ("", "shortlisted", bob.pk),
        ("shortlisted", "pitched", bob.pk),
    ]


def test_the_pitch_carries_the_real_brief(db):
    organic = CampaignFactory(
        name="Spring range",
        objective="Be known in Lyon",
        ask="A post",
        deliverables="1 post",
        offer="The range",
        starts_on=datetime.date(2026, 4, 1),
        ends_on=datetime.date(2026, 5, 31),
    )
    sponsored = CampaignFactory(sponsored=True, offer="300 €", disclosure="#ad · Paid partnership with Brand")

    text = pitch_text(campaign=organic)

    for expected in ["Be known in Lyon", "A post", "1 post", "The range", "April 1, 2026", "May 31, 2026", "Organic"]:
        assert expected in text
    assert "Sponsored" in pitch_text(campaign=sponsored)
    assert "#ad · Paid partnership with Brand" in pitch_text(campaign=sponsored)


@pytest.mark.parametrize(
    ("starts_on", "ends_on", "english", "french"),
    [
        (None, None, "Dates: still to be set", "Dates : encore à fixer"),
        (datetime.date(2026, 4, 1), None, "Dates: from April 1, 2026; the end is still to be set",
         "Dates : à partir du 1 avril 2026 ; la fin reste à fixer"),
        (None, datetime.date(2026, 5, 31), "Dates: until May 31, 2026; the start is still to be set",
         "Dates : jusqu’au 31 mai 2026 ; le début reste à fixer"),
    ],
)  # fmt: skip
@pytest.mark.django_db
def test_the_pitch_says_its_dates_as_a_sentence_whichever_are_set(starts_on, ends_on, english, french):
    campaign = CampaignFactory(starts_on=starts_on, ends_on=ends_on)

    assert english in pitch_text(campaign=campaign, influencer=InfluencerFactory(language="en")).splitlines()
    assert french in pitch_text(campaign=campaign, influencer=InfluencerFactory(language="fr")).splitlines()


def test_the_pitch_goes_out_in_the_person_s_language(lea, spring, bob):
    lea.language = "fr"
    lea.save()

    relationship_pitch(relationship=_shortlisted(lea, spring, bob), by=bob)

    summary = lea.contacts.get().summary
    assert "Ce que nous demandons" in summary and "What we ask" not in summary


def test_it_refuses_to_pitch_twice(lea, spring, bob):
    relationship = relationship_pitch(relationship=_shortlisted(lea, spring, bob), by=bob)

    with pytest.raises(ValidationError, match="is pitched, so it cannot be pitched"):
        relationship_pitch(relationship=relationship, by=bob)

    assert Contact.objects.count() == 1


def test_it_refuses_to_pitch_on_a_campaign_finished_since_the_shortlist(lea, spring, bob):
    relationship = _shortlisted(lea, spring, bob)
    Campaign.objects.filter(pk=spring.pk).update(status=Campaign.Status.FINISHED)

    with pytest.raises(ValidationError, match="is finished"):
        relationship_pitch(relationship=relationship, by=bob)


def test_a_stale_copy_of_the_relationship_is_judged_on_the_row_in_the_database(lea, spring, bob, dave):
    mine = _shortlisted(lea, spring, bob)
    theirs = Relationship.objects.get(pk=mine.pk)
    relationship_pitch(relationship=theirs, by=dave)

    with pytest.raises(ValidationError, match="is pitched, so it cannot be pitched"):
        relationship_pitch(relationship=mine, by=bob)

    assert mine.stage == Stage.PITCHED  # the caller's copy now shows what really happened


# --- Accept ---


@pytest.mark.parametrize(
    ("given", "person", "expected_days"),
    [(10, 30, 10), (None, 30, 30), (None, None, 14)],
    ids=["the move's", "the person's", "the default"],
)
def test_accepting_sets_the_contact_cadence(now, spring, bob, given, person, expected_days):
    lea = InfluencerFactory(topics=["lifestyle"], cadence_days=person)
    relationship = relationship_pitch(relationship=_shortlisted(lea, spring, bob), by=bob)

    relationship_accept(relationship=relationship, by=bob, cadence_days=given)

    assert (relationship.stage, relationship.accepted_at) == (Stage.ACTIVE, now)
    assert relationship.cadence_days == expected_days
    assert relationship.next_contact_due == datetime.date(2026, 3, 2) + datetime.timedelta(days=expected_days)


def test_it_refuses_to_accept_a_shortlisted_relationship(lea, spring, bob):
    relationship = _shortlisted(lea, spring, bob)

    with pytest.raises(ValidationError) as refused:
        relationship_accept(relationship=relationship, by=bob)

    assert "pitch them first" in _messages(refused)
    assert Relationship.objects.get().stage == Stage.SHORTLISTED


@pytest.mark.parametrize(
    ("days", "message"), [(0, "greater than or equal to 1"), (2912104, "less than or equal to 3650")]
)
def test_it_refuses_a_cadence_out_of_bounds(lea, spring, bob, days, message):
    relationship = relationship_pitch(relationship=_shortlisted(lea, spring, bob), by=bob)

    with pytest.raises(ValidationError, match=message):
        relationship_accept(relationship=relationship, by=bob, cadence_days=days)
    assert Relationship.objects.get().stage == Stage.PITCHED


# --- Deliver ---


def test_it_refuses_to_mark_delivered_before_the_content_is_recorded(lea, spring, bob):
    relationship = _active(lea, spring, bob)
    ExchangeFactory(influencer=lea, relationship=relationship, direction=Exchange.Direction.GIVE)  # not content

    with pytest.raises(ValidationError) as refused:
        relationship_deliver(relationship=relationship, by=bob)

    assert "Record the content first" in _messages(refused)
    assert Relationship.objects.get().stage == Stage.ACTIVE


def test_delivering_once_the_content_is_recorded(now, lea, spring, bob):
    relationship = _active(lea, spring, bob)
    ExchangeFactory(influencer=lea, relationship=relationship, direction=Exchange.Direction.GET)

    relationship_deliver(relationship=relationship, by=bob)

    assert (relationship.stage, relationship.delivered_at) == (Stage.DELIVERED, now)


def test_content_recorded_on_another_campaign_does_not_count(lea, spring, bob):
    relationship = _active(lea, spring, bob)
    other = RelationshipFactory(influencer=lea, stage=Stage.ACTIVE)
    ExchangeFactory(influencer=lea, relationship=other, direction=Exchange.Direction.GET)

    with pytest.raises(ValidationError, match="Record the content first"):
        relationship_deliver(relationship=relationship, by=bob)


# --- Close ---


def test_closing_queues_a_thank_you_and_stops_the_clock(now, lea, spring, bob):
    relationship = _active(lea, spring, bob)

    relationship_close(relationship=relationship, by=bob, outcome="completed")

    assert (relationship.stage, relationship.outcome, relationship.closed_at) == (Stage.CLOSED, "completed", now)
    assert (relationship.thank_you, relationship.thank_you_skip_reason) == (ThankYou.QUEUED, "")
    assert relationship.next_contact_due is None
    assert relationship.stage_changes.order_by("pk").last().to_stage == Stage.CLOSED


def test_closing_with_a_skip_reason_skips_the_thank_you(lea, spring, bob):
    relationship = _active(lea, spring, bob)

    relationship_close(relationship=relationship, by=bob, outcome="dropped", skip_reason="  They asked for a break ")

    assert (relationship.thank_you, relationship.thank_you_skip_reason) == (ThankYou.SKIPPED, "They asked for a break")


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"consent": Influencer.Consent.OPTED_OUT}, "Léa opted out of e-mails."),
        ({"email": ""}, "Léa has no e-mail address."),
    ],
    ids=["opted out", "no e-mail"],
)
def test_closing_skips_the_thank_you_by_itself_when_it_cannot_be_sent(lea, spring, bob, change, reason):
    relationship = _active(lea, spring, bob)
    Influencer.objects.filter(pk=lea.pk).update(**change)

    relationship_close(relationship=relationship, by=bob, outcome="completed")

    assert (relationship.thank_you, relationship.thank_you_skip_reason) == (ThankYou.SKIPPED, reason)


def test_closing_a_relationship_never_pitched_thanks_nobody(lea, spring, bob):
    relationship = _shortlisted(lea, spring, bob)

    relationship_close(relationship=relationship, by=bob, outcome="dropped")

    assert relationship.thank_you == ThankYou.SKIPPED
    assert relationship.thank_you_skip_reason == "Léa was never pitched on this campaign."


@pytest.mark.parametrize("outcome", ["", "great", None])
def test_closing_needs_a_valid_outcome(lea, spring, bob, outcome):
    relationship = _active(lea, spring, bob)

    with pytest.raises(ValidationError, match="Say how it ended: completed, declined, no reply, dropped"):
        relationship_close(relationship=relationship, by=bob, outcome=outcome)

    assert Relationship.objects.get().stage == Stage.ACTIVE


@pytest.mark.parametrize(
    "move",
    [
        lambda r, by: relationship_pitch(relationship=r, by=by),
        lambda r, by: relationship_accept(relationship=r, by=by),
        lambda r, by: relationship_deliver(relationship=r, by=by),
        lambda r, by: relationship_close(relationship=r, by=by, outcome="dropped"),
    ],
    ids=["pitch", "accept", "deliver", "close"],
)
def test_nothing_can_be_done_on_a_closed_relationship(lea, spring, bob, move):
    relationship = relationship_close(relationship=_active(lea, spring, bob), by=bob, outcome="completed")
    changes = StageChange.objects.count()

    with pytest.raises(ValidationError) as refused:
        move(relationship, bob)

    assert "is already closed (completed)" in _messages(refused)
    assert "shortlist them on another campaign" in _messages(refused)
    assert StageChange.objects.count() == changes


def test_the_whole_lifecycle_is_on_the_timeline_with_who_and_when(time_machine, lea, spring, bob, dave):
    time_machine.move_to(paris(2026, 3, 2), tick=False)
    relationship = _shortlisted(lea, spring, bob)
    time_machine.move_to(paris(2026, 3, 3), tick=False)
    relationship_pitch(relationship=relationship, by=bob)
    time_machine.move_to(paris(2026, 3, 5), tick=False)
    relationship_accept(relationship=relationship, by=dave)
    ExchangeFactory(influencer=lea, relationship=relationship)
    time_machine.move_to(paris(2026, 3, 20), tick=False)
    relationship_deliver(relationship=relationship, by=dave)
    time_machine.move_to(paris(2026, 3, 25), tick=False)
    relationship_close(relationship=relationship, by=bob, outcome="completed")

    timeline = relationship.stage_changes.order_by("changed_at").values_list(
        "from_stage", "to_stage", "changed_by__username", "changed_at__day"
    )
    assert list(timeline) == [
        ("", "shortlisted", "bob", 2),
        ("shortlisted", "pitched", "bob", 3),
        ("pitched", "active", "dave", 5),
        ("active", "delivered", "dave", 20),
        ("delivered", "closed", "bob", 25),
    ]
    assert [relationship.pitched_at, relationship.accepted_at, relationship.delivered_at, relationship.closed_at] == [
        paris(2026, 3, 3),
        paris(2026, 3, 5),
        paris(2026, 3, 20),
        paris(2026, 3, 25),
    ]
