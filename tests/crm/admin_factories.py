"""Small builders for the admin, import and merge tests (the shared factories live in tests/factories.py)."""

import datetime as dt
import itertools

from django.utils import timezone

from campaigns.models import Brand, Campaign, Relationship, Stage
from crm.models import Channel, Influencer, Topic

_seq = itertools.count(1)


def topic(name: str) -> Topic:
    return Topic.objects.get_or_create(name=name)[0]


def person(name: str | None = None, *, topics=(), channels=(), **fields) -> Influencer:
    n = next(_seq)
    influencer = Influencer.objects.create(name=name or f"Person {n}", **fields)
    influencer.topics.set([topic(t) for t in topics])
    for platform, handle, *followers in channels:
        Channel.objects.create(
            influencer=influencer, platform=platform, handle=handle, followers=followers[0] if followers else None
        )
    return influencer


def brand(name: str = "Maison Verte") -> Brand:
    return Brand.objects.get_or_create(name=name)[0]


def campaign(name: str | None = None, *, complete: bool = True, topics=("lifestyle",), **fields) -> Campaign:
    brief = {}
    if complete:
        today = timezone.localdate()
        brief = {
            "objective": "Launch the spring range",
            "ask": "One post and two stories",
            "deliverables": "1 post, 2 stories",
            "offer": "Products worth 150 €",
            "starts_on": today,
            "ends_on": today + dt.timedelta(days=30),
        }
    brief.update(fields)
    created = Campaign.objects.create(
        brand=brief.pop("brand", None) or brand(), name=name or f"Op {next(_seq)}", **brief
    )
    created.topics.set([topic(t) for t in topics])
    return created


def relationship(influencer: Influencer, on: Campaign, *, stage: str = Stage.SHORTLISTED, **fields) -> Relationship:
    if stage == Stage.CLOSED:
        fields.setdefault("outcome", "completed")
    return Relationship.objects.create(
        influencer=influencer, campaign=on, stage=stage, shortlisted_at=timezone.now(), **fields
    )
