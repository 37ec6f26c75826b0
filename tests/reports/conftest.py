"""A small community with every figure worked out by hand (see each report's test for the arithmetic).

Now is Monday 30 June 2025, 10:00 UTC; the reports look at 1 January – 30 June 2025. Every instant is at
10:00 UTC, so a duration is a whole number of days. bob owns lea's and marc's relationships (but not lea × Sport),
dave owns nina's and omar's.

    person  kind        region                audience   topics              owner  cadence
    Léa     blogger     Île-de-France          5 000     lifestyle           bob    30, due 1 June (overdue)
    Marc    ambassador  Auvergne-Rhône-Alpes  50 000     lifestyle, sport    bob    —
    Nina    journalist  Île-de-France        200 000     sport               dave   30, due 15 July
    Omar    podcaster   Pays de la Loire    2 000 000    —                   dave   —

    rel  person × campaign   owner  shortlisted  pitched  accepted  delivered  closed             stage now
    R1   Léa × Spring        bob    10 Jan       12 Jan   15 Jan    25 Jan     1 Feb completed    closed
    R2   Marc × Spring       bob    10 Jan       14 Jan   20 Jan    —          —                  active
    R3   Nina × Spring       dave   1 Feb        2 Feb    —         —          20 Feb declined    closed
    R4   Omar × Spring       dave   1 Mar        —        —         —          —                  shortlisted
    R5   Léa × Sport         dave   1 Mar        3 Mar    —         —          1 Apr no reply     closed
    R6   Marc × Sport        bob    5 Mar        6 Mar    10 Mar    15 Mar     —                  delivered
    R7   Nina × Sport        dave   1 Jun 2024   —        —         —          1 Dec 2024 dropped closed, earlier
    R8   Omar × Sport        dave   30 May       1 Jun    —         —          —                  pitched
    R9   Marc × Autumn       bob    1 Apr        2 Apr    —         —          1 May dropped      closed
"""

import datetime
import itertools
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.test import Client

from campaigns.models import GuardrailEvent, Relationship, Stage, StageChange, ThankYou
from campaigns.services import stage_stays_refresh
from crm.models import Contact, Exchange, Influencer
from crm.services import contact_replies_refresh
from messaging.models import Message
from reports.filters import ReportFilters
from tests.factories import (
    AudienceSnapshotFactory,
    BrandFactory,
    CampaignFactory,
    ChannelFactory,
    ContactFactory,
    ExchangeFactory,
    InfluencerFactory,
)
from tests.messaging.factories import MessageFactory

UTC = datetime.UTC
NOW = datetime.datetime(2025, 6, 30, 10, 0, tzinfo=UTC)
RANGE = ReportFilters(date_from=datetime.date(2025, 1, 1), date_to=datetime.date(2025, 6, 30))
QUERY = {"date_from": "2025-01-01", "date_to": "2025-06-30"}


def at(year: int, month: int, day: int, hour: int = 10) -> datetime.datetime:
    return datetime.datetime(year, month, day, hour, 0, tzinfo=UTC)


@pytest.fixture
def frozen(time_machine):
    time_machine.move_to(NOW, tick=False)


@dataclass
class Community:
    people: dict
    campaigns: dict
    relationships: dict


_serial = itertools.count()


def relationship(influencer, campaign, owner, *, moves, outcome="", **fields) -> Relationship:
    """A relationship with its StageChange history: moves = [(stage, when), ...] in order."""
    stamps = {
        Stage.SHORTLISTED: "shortlisted_at",
        Stage.PITCHED: "pitched_at",
        Stage.ACTIVE: "accepted_at",
        Stage.DELIVERED: "delivered_at",
        Stage.CLOSED: "closed_at",
    }
    rel = Relationship.objects.create(
        influencer=influencer,
        campaign=campaign,
        owner=owner,
        stage=moves[-1][0],
        outcome=outcome,
        **{stamps[stage]: when for stage, when in moves},
        **fields,
    )
    previous = ""
    for stage, when in moves:
        StageChange.objects.create(relationship=rel, from_stage=previous, to_stage=stage, changed_at=when)
        previous = stage
    return rel


def thank_you(rel, status, when, **fields):
    return MessageFactory(
        kind=Message.Kind.THANK_YOU, influencer=rel.influencer, relationship=rel, status=status, send_at=when, **fields
    )


def build_community(bob, dave, *, suffix: str = "") -> Community:
    """The data set above. `suffix` makes a second, identical copy (for the query counts at two sizes)."""
    s = suffix

    def person(name, kind, region, audience, topics, owner, **fields):
        return InfluencerFactory(
            name=name + s, kind=kind, region=region, audience=audience, topics=topics, owner=owner, **fields
        )

    lea = person(
        "Léa", Influencer.Kind.BLOGGER, "Île-de-France", 5_000, ["lifestyle"], bob,
        city="Paris", cadence_days=30, next_contact_due=datetime.date(2025, 6, 1),
    )  # fmt: skip
    marc = person("Marc", Influencer.Kind.AMBASSADOR, "Auvergne-Rhône-Alpes", 50_000, ["lifestyle", "sport"], bob)
    nina = person(
        "Nina", Influencer.Kind.JOURNALIST, "Île-de-France", 200_000, ["sport"], dave,
        city="Paris", cadence_days=30, next_contact_due=datetime.date(2025, 7, 15),
    )  # fmt: skip
    omar = person("Omar", Influencer.Kind.PODCASTER, "Pays de la Loire", 2_000_000, [], dave)

    acme, zeta = BrandFactory(name="Acme" + s), BrandFactory(name="Zeta" + s)
    spring = CampaignFactory(brand=acme, name="Spring" + s, topics=["lifestyle"])
    autumn = CampaignFactory(brand=acme, name="Autumn" + s, topics=["lifestyle"])
    sport = CampaignFactory(brand=zeta, name="Sport" + s, topics=["sport"])

    S, P, A, D, C = Stage.SHORTLISTED, Stage.PITCHED, Stage.ACTIVE, Stage.DELIVERED, Stage.CLOSED
    r1 = relationship(
        lea, spring, bob, moves=[(S, at(2025, 1, 10)), (P, at(2025, 1, 12)), (A, at(2025, 1, 15)),
                                 (D, at(2025, 1, 25)), (C, at(2025, 2, 1))],
        outcome="completed", thank_you=ThankYou.QUEUED,
    )  # fmt: skip
    r2 = relationship(
        marc, spring, bob, moves=[(S, at(2025, 1, 10)), (P, at(2025, 1, 14)), (A, at(2025, 1, 20))],
        cadence_days=14, last_contact_at=at(2025, 6, 10), next_contact_due=datetime.date(2025, 6, 24),
    )  # fmt: skip
    r3 = relationship(
        nina, spring, dave, moves=[(S, at(2025, 2, 1)), (P, at(2025, 2, 2)), (C, at(2025, 2, 20))],
        outcome="declined", thank_you=ThankYou.QUEUED,
    )  # fmt: skip
    r4 = relationship(omar, spring, dave, moves=[(S, at(2025, 3, 1))])
    r5 = relationship(
        lea, sport, dave, moves=[(S, at(2025, 3, 1)), (P, at(2025, 3, 3)), (C, at(2025, 4, 1))],
        outcome="no_reply", thank_you=ThankYou.SKIPPED,
        thank_you_skip_reason="=HYPERLINK(\"http://evil.example\")",
    )  # fmt: skip
    r6 = relationship(
        marc, sport, bob, moves=[(S, at(2025, 3, 5)), (P, at(2025, 3, 6)), (A, at(2025, 3, 10)), (D, at(2025, 3, 15))],
        cadence_days=14, last_contact_at=at(2025, 6, 25), next_contact_due=datetime.date(2025, 7, 9),
    )  # fmt: skip
    r7 = relationship(
        nina, sport, dave, moves=[(S, at(2024, 6, 1)), (C, at(2024, 12, 1))], outcome="dropped",
        thank_you=ThankYou.QUEUED,
    )  # fmt: skip
    r8 = relationship(
        omar, sport, dave, moves=[(S, at(2025, 5, 30)), (P, at(2025, 6, 1))],
        cadence_days=7, next_contact_due=datetime.date(2025, 6, 8),
    )  # fmt: skip
    r9 = relationship(
        marc, autumn, bob, moves=[(S, at(2025, 4, 1)), (P, at(2025, 4, 2)), (C, at(2025, 5, 1))],
        outcome="dropped", thank_you=ThankYou.QUEUED,
    )  # fmt: skip

    # Endings: R1 and R3 thanked, R5 skipped, R9's thank-you failed; R7's (before the range) sent.
    thank_you(r1, Message.Status.SENT, at(2025, 2, 1, 11))
    thank_you(r3, Message.Status.SENT, at(2025, 2, 20, 11))
    thank_you(r7, Message.Status.SENT, at(2024, 12, 1, 11))
    thank_you(r9, Message.Status.FAILED, at(2025, 5, 1, 11), attempts=8, last_error="-550 mailbox unavailable")
    MessageFactory(influencer=omar, relationship=r8, status=Message.Status.FAILED, send_at=at(2025, 6, 2),
                   last_error="timeout")  # fmt: skip
    MessageFactory(influencer=nina, relationship=r7, status=Message.Status.FAILED, send_at=at(2024, 11, 2))

    # Responsiveness: contacts (C0 is before the range).
    out, inn = Contact.Direction.OUTBOUND, Contact.Direction.INBOUND
    ContactFactory(influencer=lea, direction=out, occurred_at=at(2024, 12, 20), logged_by=bob)  # C0
    ContactFactory(influencer=lea, relationship=r5, direction=out, occurred_at=at(2025, 3, 1), logged_by=bob)  # C1
    ContactFactory(influencer=lea, direction=inn, occurred_at=at(2025, 3, 3), logged_by=bob)  # C2
    ContactFactory(influencer=marc, relationship=r2, direction=out, occurred_at=at(2025, 6, 10), logged_by=bob)  # C3
    ContactFactory(influencer=marc, direction=inn, occurred_at=at(2025, 6, 20), logged_by=bob)  # C4
    ContactFactory(influencer=nina, relationship=r3, direction=out, occurred_at=at(2025, 2, 2), logged_by=dave)  # C5
    ContactFactory(influencer=omar, relationship=r8, direction=out, occurred_at=at(2025, 6, 1), logged_by=dave)  # C6
    ContactFactory(influencer=marc, relationship=r6, direction=out, occurred_at=at(2025, 6, 25), logged_by=bob)  # C7

    # Guardrails (G0 is before the range).
    Rule, Result = GuardrailEvent.Rule, GuardrailEvent.Result
    for rel, rule, result, detail, when in [
        (r7, Rule.OFF_TOPIC, Result.OVERRIDDEN, "old", at(2024, 12, 1)),  # G0
        (r5, Rule.OFF_TOPIC, Result.OVERRIDDEN, "+33 launch fits her audience", at(2025, 3, 3)),  # G1
        (r8, Rule.OFF_TOPIC, Result.BLOCKED, "no topic in common", at(2025, 5, 31)),  # G2
        (r8, Rule.OFF_TOPIC, Result.OVERRIDDEN, "Sport podcast special", at(2025, 6, 1)),  # G3
        (r6, Rule.FREQUENCY, Result.ACKNOWLEDGED, "pitched 4 times", at(2025, 3, 6)),  # G4
        (r3, Rule.CONSISTENCY, Result.ACKNOWLEDGED, "lifestyle then sport", at(2025, 2, 2)),  # G5
        (r4, Rule.BRIEF_INCOMPLETE, Result.BLOCKED, "offer missing", at(2025, 3, 2)),  # G6
        (r4, Rule.BRIEF_INCOMPLETE, Result.BLOCKED, "offer missing", at(2025, 3, 3)),  # G7
    ]:
        GuardrailEvent.objects.create(relationship=rel, rule=rule, result=result, detail=detail, occurred_at=when)

    # Reciprocity (E9 is before the range).
    give, get = Exchange.Direction.GIVE, Exchange.Direction.GET
    K = Exchange.Kind
    for who, rel, direction, kind, day, value, reach in [
        (lea, r1, give, K.PRODUCT, (2025, 1, 16), Decimal("120.00"), None),  # E1
        (lea, r1, get, K.POST, (2025, 1, 24), None, 8000),  # E2
        (lea, r1, get, K.STORY, (2025, 1, 24), None, 3000),  # E3
        (marc, r2, give, K.FEE, (2025, 1, 21), Decimal("500.00"), None),  # E4
        (marc, r2, give, K.INVITATION, (2025, 2, 10), None, None),  # E5
        (marc, r6, get, K.VIDEO, (2025, 3, 14), None, 20000),  # E6
        (marc, None, get, K.MENTION, (2025, 4, 5), None, 1500),  # E7
        (nina, r3, get, K.OTHER, (2025, 2, 21), None, 100),  # E8: not content, not counted
        (lea, r1, give, K.PRODUCT, (2024, 12, 31), Decimal("999.00"), None),  # E9
    ]:
        ExchangeFactory(
            influencer=who, relationship=rel, direction=direction, kind=kind,
            occurred_on=datetime.date(*day), value=value, reach=reach,
        )  # fmt: skip

    # Audience: snapshots (the first of Marc's and Omar's only one are before the range).
    for who, platform, figures in [
        (lea, "instagram", [((2025, 1, 5), 4000), ((2025, 3, 1), 4500), ((2025, 6, 1), 5000)]),
        (marc, "youtube", [((2024, 12, 15), 40000), ((2025, 2, 1), 45000), ((2025, 6, 15), 50000)]),
        (nina, "blog", [((2025, 6, 1), 200000)]),
        (omar, "x", [((2024, 11, 1), 2_000_000)]),
    ]:
        channel = ChannelFactory(influencer=who, platform=platform, handle=f"{who.name.lower()}{next(_serial)}")
        for day, followers in figures:
            AudienceSnapshotFactory(channel=channel, taken_on=datetime.date(*day), followers=followers)

    # Written directly, as a bulk loader does: what the services keep as they go is worked out from the rows.
    contact_replies_refresh(influencer_ids=[lea.pk, marc.pk, nina.pk, omar.pk])
    stage_stays_refresh(
        relationships=Relationship.objects.filter(pk__in=[r.pk for r in (r1, r2, r3, r4, r5, r6, r7, r8, r9)])
    )

    return Community(
        people={"lea": lea, "marc": marc, "nina": nina, "omar": omar},
        campaigns={"spring": spring, "autumn": autumn, "sport": sport},
        relationships={f"r{i}": r for i, r in enumerate([r1, r2, r3, r4, r5, r6, r7, r8, r9], start=1)},
    )


@pytest.fixture
def community(frozen, bob, dave) -> Community:
    return build_community(bob, dave)


@pytest.fixture
def manager(alice) -> Client:
    client = Client()
    client.force_login(alice)
    return client
