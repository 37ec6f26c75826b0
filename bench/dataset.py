"""The benchmark's data set: an agency after years of work, built in seconds with bulk inserts.

Spreads follow the demo's (crm.demo.people_data): Île-de-France the biggest region but well under half, mostly nano
and micro accounts, a few topics far more common than others, marketers who own very different numbers of people.
Two outliers the pages must survive: one person with a long timeline and one campaign with a huge board.

Everything is drawn from one seeded generator, so two builds at the same sizes are the same data set.
"""

import math
import random
import time
from bisect import bisect, bisect_right
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from itertools import accumulate

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.db import connection
from django.utils import timezone
from django.utils.text import slugify

from campaigns.models import Brand, Campaign, GuardrailEvent, Outcome, Relationship, Stage, StageChange, ThankYou
from crm import roles
from crm.demo import people_data, work_data
from crm.models import AudienceSnapshot, Channel, Contact, Exchange, Influencer, Topic
from messaging.models import Message, Profile

from .loader import Loader

PASSWORD = "bench"
MANAGER = "bench-manager"
MARKETERS = 20
SEED = 20110215

EXTRA_TOPICS = [
    "Vélo",
    "Photo",
    "Jardinage",
    "Animaux",
    "Livres",
    "Architecture",
    "Danse",
    "Vin",
    "Café",
    "Automobile",
    "Finances perso",
    "Éducation",
    "Art",
    "Humour",
    "Montagne",
]
BRAND_WORDS = ["Atelier", "Maison", "Studio", "Comptoir", "Fabrique", "Herbier", "Cimes", "Disques", "Jardins"]
# The stage mix of a running campaign's board.
RUNNING_STAGES = [
    (Stage.SHORTLISTED, 18),
    (Stage.PITCHED, 17),
    (Stage.ACTIVE, 25),
    (Stage.DELIVERED, 12),
    (Stage.CLOSED, 28),
]
STAGE_ORDER = [Stage.SHORTLISTED, Stage.PITCHED, Stage.ACTIVE, Stage.DELIVERED, Stage.CLOSED]
CLOCKED = {Stage.PITCHED, Stage.ACTIVE, Stage.DELIVERED}
OUTCOMES = [(Outcome.COMPLETED, 50), (Outcome.DECLINED, 20), (Outcome.NO_REPLY, 20), (Outcome.DROPPED, 10)]


@dataclass(frozen=True)
class Sizes:
    influencers: int = 100_000
    relationships: int = 300_000
    contacts: int = 1_000_000
    messages: int = 200_000
    campaigns: int = 500
    long_timeline: int = 2_000  # contacts of the one person with a long history
    big_board: int = 5_000  # relationships on the one very big campaign

    @classmethod
    def scaled(cls, scale: float, **overrides: int | None) -> "Sizes":
        base = cls()
        values = {
            name: max(1, round(getattr(base, name) * scale))
            for name in ("influencers", "relationships", "contacts", "messages", "campaigns", "long_timeline")
        }
        values["big_board"] = max(1, round(base.big_board * scale))
        values["campaigns"] = max(values["campaigns"], 3)
        values.update({k: v for k, v in overrides.items() if v is not None})
        # The big board cannot hold more people than there are, nor more relationships than asked for.
        values["big_board"] = min(values["big_board"], values["influencers"], values["relationships"])
        values["long_timeline"] = min(values["long_timeline"], values["contacts"])
        return cls(**values)


@dataclass
class Built:
    sizes: Sizes
    seconds: float
    long_person_id: int
    big_campaign_id: int
    manager: str
    marketers: list[str]
    rows: dict[str, int] = field(default_factory=dict)

    def as_dict(self) -> dict:
        return asdict(self)


class _Weighted:
    """random.choices without recomputing cumulative weights at every draw."""

    def __init__(self, rng: random.Random, items: list, weights: list[float]):
        self.rng, self.items = rng, items
        self.cum = list(accumulate(weights))
        self.total = self.cum[-1]

    def __call__(self):
        return self.items[bisect(self.cum, self.rng.random() * self.total)]


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


class _Builder:
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
        User = get_user_model()
        password = make_password(PASSWORD)  # one hash for all: hashing 21 times would cost seconds
        manager = User.objects.create(
            username=MANAGER, email="manager@bench.example", first_name="Claire", is_staff=True, password=password
        )
        manager.groups.add(Group.objects.get(name=roles.MANAGER))
        self.marketers = User.objects.bulk_create(
            [
                User(
                    username=f"bench-marketer-{n:02d}",
                    email=f"marketer{n:02d}@bench.example",
                    first_name=self.rng.choice(people_data.FRENCH_FIRST_NAMES),
                    password=password,
                )
                for n in range(1, MARKETERS + 1)
            ]
        )
        if not all(u.pk for u in self.marketers):  # backends without RETURNING
            self.marketers = list(User.objects.filter(username__startswith="bench-marketer-").order_by("username"))
        Group.objects.get(name=roles.MARKETER).user_set.add(*self.marketers)
        Profile.objects.bulk_create([Profile(user=u) for u in [manager, *self.marketers]])
        self.manager = manager
        # A few marketers own most of the directory, as in a real agency.
        self.owner_of = _Weighted(self.rng, [u.pk for u in self.marketers], [1 / (i + 1) for i in range(MARKETERS)])

        names = list(people_data.TOPICS.values()) + EXTRA_TOPICS
        self.topics = Topic.objects.bulk_create([Topic(name=n) for n in names])
        if not all(t.pk for t in self.topics):
            self.topics = list(Topic.objects.order_by("pk"))
        topic_weights = list(people_data.MAIN_TOPIC_WEIGHTS.values()) + [4] * len(EXTRA_TOPICS)
        self.topic_of = _Weighted(self.rng, [t.pk for t in self.topics], topic_weights)

        n_brands = max(4, self.sizes.campaigns // 10)
        brand_names = list(work_data.BRANDS) + [
            f"{self.rng.choice(BRAND_WORDS)} {self.rng.choice(people_data.FRENCH_LAST_NAMES)} {n}"
            for n in range(len(work_data.BRANDS), n_brands)
        ]
        brands = Brand.objects.bulk_create([Brand(name=n) for n in brand_names[:n_brands]])
        if not all(b.pk for b in brands):
            brands = list(Brand.objects.order_by("pk"))

        campaigns = []
        for n in range(self.sizes.campaigns):
            starts = self.today + timedelta(days=self.rng.randint(-3 * 365, 45))
            ends = starts + timedelta(days=self.rng.randint(30, 120))
            if n == 0:  # the big board: running now
                starts, ends = self.today - timedelta(days=20), self.today + timedelta(days=60)
            status = (
                Campaign.Status.DRAFT
                if starts > self.today
                else Campaign.Status.FINISHED
                if ends < self.today
                else Campaign.Status.RUNNING
            )
            sponsored = self.rng.random() < 0.4
            campaigns.append(
                Campaign(
                    brand=self.rng.choice(brands),
                    name=f"Opération {n + 1} · {self.rng.choice(names)}",
                    objective="Faire connaître la gamme hors des grandes villes.",
                    ask="Tester le produit trois semaines et en parler honnêtement.",
                    deliverables="Un post et deux stories.",
                    offer="Le produit et un code de réduction pour la communauté.",
                    sponsored=sponsored,
                    disclosure="#partenariat" if sponsored else "",
                    starts_on=starts,
                    ends_on=ends,
                    status=status,
                    owner_id=self.owner_of(),
                )
            )
        self.campaigns = Campaign.objects.bulk_create(campaigns)
        if not all(c.pk for c in self.campaigns):
            self.campaigns = list(Campaign.objects.order_by("pk"))
        self.big_campaign = self.campaigns[0].pk
        through = Campaign.topics.through
        through.objects.bulk_create(
            [
                through(campaign_id=c.pk, topic_id=t)
                for c in self.campaigns
                for t in {self.topic_of() for _ in range(self.rng.randint(1, 3))}
            ]
        )

    # --- people --------------------------------------------------------------------------------------------------

    def plan_people(self) -> None:
        """Per person: place, kind, audience, contact count and last contact, before anything is written."""
        rng, n = self.rng, self.sizes.influencers
        place_of = _Weighted(rng, people_data.PLACES, [p[4] for p in people_data.PLACES])
        kind_of = _Weighted(rng, list(people_data.KIND_COUNTS), list(people_data.KIND_COUNTS.values()))
        tier_of = _Weighted(rng, list(people_data.TIER_COUNTS), list(people_data.TIER_COUNTS.values()))
        self.place = [place_of() for _ in range(n)]
        self.kind = [kind_of() for _ in range(n)]
        self.audience = []
        for _ in range(n):
            low, high = people_data.TIER_RANGES[tier_of()]
            self.audience.append(int(math.exp(rng.uniform(math.log(low), math.log(high)))))
        # The person with the long timeline: an ambassador followed for years.
        self.long_index = n // 2
        self.long_person = self.long_index + 1
        self.kind[self.long_index] = "ambassador"
        # Ambassadors stay in touch between campaigns by default; a few others were given a cadence by hand.
        self.cadence = [
            30 if kind == "ambassador" else (rng.choice([30, 60, 90]) if rng.random() < 0.1 else None)
            for kind in self.kind
        ]

        # Contacts per person: a long tail (most people were touched a few times, some very often).
        others = self.sizes.contacts - self.sizes.long_timeline
        weights = [rng.paretovariate(1.5) for _ in range(n)]
        weights[self.long_index] = 0
        counts = [0] * n
        if others > 0 and n > 1:
            pick = _Weighted(rng, list(range(n)), weights)
            for _ in range(others):
                counts[pick()] += 1
        counts[self.long_index] = self.sizes.long_timeline
        self.contact_count = counts

    def plan_relationships(self) -> None:
        rng, n, sizes = self.rng, self.sizes.influencers, self.sizes
        remaining = sizes.relationships - sizes.big_board
        rest = self.campaigns[1:]
        raw = [rng.lognormvariate(0, 0.8) for _ in rest]
        total = sum(raw) or 1
        per_campaign = [sizes.big_board] + [min(n, int(remaining * r / total)) for r in raw]
        # Rounding down loses a few: give them to the campaigns that still have room.
        short = sizes.relationships - sum(per_campaign)
        i = 1
        while short > 0 and len(per_campaign) > 1:
            if per_campaign[i] < n:
                per_campaign[i] += 1
                short -= 1
            i = i % (len(per_campaign) - 1) + 1
            if all(c >= n for c in per_campaign[1:]):
                break
        stage_of = _Weighted(rng, [s for s, _ in RUNNING_STAGES], [w for _, w in RUNNING_STAGES])
        outcome_of = _Weighted(rng, [o for o, _ in OUTCOMES], [w for _, w in OUTCOMES])
        rels = []  # (id, influencer index, campaign, stage, outcome)
        self.rels_of = defaultdict(list)
        self.clocked_people = set()
        rid = 0
        for campaign, size in zip(self.campaigns, per_campaign, strict=True):
            people = rng.sample(range(n), size)
            if campaign.pk == self.big_campaign and self.long_index not in people:
                people[0] = self.long_index
            for person in people:
                rid += 1
                if campaign.status == Campaign.Status.DRAFT:
                    stage = Stage.SHORTLISTED
                elif campaign.status == Campaign.Status.FINISHED:
                    # A finished campaign: nearly everything closed, a few deliveries never wrapped up.
                    stage = Stage.CLOSED if rng.random() < 0.98 else Stage.DELIVERED
                else:
                    stage = stage_of()
                outcome = outcome_of() if stage == Stage.CLOSED else ""
                rels.append((rid, person, campaign, stage, outcome))
                self.rels_of[person].append(rid)
                if stage in CLOCKED:
                    self.clocked_people.add(person)
        self.relationships = rels

        # Last contact: recent for people on a campaign (an exponential age, mean a week: some are overdue) and for
        # people with a stay-in-touch cadence (mean a third of it: a few are overdue), anywhere in three years for
        # the others.
        self.last_contact = []
        for i, count in enumerate(self.contact_count):
            if not count:
                self.last_contact.append(None)
                continue
            if i in self.clocked_people or i == self.long_index:
                age = timedelta(hours=min(rng.expovariate(1 / (7 * 24)), 24 * 200))
            elif self.cadence[i]:
                age = timedelta(hours=min(rng.expovariate(3 / (self.cadence[i] * 24)), 24 * 400))
            else:
                age = timedelta(hours=rng.uniform(0, 3 * 365 * 24))
            self.last_contact.append(self.now - age)

    def load_people(self) -> None:
        rng, now = self.rng, self.now
        first_fr, last_fr = people_data.FRENCH_FIRST_NAMES, people_data.FRENCH_LAST_NAMES
        first_en, last_en = people_data.ENGLISH_FIRST_NAMES, people_data.ENGLISH_LAST_NAMES
        consent_of = _Weighted(rng, ["opted_in", "unknown", "opted_out"], [55, 40, 5])
        columns = [
            "id",
            "name",
            "email",
            "kind",
            "language",
            "timezone",
            "city",
            "region",
            "country",
            "consent",
            "consent_at",
            "consent_source",
            "owner_id",
            "notes",
            "cadence_days",
            "last_contact_at",
            "next_contact_due",
            "audience",
            "created_at",
            "updated_at",
        ]

        def rows():
            for i in range(self.sizes.influencers):
                city, region, country, tz, _ = self.place[i]
                english = rng.random() < people_data.ENGLISH_SHARE.get(country, 0)
                first = rng.choice(first_en if english else first_fr)
                last = rng.choice(last_en if english else last_fr)
                kind = self.kind[i]
                consent = consent_of()
                cadence = self.cadence[i]
                last_at = self.last_contact[i]
                due = (last_at.date() + timedelta(days=cadence)) if (cadence and last_at) else None
                created = now - timedelta(days=rng.randint(200, 4 * 365))
                email = "" if rng.random() < 0.05 else f"{slugify(first)}.{slugify(last)}.{i + 1}@example.com"
                yield (
                    i + 1,
                    f"{first} {last}",
                    email,
                    kind,
                    "en" if english else "fr",
                    tz,
                    city,
                    region,
                    country,
                    consent,
                    None if consent == "unknown" else created,
                    "" if consent == "unknown" else "Réponse par e-mail à la première prise de contact",
                    self.owner_of() if rng.random() < 0.85 else None,
                    "",
                    cadence,
                    last_at,
                    due,
                    self.audience[i],
                    created,
                    now,
                )

        self.loader.load(Influencer, columns, rows())

    def load_people_topics(self) -> None:
        rng = self.rng

        def rows():
            n = 0
            for i in range(self.sizes.influencers):
                for topic in {self.topic_of() for _ in range(rng.randint(1, 4))}:
                    n += 1
                    yield (n, i + 1, topic)

        self.loader.load(Influencer.topics.through, ["id", "influencer_id", "topic_id"], rows())

    def load_channels(self) -> None:
        rng, today = self.rng, self.today
        channels = []  # (id, followers)

        def channel_rows():
            cid = 0
            for i in range(self.sizes.influencers):
                platforms = people_data.KIND_PLATFORMS[self.kind[i]]
                for j, platform in enumerate(platforms[: rng.choice([1, 1, 2, 2, 3])]):
                    cid += 1
                    followers = self.audience[i] if j == 0 else int(self.audience[i] * rng.uniform(0.05, 0.9))
                    channels.append((cid, followers))
                    handle = f"p{i + 1}_{platform}"
                    yield (cid, i + 1, platform, handle, f"https://{platform}.example/{handle}", followers)

        self.loader.load(Channel, ["id", "influencer_id", "platform", "handle", "url", "followers"], channel_rows())
        earlier, latest = today - timedelta(days=180), today - timedelta(days=rng.randint(1, 20))

        def snapshot_rows():
            sid = 0
            for cid, followers in channels:
                rate = Decimal(rng.randint(50, 900)) / 100
                sid += 1
                yield (sid, cid, earlier, int(followers * rng.uniform(0.7, 1.0)), rate)
                sid += 1
                yield (sid, cid, latest, followers, rate)

        self.loader.load(
            AudienceSnapshot, ["id", "channel_id", "taken_on", "followers", "engagement_rate"], snapshot_rows()
        )

    # --- work ----------------------------------------------------------------------------------------------------

    def load_relationships(self) -> None:
        rng, now = self.rng, self.now
        columns = [
            "id",
            "influencer_id",
            "campaign_id",
            "owner_id",
            "stage",
            "outcome",
            "cadence_days",
            "last_contact_at",
            "next_contact_due",
            "thank_you",
            "thank_you_skip_reason",
            "off_topic_reason",
            "shortlisted_at",
            "pitched_at",
            "accepted_at",
            "delivered_at",
            "closed_at",
            "created_at",
            "updated_at",
        ]
        self.stage_times = {}

        def rows():
            for rid, person, campaign, stage, outcome in self.relationships:
                start = datetime.combine(campaign.starts_on, datetime.min.time(), tzinfo=now.tzinfo)
                start = min(start, now - timedelta(days=1))
                path = _path(stage, outcome)
                reached = len(path) - 1
                times = [start - timedelta(days=rng.randint(5, 20))]
                for _ in range(reached):
                    times.append(min(times[-1] + timedelta(days=rng.randint(1, 15), hours=rng.randint(0, 23)), now))
                self.stage_times[rid] = list(zip(path, times, strict=True))
                at = dict(zip(path, times, strict=True))
                stamp = [at.get(s) for s in STAGE_ORDER]
                cadence = 30 if self.kind[person] == "ambassador" else 14
                last_at = self.last_contact[person] if stage in CLOCKED else None
                due = (last_at or times[-1]).date() + timedelta(days=cadence) if stage in CLOCKED else None
                thank_you, skip = "", ""
                if stage == Stage.CLOSED:
                    draw = rng.random()
                    if draw < 0.7:
                        thank_you = ThankYou.QUEUED
                    elif draw < 0.9:
                        thank_you, skip = ThankYou.SKIPPED, rng.choice(work_data.SKIP_REASONS)
                yield (
                    rid,
                    person + 1,
                    campaign.pk,
                    campaign.owner_id if rng.random() < 0.7 else self.owner_of(),
                    stage,
                    outcome,
                    cadence,
                    last_at,
                    due,
                    thank_you,
                    skip,
                    rng.choice(work_data.OFF_TOPIC_REASONS) if reached >= 1 and rng.random() < 0.03 else "",
                    *stamp,
                    times[0],
                    times[-1],
                )

        self.loader.load(Relationship, columns, rows())

    def load_stage_changes(self) -> None:
        rng = self.rng
        events = []

        def rows():
            sid = 0
            for rid, _person, campaign, _stage, _outcome in self.relationships:
                steps = self.stage_times[rid]
                previous = ""
                for j, (to_stage, at) in enumerate(steps):
                    sid += 1
                    # The stay ends with the next change at a later instant (campaigns.services.stays).
                    left_at = next((later for _, later in steps[j + 1 :] if later > at), None)
                    yield (sid, rid, previous, to_stage, at, left_at, campaign.owner_id, "")
                    previous = to_stage
                if len(steps) >= 2 and rng.random() < 0.02:
                    events.append((rid, steps[1][1]))

        self.loader.load(
            StageChange,
            ["id", "relationship_id", "from_stage", "to_stage", "changed_at", "left_at", "changed_by_id", "note"],
            rows(),
        )
        del self.stage_times
        rules = list(GuardrailEvent.Rule.values)
        results = list(GuardrailEvent.Result.values)
        self.loader.load(
            GuardrailEvent,
            ["id", "relationship_id", "rule", "result", "detail", "occurred_at", "by_id"],
            (
                (n + 1, rid, rng.choice(rules), rng.choice(results), "", at, self.owner_of())
                for n, (rid, at) in enumerate(events)
            ),
        )

    def load_contacts(self) -> None:
        rng = self.rng
        pool = _summaries(rng)
        kinds = [kind for kind, _ in pool]

        def rows():
            cid = 0
            for i, count in enumerate(self.contact_count):
                if not count:
                    continue
                last = self.last_contact[i]
                rels = self.rels_of.get(i, ())
                span = 3 * 365 * 24 * 3600
                person = []
                for k in range(count):
                    cid += 1
                    at = last if k == 0 else last - timedelta(seconds=rng.randint(60, span))
                    n = rng.randrange(len(pool))
                    person.append(
                        [
                            cid,
                            i + 1,
                            rng.choice(rels) if rels and rng.random() < 0.6 else None,
                            kinds[n],
                            "inbound" if rng.random() < 0.35 else "outbound",
                            at,
                            pool[n][1],
                            self.owner_of(),
                            at,
                        ]
                    )
                # An outbound contact's answer: the person's first inbound contact at a later instant
                # (crm.services.contacts keeps it as contacts are logged).
                replies = sorted(row[5] for row in person if row[4] == "inbound")
                for row in person:
                    later = bisect_right(replies, row[5]) if row[4] == "outbound" else len(replies)
                    yield (*row, replies[later] if later < len(replies) else None)

        self.loader.load(
            Contact,
            [
                "id",
                "influencer_id",
                "relationship_id",
                "kind",
                "direction",
                "occurred_at",
                "summary",
                "logged_by_id",
                "created_at",
                "replied_at",
            ],
            rows(),
        )

    def load_exchanges(self) -> None:
        rng, now = self.rng, self.now
        gives, gets = ["product", "invitation", "exclusive", "fee"], ["post", "mention", "story", "video"]

        def rows():
            eid = 0
            for rid, person, campaign, stage, outcome in self.relationships:
                if stage in (Stage.SHORTLISTED, Stage.PITCHED) or outcome in (Outcome.DECLINED, Outcome.NO_REPLY):
                    continue
                on = min(campaign.starts_on or self.today, self.today)
                eid += 1
                kind = rng.choice(gives)
                value = Decimal(rng.randint(20, 1500)) if kind == "fee" or rng.random() < 0.5 else None
                yield (eid, person + 1, rid, "give", kind, on, value, None, "", "", campaign.owner_id, now)
                if stage == Stage.DELIVERED or outcome == Outcome.COMPLETED:
                    for _ in range(rng.randint(1, 2)):
                        eid += 1
                        reach = int(self.audience[person] * rng.uniform(0.05, 0.4))
                        yield (
                            eid,
                            person + 1,
                            rid,
                            "get",
                            rng.choice(gets),
                            on + timedelta(days=rng.randint(3, 30)),
                            None,
                            reach,
                            f"https://example.com/p/{eid}",
                            "",
                            campaign.owner_id,
                            now,
                        )

        columns = [
            "id",
            "influencer_id",
            "relationship_id",
            "direction",
            "kind",
            "occurred_on",
            "value",
            "reach",
            "url",
            "note",
            "recorded_by_id",
            "created_at",
        ]
        self.loader.load(Exchange, columns, rows())

    def load_messages(self) -> None:
        rng, now = self.rng, self.now
        rels = self.relationships
        status_of = _Weighted(rng, ["sent", "scheduled", "failed", "cancelled"], [85, 7, 3, 5])
        kind_of = _Weighted(rng, ["reminder", "follow_up", "thank_you", "digest"], [40, 35, 20, 5])
        columns = [
            "id",
            "kind",
            "recipient",
            "to_user_id",
            "influencer_id",
            "relationship_id",
            "language",
            "subject",
            "body",
            "send_at",
            "status",
            "key",
            "due_on",
            "cancel_if_reply",
            "attempts",
            "last_error",
            "sent_at",
            "claim",
            "message_id",
            "created_by_id",
            "created_at",
            "updated_at",
        ]

        def rows():
            for mid in range(1, self.sizes.messages + 1):
                kind, status = kind_of(), status_of()
                rid, person, campaign, _stage, _outcome = (
                    rels[rng.randrange(len(rels))] if rels else (None, 0, None, 0, 0)
                )
                owner = self.owner_of()
                if status == "scheduled":
                    send_at = now + timedelta(hours=rng.randint(1, 24 * 20))
                else:
                    send_at = now - timedelta(hours=rng.randint(1, 24 * 3 * 365))
                to_team = kind in ("reminder", "digest")
                yield (
                    mid,
                    kind,
                    "marketer@bench.example" if to_team else f"person{person + 1}@example.com",
                    owner if to_team else None,
                    None if kind == "digest" else person + 1,
                    rid if kind in ("reminder", "follow_up", "thank_you") else None,
                    "fr",
                    "Des nouvelles ?" if kind == "follow_up" else f"{kind} #{mid}",
                    "Bonjour,\n\nUn petit mot pour prendre des nouvelles.\n\nÀ bientôt",
                    send_at,
                    status,
                    f"bench:{kind}:{mid}",
                    send_at.date() if kind == "reminder" else None,
                    kind == "follow_up" and rng.random() < 0.5,
                    1 if status in ("sent", "failed") else 0,
                    "550 mailbox unavailable" if status == "failed" else "",
                    send_at if status == "sent" else None,
                    "",
                    f"<bench.{mid}@bench.example>",
                    None if to_team else owner,
                    send_at - timedelta(hours=1),
                    send_at,
                )

        self.loader.load(Message, columns, rows())


def _path(stage: str, outcome: str) -> list[str]:
    """The stages a relationship went through: a declined pitch never became active."""
    if stage != Stage.CLOSED:
        return STAGE_ORDER[: STAGE_ORDER.index(stage) + 1]
    if outcome in (Outcome.DECLINED, Outcome.NO_REPLY):
        return [Stage.SHORTLISTED, Stage.PITCHED, Stage.CLOSED]
    if outcome == Outcome.DROPPED:
        return [Stage.SHORTLISTED, Stage.PITCHED, Stage.ACTIVE, Stage.CLOSED]
    return list(STAGE_ORDER)


def _summaries(rng: random.Random) -> list[tuple[str, str]]:
    """(kind, summary) lines of the demo's contact log, filled with a few campaigns, brands, topics and cities."""
    lines = [line for group in work_data.SAY["fr"].values() for line in group]
    fills = {
        "c": ["Routine d'hiver", "Trail d'automne", "Sessions live", "Cuisine de saison"],
        "b": list(work_data.BRANDS),
        "t": list(people_data.TOPICS.values()),
        "city": [p[0] for p in people_data.PLACES],
    }
    pool = []
    for line in lines:
        kind, text = line.split("|", 1)
        for _ in range(4):
            pool.append((kind, text.format(**{k: rng.choice(v) for k, v in fills.items()})))
    return pool


def top_up_relationships(*, built: Built, total: int, seed: int = SEED + 1) -> int:
    """Add relationships up to `total`, on extra finished campaigns: the years of closed work an agency keeps.

    For the sweep at 1,000,000 relationships; callers run it in a transaction they roll back.
    """
    rng = random.Random(seed)
    have = Relationship.objects.count()
    missing = total - have
    if missing <= 0:
        return 0
    now, today = timezone.now().replace(microsecond=0), timezone.localdate()
    n = built.sizes.influencers
    per_campaign = max(1, min(n, 5_000))
    owners = [u.pk for u in get_user_model().objects.filter(username__in=built.marketers)]
    brand = Brand.objects.order_by("pk").first()
    count = -(-missing // per_campaign)
    campaigns = Campaign.objects.bulk_create(
        [
            Campaign(
                brand=brand,
                name=f"Archive {i + 1}",
                status=Campaign.Status.FINISHED,
                starts_on=today - timedelta(days=rng.randint(400, 3000)),
                owner_id=rng.choice(owners),
            )
            for i in range(count)
        ]
    )
    if not all(c.pk for c in campaigns):
        campaigns = list(Campaign.objects.filter(name__startswith="Archive ").order_by("pk"))
    first_id = (Relationship.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
    # Old campaigns: nearly all closed, a few relationships still open (3 %).
    stage_of = _Weighted(rng, [Stage.CLOSED, Stage.DELIVERED, Stage.ACTIVE, Stage.PITCHED], [97, 1, 1, 1])
    outcome_of = _Weighted(rng, [o for o, _ in OUTCOMES], [w for _, w in OUTCOMES])

    def rows():
        rid, left = first_id, missing
        for campaign in campaigns:
            for person in rng.sample(range(n), min(per_campaign, left)):
                stage = stage_of()
                outcome = outcome_of() if stage == Stage.CLOSED else ""
                due = today + timedelta(days=rng.randint(-3, 30)) if stage in CLOCKED else None
                at = now - timedelta(days=rng.randint(30, 3000))
                yield (rid, person + 1, campaign.pk, campaign.owner_id, stage, outcome, 14, due, at, at)
                rid += 1
            left -= per_campaign
            if left <= 0:
                return

    columns = [
        "id",
        "influencer_id",
        "campaign_id",
        "owner_id",
        "stage",
        "outcome",
        "cadence_days",
        "next_contact_due",
        "shortlisted_at",
        "created_at",
    ]
    loader = Loader(now=now)
    added = loader.load(Relationship, columns, rows())
    loader.reset_sequences([Relationship])
    with connection.cursor() as cursor:  # the planner must know the table grew (ANALYZE is allowed in a transaction)
        cursor.execute("ANALYZE")
    return added
