"""The build: one seeded generator, the parts in an order that keeps two builds at the same sizes identical."""

import random
import time

from django.utils import timezone

from campaigns.models import GuardrailEvent, Relationship, StageChange
from crm.models import AudienceSnapshot, Channel, Contact, Exchange, Influencer
from messaging.models import Message

from ..loader import Loader
from .log import LogParts
from .outbox import OutboxParts
from .people import PeopleParts
from .sizes import MANAGER, SEED, Built, Sizes
from .work import WorkParts


def build(*, sizes: Sizes, seed: int = SEED, log=print) -> Built:
    started = time.monotonic()
    builder = _Builder(sizes=sizes, rng=random.Random(seed), log=log)
    builder.run()
    return Built(
        sizes=sizes,
        seconds=round(time.monotonic() - started, 1),
        long_person_id=builder.long_person,
        big_campaign_id=builder.big_campaign,
        manager=MANAGER,
        marketers=[u.username for u in builder.marketers],
        rows=dict(builder.loader.counts),
    )


class _Builder(PeopleParts, WorkParts, LogParts, OutboxParts):
    def __init__(self, *, sizes: Sizes, rng: random.Random, log):
        self.sizes, self.rng, self.log = sizes, rng, log
        self.now = timezone.now().replace(microsecond=0)
        self.today = timezone.localdate()
        self.loader = Loader(now=self.now)

    def step(self, label: str, fn):
        t = time.monotonic()
        result = fn()
        self.log(f"  {label}: {time.monotonic() - t:.1f} s")
        return result

    def run(self) -> None:
        self.step("team, topics, brands, campaigns", self.small_tables)
        self.step("influencers (plan)", self.plan_people)
        self.step("relationships (plan)", self.plan_relationships)
        self.step("influencers", self.load_people)
        self.step("topics of people", self.load_people_topics)
        self.step("channels and audience snapshots", self.load_channels)
        self.step("relationships", self.load_relationships)
        self.step("stage changes and guardrail events", self.load_stage_changes)
        self.step("contacts", self.load_contacts)
        self.step("exchanges", self.load_exchanges)
        self.step("messages", self.load_messages)
        self.loader.reset_sequences(
            [
                Influencer,
                Channel,
                AudienceSnapshot,
                Contact,
                Exchange,
                Relationship,
                StageChange,
                GuardrailEvent,
                Message,
                Influencer.topics.through,
            ]
        )
        self.step("analyze", self.loader.analyze)

    # --- small tables, through the ORM ---------------------------------------------------------------------------

    def small_tables(self) -> None:
        self.small_people()  # first: the campaigns need the marketers and the topics
        self.small_work()
