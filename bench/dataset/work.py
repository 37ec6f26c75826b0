"""The work: brands, campaigns, relationships, their stage changes and guardrail events."""

import random
from collections import defaultdict
from datetime import datetime, timedelta

from django.contrib.auth import get_user_model
from django.db import connection
from django.utils import timezone

from campaigns.models import Brand, Campaign, GuardrailEvent, Outcome, Relationship, Stage, StageChange, ThankYou
from demo import people_data, work_data

from ..loader import Loader
from .sizes import SEED, Built, _Weighted

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


class WorkParts:
    """The builder's campaign tables (a part of bench.dataset.builder._Builder)."""

    # --- small tables, through the ORM ---------------------------------------------------------------------------

    def small_work(self) -> None:
        names = self.topic_names

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

    # --- work -----------------------------------------------------------------------------------------------------

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


def _path(stage: str, outcome: str) -> list[str]:
    """The stages a relationship went through: a declined pitch never became active."""
    if stage != Stage.CLOSED:
        return STAGE_ORDER[: STAGE_ORDER.index(stage) + 1]
    if outcome in (Outcome.DECLINED, Outcome.NO_REPLY):
        return [Stage.SHORTLISTED, Stage.PITCHED, Stage.CLOSED]
    if outcome == Outcome.DROPPED:
        return [Stage.SHORTLISTED, Stage.PITCHED, Stage.ACTIVE, Stage.CLOSED]
    return list(STAGE_ORDER)


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
