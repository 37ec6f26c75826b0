"""The pitch guardrails: complete brief (B4, M2), relevance (B1), opt-out, consistency and frequency (M3).

Each refusal is recorded as a BLOCKED GuardrailEvent that outlives the refusal; an override (B1) or an
acknowledgement (M3) is recorded with the pitch it allowed.
"""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction

from campaigns.models import Campaign, GuardrailEvent, Relationship, Stage
from campaigns.services import pitch_checks, pitch_checks_for, relationship_pitch, relationship_shortlist
from core.models import TeamRules
from crm.models import Contact, Influencer
from tests.factories import BrandFactory, CampaignFactory, InfluencerFactory, RelationshipFactory, paris

Rule = GuardrailEvent.Rule
Result = GuardrailEvent.Result
NOW = paris(2026, 3, 2, 10, 0)


@pytest.fixture(autouse=True)
def now(time_machine):
    time_machine.move_to(NOW, tick=False)
    return NOW


@pytest.fixture
def lea(db):
    return InfluencerFactory(name="Léa", topics=["lifestyle", "food"])


def _shortlist(influencer, bob, **campaign):
    campaign.setdefault("topics", ["lifestyle"])
    return relationship_shortlist(influencer=influencer, campaign=CampaignFactory(**campaign), by=bob)


def _pitched_before(influencer, *, days_ago: int, topics: list[str], brand=None):
    """A pitch made earlier on another campaign, written directly."""
    campaign = CampaignFactory(topics=topics, **({"brand": brand} if brand else {}))
    return RelationshipFactory(
        influencer=influencer,
        campaign=campaign,
        stage=Stage.PITCHED,
        pitched_at=NOW - datetime.timedelta(days=days_ago),
    )


def _events(relationship) -> list[tuple[str, str]]:
    return list(relationship.guardrail_events.order_by("pk").values_list("rule", "result"))


def _refused(relationship, by, **kwargs) -> str:
    with pytest.raises(ValidationError) as refused:
        relationship_pitch(relationship=relationship, by=by, **kwargs)
    relationship.refresh_from_db()
    assert relationship.stage == Stage.SHORTLISTED
    assert not Contact.objects.filter(relationship=relationship).exists()
    return " ".join(refused.value.messages)


# --- B4, M2: the brief ---


def test_it_refuses_to_pitch_while_the_brief_is_incomplete(lea, bob):
    relationship = _shortlist(lea, bob, ask="", ends_on=None)

    message = _refused(relationship, bob)

    assert "is incomplete; fill in what is asked, ends on before pitching anyone" in message
    assert _events(relationship) == [(Rule.BRIEF_INCOMPLETE, Result.BLOCKED)]
    assert relationship.guardrail_events.get().by == bob


def test_a_sponsored_campaign_needs_an_offer_and_an_ad_disclosure_before_a_pitch(lea, bob):
    relationship = _shortlist(lea, bob, sponsored=True, offer="", disclosure="")

    message = _refused(relationship, bob)

    assert "fill in what is offered, ad disclosure before" in message


def test_a_sponsored_campaign_with_an_offer_and_a_disclosure_can_be_pitched(lea, bob):
    relationship = _shortlist(lea, bob, sponsored=True, offer="300 €", disclosure="#ad")

    relationship_pitch(relationship=relationship, by=bob)

    assert relationship.stage == Stage.PITCHED


def test_an_organic_campaign_needs_no_disclosure(lea, bob):
    relationship = _shortlist(lea, bob, sponsored=False, disclosure="")

    relationship_pitch(relationship=relationship, by=bob)

    assert relationship.stage == Stage.PITCHED


# --- B1: relevance ---


def test_an_off_topic_pitch_is_refused_without_a_reason(lea, bob):
    relationship = _shortlist(lea, bob, topics=["sport"])

    message = _refused(relationship, bob, override_reason="   ")

    assert "has no topic in common with Léa" in message
    assert "give the reason for this off-topic pitch" in message
    assert _events(relationship) == [(Rule.OFF_TOPIC, Result.BLOCKED)]


def test_an_off_topic_pitch_goes_through_with_a_reason_which_is_kept(lea, bob):
    relationship = _shortlist(lea, bob, topics=["sport"])

    relationship_pitch(relationship=relationship, by=bob, override_reason="She runs marathons on weekends")

    assert relationship.stage == Stage.PITCHED
    assert relationship.off_topic_reason == "She runs marathons on weekends"
    event = relationship.guardrail_events.get()
    assert (event.rule, event.result, event.detail, event.by) == (
        Rule.OFF_TOPIC,
        Result.OVERRIDDEN,
        "She runs marathons on weekends",
        bob,
    )


def test_an_on_topic_pitch_records_no_guardrail_and_keeps_no_reason(lea, bob):
    relationship = _shortlist(lea, bob, topics=["food", "travel"])

    relationship_pitch(relationship=relationship, by=bob, override_reason="not needed")

    assert relationship.off_topic_reason == ""
    assert _events(relationship) == []


# --- Opt-out ---


def test_an_opted_out_person_cannot_be_pitched_whatever_the_overrides(lea, bob):
    relationship = _shortlist(lea, bob)
    Influencer.objects.filter(pk=lea.pk).update(consent=Influencer.Consent.OPTED_OUT)

    message = _refused(relationship, bob, override_reason="but we must", acknowledge_flags=True)

    assert "Léa opted out of contact: they cannot be pitched." in message
    assert _events(relationship) == [(Rule.OPTED_OUT, Result.BLOCKED)]


def test_every_blocking_rule_is_told_at_once(lea, bob):
    relationship = _shortlist(lea, bob, topics=["sport"], offer="")
    Influencer.objects.filter(pk=lea.pk).update(consent=Influencer.Consent.OPTED_OUT)

    _refused(relationship, bob)

    assert _events(relationship) == [
        (Rule.OPTED_OUT, Result.BLOCKED),
        (Rule.BRIEF_INCOMPLETE, Result.BLOCKED),
        (Rule.OFF_TOPIC, Result.BLOCKED),
    ]


# --- M3: consistency and frequency, across all campaigns and brands ---


def test_a_pitch_on_unrelated_topics_within_the_window_is_flagged_and_refused(lea, bob):
    _pitched_before(lea, days_ago=29, topics=["sport"])
    relationship = _shortlist(lea, bob, topics=["lifestyle"])

    message = _refused(relationship, bob)

    assert "Léa was pitched on unrelated topics in the last 30 days" in message
    assert "Acknowledge this to pitch anyway." in message
    assert _events(relationship) == [(Rule.CONSISTENCY, Result.BLOCKED)]


def test_an_acknowledged_flag_lets_the_pitch_through_and_is_kept_with_it(lea, bob):
    _pitched_before(lea, days_ago=3, topics=["sport"])
    relationship = _shortlist(lea, bob, topics=["lifestyle"])

    relationship_pitch(relationship=relationship, by=bob, acknowledge_flags=True)

    assert relationship.stage == Stage.PITCHED
    assert "was pitched on unrelated topics in the last 30 days" in relationship.flag_reason
    assert relationship.flag_acknowledged_by == bob
    assert _events(relationship) == [(Rule.CONSISTENCY, Result.ACKNOWLEDGED)]


def test_a_pitch_on_unrelated_topics_before_the_window_is_not_flagged(lea, bob):
    _pitched_before(lea, days_ago=31, topics=["sport"])
    relationship = _shortlist(lea, bob, topics=["lifestyle"])

    relationship_pitch(relationship=relationship, by=bob)

    assert (relationship.stage, relationship.flag_reason, relationship.flag_acknowledged_by) == (
        Stage.PITCHED,
        "",
        None,
    )


def test_a_recent_pitch_on_a_related_campaign_is_not_flagged(lea, bob):
    _pitched_before(lea, days_ago=2, topics=["lifestyle", "sport"])
    relationship = _shortlist(lea, bob, topics=["lifestyle"])

    relationship_pitch(relationship=relationship, by=bob)

    assert relationship.flag_reason == ""


def test_a_fourth_pitch_in_the_window_is_flagged_across_brands(lea, bob):
    for days_ago in (1, 10, 20):
        _pitched_before(lea, days_ago=days_ago, topics=["lifestyle"], brand=BrandFactory())
    relationship = _shortlist(lea, bob, topics=["lifestyle"])

    message = _refused(relationship, bob)

    assert "Léa was already pitched 3 times in the last 30 days, across all campaigns and brands" in message
    assert _events(relationship) == [(Rule.FREQUENCY, Result.BLOCKED)]


def test_a_third_pitch_in_the_window_is_not_flagged(lea, bob):
    for days_ago in (1, 10):
        _pitched_before(lea, days_ago=days_ago, topics=["lifestyle"])
    _pitched_before(lea, days_ago=40, topics=["lifestyle"])
    relationship = _shortlist(lea, bob, topics=["lifestyle"])

    relationship_pitch(relationship=relationship, by=bob)

    assert relationship.flag_reason == ""


def test_the_window_and_the_limit_are_settings(lea, bob, settings):
    settings.GUARDRAIL_MAX_PITCHES = 1
    settings.GUARDRAIL_WINDOW_DAYS = 7
    _pitched_before(lea, days_ago=6, topics=["lifestyle"])
    relationship = _shortlist(lea, bob, topics=["lifestyle"])

    message = _refused(relationship, bob)

    assert "already pitched 1 times in the last 7 days" in message


# --- What survives a refusal, and the preview ---


def test_a_blocked_event_survives_when_the_caller_catches_the_refusal_in_its_own_transaction(lea, bob):
    relationship = _shortlist(lea, bob, objective="")

    # e.g. an admin view, which runs in a transaction and shows the error instead of failing.
    with transaction.atomic(), pytest.raises(ValidationError):
        relationship_pitch(relationship=relationship, by=bob)

    assert _events(relationship) == [(Rule.BRIEF_INCOMPLETE, Result.BLOCKED)]
    assert Relationship.objects.get().stage == Stage.SHORTLISTED


def test_pitch_checks_shows_what_stands_in_the_way_without_changing_anything(lea, bob):
    _pitched_before(lea, days_ago=3, topics=["sport"])
    relationship = _shortlist(lea, bob, topics=["music"], deliverables="")
    Influencer.objects.filter(pk=lea.pk).update(consent=Influencer.Consent.OPTED_OUT)
    relationship.refresh_from_db()

    checks = pitch_checks(relationship=relationship)

    assert checks.brief_missing == ["deliverables"]
    assert (checks.off_topic, checks.opted_out, checks.clear) == (True, True, False)
    assert len(checks.flags) == 1 and "unrelated topics" in checks.flags[0]
    assert not GuardrailEvent.objects.exists()
    assert Relationship.objects.get(pk=relationship.pk).stage == Stage.SHORTLISTED


def test_pitch_checks_is_clear_for_a_good_pitch(lea, bob):
    relationship = _shortlist(lea, bob, topics=["food"])

    assert pitch_checks(relationship=relationship).clear


# --- One card or a whole column: the same checks ---


def _column_of_every_case(bob):
    """Shortlisted people on one campaign, one per case a pitch check knows (the board's column)."""
    campaign = CampaignFactory(topics=["lifestyle"])
    people = [
        InfluencerFactory(name="on topic", topics=["lifestyle"]),
        InfluencerFactory(name="off topic", topics=["sport"]),
        InfluencerFactory(name="opted out", topics=["lifestyle"], consent=Influencer.Consent.OPTED_OUT),
        InfluencerFactory(name="pitched elsewhere", topics=["lifestyle"]),
        InfluencerFactory(name="pitched a lot", topics=["lifestyle"]),
    ]
    elsewhere = _pitched_before(people[3], days_ago=2, topics=["sport"])
    for days_ago in (1, 3, 5):
        _pitched_before(people[4], days_ago=days_ago, topics=["lifestyle"])
    column = [relationship_shortlist(influencer=person, campaign=campaign, by=bob) for person in people]
    return column, campaign, elsewhere.campaign


def test_a_column_and_each_of_its_cards_alone_get_the_same_pitch_checks(bob):
    column, campaign, unrelated = _column_of_every_case(bob)

    together = pitch_checks_for(relationships=column, campaign=campaign)

    alone = {
        relationship.pk: pitch_checks(relationship=Relationship.objects.get(pk=relationship.pk))
        for relationship in column
    }
    assert together == alone
    on_topic, off_topic, opted_out, elsewhere, a_lot = (together[relationship.pk] for relationship in column)
    assert on_topic.clear
    assert (off_topic.off_topic, off_topic.opted_out, off_topic.flags) == (True, False, [])
    assert (opted_out.opted_out, opted_out.off_topic, opted_out.flags) == (True, False, [])
    assert elsewhere.flag_rules == [Rule.CONSISTENCY] and elsewhere.earlier_pitches == 1
    assert elsewhere.unrelated == [str(unrelated)]
    assert a_lot.flag_rules == [Rule.FREQUENCY] and a_lot.earlier_pitches == 3 and a_lot.unrelated == []
    assert "already pitched 3 times in the last 30 days" in a_lot.flags[0]


def test_an_incomplete_brief_stands_in_the_way_of_every_card_of_the_column(bob):
    column, campaign, _unrelated = _column_of_every_case(bob)
    campaign.offer = ""
    campaign.save()

    together = pitch_checks_for(relationships=column, campaign=campaign)

    assert all(checks.brief_missing == ["what is offered"] for checks in together.values())
    assert together == {relationship.pk: pitch_checks(relationship=relationship) for relationship in column}


def test_the_unrelated_campaigns_are_named_latest_first(lea, bob):
    older = _pitched_before(lea, days_ago=6, topics=["sport"])
    newer = _pitched_before(lea, days_ago=2, topics=["music"])
    relationship = _shortlist(lea, bob, topics=["lifestyle"])

    checks = pitch_checks(relationship=relationship)

    assert checks.unrelated == [str(newer.campaign), str(older.campaign)]
    assert f"({newer.campaign}, {older.campaign})" in checks.flags[0]


@pytest.mark.parametrize("cards", [3, 30])
def test_the_pitch_checks_of_a_column_take_three_queries_however_many_cards(bob, cards, django_assert_num_queries):
    campaign = CampaignFactory(topics=["lifestyle"])
    for n in range(cards):
        person = InfluencerFactory(topics=["lifestyle"] if n % 2 else ["sport"])
        _pitched_before(person, days_ago=n % 5, topics=["sport"])
        RelationshipFactory(influencer=person, campaign=campaign)
    column = list(Relationship.objects.filter(campaign=campaign).select_related("influencer"))
    campaign = Campaign.objects.get(pk=campaign.pk)  # its topics not read yet

    # The campaign's topics, the people sharing one of them, those people's pitches in the window.
    with django_assert_num_queries(3):
        checks = pitch_checks_for(relationships=column, campaign=campaign)

    assert len(checks) == cards
    assert sum(each.off_topic for each in checks.values()) == cards - cards // 2
    assert all(each.flag_rules == [Rule.CONSISTENCY] for each in checks.values())


def test_the_window_and_the_limit_saved_by_a_manager_win_over_the_environment(lea, bob, settings):
    settings.GUARDRAIL_MAX_PITCHES = 5
    rules = TeamRules.defaults()
    rules.guardrail_max_pitches, rules.guardrail_window_days = 1, 10
    rules.save()
    _pitched_before(lea, days_ago=9, topics=["lifestyle"])
    relationship = _shortlist(lea, bob, topics=["lifestyle"])

    message = _refused(relationship, bob)

    assert "already pitched 1 times in the last 10 days" in message
