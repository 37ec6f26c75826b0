"""People services: the contact log and its clocks, the ledger, audience figures, adding people."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from campaigns.models import Relationship, Stage
from core.validators import MAX_AUDIENCE
from crm.models import AudienceSnapshot, Channel, Contact, Exchange, Influencer, Tier
from crm.services import audience_snapshot_record, contact_log, exchange_record, influencer_create, influencer_update
from messaging.services import follow_up_schedule
from tests.factories import ChannelFactory, InfluencerFactory, RelationshipFactory, TopicFactory, paris

MARCH_2 = datetime.date(2026, 3, 2)


def days(n: int) -> datetime.timedelta:
    return datetime.timedelta(days=n)


@pytest.fixture
def now(time_machine):
    moment = paris(2026, 3, 2, 10, 0)
    time_machine.move_to(moment, tick=False)
    return moment


@pytest.fixture
def lea(db):
    return InfluencerFactory(name="Léa", cadence_days=30, next_contact_due=datetime.date(2026, 2, 20))


def _call(influencer, by, **kwargs):
    kwargs.setdefault("summary", "Caught up about her spring plans")
    return contact_log(influencer=influencer, by=by, kind=Contact.Kind.CALL, direction="outbound", **kwargs).contact


# --- The contact log and its clocks ---


def test_logging_a_call_today_moves_every_clock_of_the_person(now, lea, bob):
    old_due = datetime.date(2026, 2, 25)
    pitched = RelationshipFactory(influencer=lea, stage=Stage.PITCHED, next_contact_due=old_due)
    active = RelationshipFactory(influencer=lea, stage=Stage.ACTIVE, cadence_days=10, next_contact_due=old_due)
    delivered = RelationshipFactory(influencer=lea, stage=Stage.DELIVERED, cadence_days=20, next_contact_due=old_due)
    shortlisted = RelationshipFactory(influencer=lea, stage=Stage.SHORTLISTED)
    closed = RelationshipFactory(influencer=lea, stage=Stage.CLOSED, next_contact_due=None)
    someone_else = RelationshipFactory(stage=Stage.ACTIVE, next_contact_due=old_due)

    contact = _call(lea, bob)

    assert (contact.occurred_at, contact.logged_by, contact.kind) == (now, bob, Contact.Kind.CALL)
    due = dict(Relationship.objects.values_list("pk", "next_contact_due"))
    assert due == {
        pitched.pk: MARCH_2 + days(7),  # PITCH_FOLLOW_UP_DAYS
        active.pk: MARCH_2 + days(10),
        delivered.pk: MARCH_2 + days(20),
        shortlisted.pk: None,
        closed.pk: None,
        someone_else.pk: old_due,
    }
    assert Relationship.objects.get(pk=active.pk).last_contact_at == now
    lea.refresh_from_db()
    assert (lea.next_contact_due, lea.last_contact_at) == (MARCH_2 + days(30), now)


def test_a_person_without_a_cadence_gets_no_clock_of_their_own(now, bob):
    max_ = InfluencerFactory(cadence_days=None)

    _call(max_, bob)

    max_.refresh_from_db()
    assert (max_.next_contact_due, max_.last_contact_at) == (None, now)


def test_a_back_dated_contact_does_not_move_clocks_backwards(now, lea, bob):
    active = RelationshipFactory(influencer=lea, stage=Stage.ACTIVE, cadence_days=10)
    _call(lea, bob)

    _call(lea, bob, occurred_at=now - days(5), summary="The call of last week, logged late")

    active.refresh_from_db()
    lea.refresh_from_db()
    assert (active.next_contact_due, active.last_contact_at) == (MARCH_2 + days(10), now)
    assert (lea.next_contact_due, lea.last_contact_at) == (MARCH_2 + days(30), now)
    assert Contact.objects.count() == 2


def test_a_contact_logged_late_counts_from_the_day_it_happened(now, lea, bob):
    active = RelationshipFactory(influencer=lea, stage=Stage.ACTIVE, cadence_days=10, next_contact_due=MARCH_2)

    _call(lea, bob, occurred_at=paris(2026, 2, 27, 16, 0))

    active.refresh_from_db()
    assert active.next_contact_due == datetime.date(2026, 3, 9)


def test_the_day_of_a_touch_is_the_teams_local_day(time_machine, lea, bob):
    # 23:30 UTC on March 1st is already March 2nd in Paris.
    time_machine.move_to(datetime.datetime(2026, 3, 1, 23, 30, tzinfo=datetime.UTC), tick=False)
    active = RelationshipFactory(influencer=lea, stage=Stage.ACTIVE, cadence_days=10)

    _call(lea, bob)

    active.refresh_from_db()
    assert active.next_contact_due == MARCH_2 + days(10)


def test_it_refuses_a_contact_in_the_future_but_tolerates_a_clock_a_little_ahead(now, lea, bob):
    with pytest.raises(ValidationError) as refused:
        _call(lea, bob, occurred_at=now + datetime.timedelta(hours=1))
    assert refused.value.message_dict["occurred_at"] == [
        "A contact cannot be in the future. To plan one, schedule a follow-up instead."
    ]

    _call(lea, bob, occurred_at=now + datetime.timedelta(minutes=2))
    assert Contact.objects.count() == 1


def test_it_refuses_a_contact_without_a_summary(lea, bob):
    with pytest.raises(ValidationError) as refused:
        _call(lea, bob, summary="  \n ")

    assert refused.value.message_dict == {"summary": ["Say in a few words what the contact was about."]}
    assert not Contact.objects.exists()


def test_it_refuses_a_relationship_of_someone_else(lea, bob):
    other = RelationshipFactory(influencer=InfluencerFactory(name="Max"), stage=Stage.ACTIVE)

    with pytest.raises(ValidationError) as refused:
        _call(lea, bob, relationship=other)

    assert refused.value.message_dict == {"relationship": ["This relationship is with Max, not with Léa."]}


def test_it_refuses_an_unknown_kind_or_direction(lea, bob):
    with pytest.raises(ValidationError) as refused:
        contact_log(influencer=lea, by=bob, kind="pigeon", direction="sideways", summary="Coo")

    assert set(refused.value.message_dict) == {"kind", "direction"}


def test_the_very_same_contact_logged_again_is_not_added_twice_and_moves_nothing(now, lea, bob):
    active = RelationshipFactory(influencer=lea, stage=Stage.ACTIVE, cadence_days=10)
    first, created = contact_log(
        influencer=lea, by=bob, kind="call", direction="outbound", summary="Spring plans", relationship=active
    )
    assert created
    # Someone moves the clocks by hand in between: the repeated post must not move them again.
    Relationship.objects.filter(pk=active.pk).update(next_contact_due=MARCH_2)
    Influencer.objects.filter(pk=lea.pk).update(next_contact_due=MARCH_2)

    again = contact_log(
        influencer=lea, by=bob, kind="call", direction="outbound", summary=" Spring plans ", relationship=active
    )

    assert again == (first, False)
    assert Contact.objects.count() == 1
    assert Relationship.objects.get(pk=active.pk).next_contact_due == MARCH_2
    assert Influencer.objects.get(pk=lea.pk).next_contact_due == MARCH_2


@pytest.mark.parametrize(
    "change",
    [
        {"summary": "Another call"},
        {"kind": "meeting"},
        {"direction": "inbound"},
        {"occurred_at": paris(2026, 3, 2, 9, 59)},
        {"relationship": "active"},
        {"by": "dave"},
    ],
)
def test_a_contact_that_differs_in_anything_is_logged(now, lea, bob, dave, change):
    active = RelationshipFactory(influencer=lea, stage=Stage.ACTIVE)
    same = {"influencer": lea, "by": bob, "kind": "call", "direction": "outbound", "summary": "Spring plans"}
    contact_log(**same, occurred_at=now)
    other = {**same, "occurred_at": now, **change}
    other["relationship"] = active if other.get("relationship") == "active" else None
    other["by"] = dave if other["by"] == "dave" else bob

    contact, created = contact_log(**other)

    assert created
    assert Contact.objects.count() == 2


def test_an_inbound_contact_logged_again_cancels_nothing_more(now, lea, bob):
    reply = {"influencer": lea, "by": bob, "kind": "email", "direction": "inbound", "summary": "Yes"}
    contact_log(**reply)
    follow_up = follow_up_schedule(influencer=lea, by=bob, subject="News", body="Hi", send_at=paris(2026, 3, 3, 10))

    _contact, created = contact_log(**reply)

    assert not created
    follow_up.refresh_from_db()
    assert follow_up.status == "scheduled"


def test_a_touch_reads_and_locks_the_persons_row_once(now, lea, bob):
    RelationshipFactory(influencer=lea, stage=Stage.ACTIVE)

    with CaptureQueriesContext(connection) as queries:
        _call(lea, bob)

    reads = [q["sql"] for q in queries.captured_queries if 'FROM "crm_influencer"' in q["sql"]]
    assert len(reads) == 1, reads


def test_the_callers_person_and_relationship_come_back_with_their_new_clocks(now, lea, bob):
    active = RelationshipFactory(influencer=lea, stage=Stage.ACTIVE, cadence_days=10, next_contact_due=MARCH_2)

    _call(lea, bob, relationship=active)

    assert (active.next_contact_due, active.last_contact_at) == (MARCH_2 + days(10), now)
    assert (lea.next_contact_due, lea.last_contact_at) == (MARCH_2 + days(30), now)


# --- The give-and-get ledger ---


def test_recording_content_received_on_a_relationship(lea, bob):
    relationship = RelationshipFactory(influencer=lea, stage=Stage.ACTIVE)

    exchange = exchange_record(
        influencer=lea,
        by=bob,
        direction=Exchange.Direction.GET,
        kind=Exchange.Kind.POST,
        occurred_on=datetime.date(2026, 1, 5),
        reach=12000,
        url="https://example.org/post",
        relationship=relationship,
    )

    assert (exchange.relationship, exchange.recorded_by, exchange.reach) == (relationship, bob, 12000)
    assert Exchange.objects.get() == exchange


def test_the_ledger_refuses_what_a_person_would_get_wrong(now, lea, bob):
    other = RelationshipFactory(influencer=InfluencerFactory(name="Max"))

    with pytest.raises(ValidationError) as refused:
        exchange_record(
            influencer=lea,
            by=bob,
            direction="give",
            kind="yacht",
            occurred_on=MARCH_2 + days(1),
            value=Decimal("-5"),
            url="not a url",
            relationship=other,
        )

    assert set(refused.value.message_dict) == {"relationship", "occurred_on", "value", "kind", "url"}
    assert refused.value.message_dict["value"] == ["Ensure this value is greater than or equal to 0."]
    assert not Exchange.objects.exists()


def test_an_exchange_is_not_a_touch(now, lea, bob):
    exchange_record(influencer=lea, by=bob, direction="give", kind="product", occurred_on=MARCH_2)

    lea.refresh_from_db()
    assert (lea.last_contact_at, lea.next_contact_due) == (None, datetime.date(2026, 2, 20))


# --- Audience figures ---


def test_the_channel_keeps_its_latest_figure_whatever_order_figures_arrive_in(now, lea):
    instagram = ChannelFactory(influencer=lea)

    audience_snapshot_record(channel=instagram, taken_on=datetime.date(2026, 2, 1), followers=42_000)
    audience_snapshot_record(channel=instagram, taken_on=datetime.date(2025, 12, 1), followers=30_000)

    instagram.refresh_from_db()
    lea.refresh_from_db()
    assert instagram.followers == 42_000
    assert lea.audience == 42_000
    assert lea.tier == Tier.MICRO


def test_the_persons_audience_is_the_largest_of_their_channels(now, lea):
    blog = ChannelFactory(influencer=lea, platform=Channel.Platform.BLOG)
    youtube = ChannelFactory(influencer=lea, platform=Channel.Platform.YOUTUBE)
    audience_snapshot_record(channel=blog, taken_on=datetime.date(2026, 1, 1), followers=8_000)
    audience_snapshot_record(channel=youtube, taken_on=datetime.date(2026, 1, 1), followers=600_000)

    audience_snapshot_record(channel=youtube, taken_on=datetime.date(2026, 2, 1), followers=90_000)

    lea.refresh_from_db()
    assert (lea.audience, lea.tier) == (90_000, Tier.MICRO)


def test_a_second_figure_on_the_same_day_replaces_the_first(now, lea):
    channel = ChannelFactory(influencer=lea)
    audience_snapshot_record(channel=channel, taken_on=MARCH_2, followers=1_000)

    audience_snapshot_record(channel=channel, taken_on=MARCH_2, followers=1_200, engagement_rate=Decimal("3.5"))

    assert list(AudienceSnapshot.objects.values_list("followers", "engagement_rate")) == [(1_200, Decimal("3.50"))]
    assert channel.followers == 1_200


def test_it_refuses_impossible_audience_figures(now, lea):
    channel = ChannelFactory(influencer=lea)

    with pytest.raises(ValidationError) as refused:
        audience_snapshot_record(
            channel=channel, taken_on=MARCH_2 + days(1), followers=-1, engagement_rate=Decimal("101")
        )

    assert set(refused.value.message_dict) == {"taken_on", "followers", "engagement_rate"}


@pytest.mark.parametrize("followers", [MAX_AUDIENCE + 1, 2_147_483_648, 10**40])
def test_it_refuses_a_figure_beyond_any_audience_and_keeps_nothing(now, lea, followers):
    channel = ChannelFactory(influencer=lea)

    with pytest.raises(ValidationError) as refused:
        audience_snapshot_record(channel=channel, taken_on=MARCH_2, followers=followers)

    assert refused.value.message_dict == {"followers": ["Ensure this value is less than or equal to 2000000000."]}
    assert not AudienceSnapshot.objects.exists()
    audience_snapshot_record(channel=channel, taken_on=MARCH_2, followers=MAX_AUDIENCE)
    assert AudienceSnapshot.objects.get().followers == MAX_AUDIENCE


# --- Adding people ---


def test_an_ambassador_stays_in_touch_between_campaigns_by_default(now, bob):
    zoe = influencer_create(by=bob, name="Zoé", kind=Influencer.Kind.AMBASSADOR, topics=[], city="Nantes")

    assert (zoe.cadence_days, zoe.next_contact_due) == (30, MARCH_2 + days(30))
    assert (zoe.owner, zoe.city) == (bob, "Nantes")


def test_an_ambassador_can_be_added_without_a_cadence(now, bob):
    zoe = influencer_create(by=bob, name="Zoé", kind=Influencer.Kind.AMBASSADOR, cadence_days=0)

    assert (zoe.cadence_days, zoe.next_contact_due) == (None, None)


def test_a_blogger_has_no_cadence_unless_given_one(now, bob, dave):
    tom = influencer_create(by=bob, name="Tom", owner=dave)
    ana = influencer_create(by=bob, name="Ana", cadence_days=60)

    assert (tom.cadence_days, tom.next_contact_due, tom.owner) == (None, None, dave)
    assert ana.next_contact_due == MARCH_2 + days(60)


def test_adding_a_person_with_topics(bob):
    food = InfluencerFactory(topics=["food"]).topics.get()

    tom = influencer_create(by=bob, name="Tom", topics=[food])

    assert list(tom.topics.all()) == [food]


def test_it_refuses_an_e_mail_already_in_the_directory_whatever_its_case(bob):
    InfluencerFactory(email="lea@example.org")

    with pytest.raises(ValidationError) as refused:
        influencer_create(by=bob, name="Léa again", email=" LEA@Example.org ")

    assert refused.value.message_dict == {"email": ["Someone in the directory already has the e-mail LEA@Example.org."]}
    assert Influencer.objects.count() == 1


def test_it_refuses_a_person_without_a_name(bob):
    with pytest.raises(ValidationError) as refused:
        influencer_create(by=bob, name="  ")

    assert "name" in refused.value.message_dict


# --- Editing a person ---


def test_changing_the_cadence_restarts_the_persons_own_clock_from_their_last_contact(time_machine, bob):
    time_machine.move_to(paris(2026, 3, 2, 10), tick=False)
    noe = InfluencerFactory(name="Noé", last_contact_at=paris(2026, 2, 20, 15))

    noe = influencer_update(influencer=noe, by=bob, cadence_days=30)
    assert noe.next_contact_due == datetime.date(2026, 3, 22)  # 20 Feb + 30 days

    noe = influencer_update(influencer=noe, by=bob, cadence_days=None)
    assert (noe.cadence_days, noe.next_contact_due) == (None, None)


def test_editing_other_fields_leaves_the_clock_alone(time_machine, bob):
    time_machine.move_to(paris(2026, 3, 2, 10), tick=False)
    noe = InfluencerFactory(name="Noé", cadence_days=30, next_contact_due=datetime.date(2026, 3, 10))

    noe = influencer_update(influencer=noe, by=bob, city="Brest", cadence_days=30, topics=[TopicFactory(name="sport")])

    assert (noe.city, noe.next_contact_due) == ("Brest", datetime.date(2026, 3, 10))
    assert [t.name for t in noe.topics.all()] == ["sport"]


def test_marking_someone_opted_out_cancels_what_has_not_gone(time_machine, bob):
    time_machine.move_to(paris(2026, 3, 2, 10), tick=False)
    lea = InfluencerFactory(name="Léa", consent="opted_in")
    follow_up = follow_up_schedule(influencer=lea, by=bob, subject="News", body="Hi", send_at=paris(2026, 3, 3, 10))

    influencer_update(influencer=lea, by=bob, consent="opted_out", consent_source="asked by phone")

    follow_up.refresh_from_db()
    assert follow_up.status == "cancelled"


def test_an_edit_cannot_take_another_persons_email(bob):
    InfluencerFactory(email="taken@example.org")
    lea = InfluencerFactory(email="lea@example.org")

    with pytest.raises(ValidationError, match="already has the e-mail"):
        influencer_update(influencer=lea, by=bob, email="TAKEN@example.org")
    lea.refresh_from_db()
    assert lea.email == "lea@example.org"
