"""The people: the team, topics, influencers, their topics, channels and audience snapshots."""

import math
from datetime import timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.utils.text import slugify

from core import roles
from crm.addresses import email_key
from crm.models import AudienceSnapshot, Channel, Influencer, Topic
from demo import people_data
from messaging.models import Profile

from .sizes import MANAGER, MARKETERS, PASSWORD, _Weighted

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


class PeopleParts:
    """The builder's people tables (a part of bench.dataset.builder._Builder)."""

    # --- small tables, through the ORM ---------------------------------------------------------------------------

    def small_people(self) -> None:
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
        self.topic_names = names
        self.topics = Topic.objects.bulk_create([Topic(name=n) for n in names])
        if not all(t.pk for t in self.topics):
            self.topics = list(Topic.objects.order_by("pk"))
        topic_weights = list(people_data.MAIN_TOPIC_WEIGHTS.values()) + [4] * len(EXTRA_TOPICS)
        self.topic_of = _Weighted(self.rng, [t.pk for t in self.topics], topic_weights)

    # --- people ---------------------------------------------------------------------------------------------------

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

    def load_people(self) -> None:
        rng, now = self.rng, self.now
        first_fr, last_fr = people_data.FRENCH_FIRST_NAMES, people_data.FRENCH_LAST_NAMES
        first_en, last_en = people_data.ENGLISH_FIRST_NAMES, people_data.ENGLISH_LAST_NAMES
        consent_of = _Weighted(rng, ["opted_in", "unknown", "opted_out"], [55, 40, 5])
        columns = [
            "id",
            "name",
            "email",
            "email_key",
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
                    email_key(email),
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
