"""The people the directory tests share: four people with different kinds, regions, audiences, owners, topics,
consent and clocks, seen on a frozen Monday, 2 March 2026."""

import datetime

from campaigns.models import Stage
from crm.models import Channel, Influencer
from tests.factories import ChannelFactory, InfluencerFactory, RelationshipFactory, paris

NOW = paris(2026, 3, 2, 10)
TODAY = NOW.date()


def days(n: int) -> datetime.date:
    return TODAY + datetime.timedelta(days=n)


def make_directory(bob, dave) -> dict[str, Influencer]:
    people = {
        "lea": InfluencerFactory(
            name="Léa Martin",
            email="lea@blog.example",
            kind=Influencer.Kind.BLOGGER,
            region="Bretagne",
            audience=5_000,
            owner=bob,
            topics=["food"],
            consent=Influencer.Consent.OPTED_IN,
            last_contact_at=paris(2026, 2, 1),
            next_contact_due=days(-3),
            cadence_days=30,
        ),
        "marc": InfluencerFactory(
            name="marc Durand",
            email="marc@mail.example",
            kind=Influencer.Kind.PODCASTER,
            region="Occitanie",
            audience=250_000,
            owner=dave,
            topics=["sport"],
            last_contact_at=paris(2026, 2, 25),
            next_contact_due=days(10),
            cadence_days=30,
        ),
        "zoe": InfluencerFactory(
            name="Zoé Petit",
            email="zoe@example.org",
            kind=Influencer.Kind.AMBASSADOR,
            region="Bretagne",
            audience=1_200_000,
            owner=bob,
            topics=["food", "sport"],
            consent=Influencer.Consent.OPTED_OUT,
        ),
        "anna": InfluencerFactory(
            name="Anna Roux", email="", region="", audience=40_000, owner=None, last_contact_at=paris(2026, 1, 10)
        ),
    }
    ChannelFactory(influencer=people["marc"], platform=Channel.Platform.YOUTUBE, handle="MarcTrail")
    # Anna's own clock is not due, but her campaign is overdue: she is overdue.
    RelationshipFactory(influencer=people["anna"], stage=Stage.ACTIVE, next_contact_due=days(-1))
    return people
