"""The demo directory: 300 people across French regions and abroad, their channels and a year of audience figures.

People are added with `influencer_create` and each channel's latest figure with `audience_snapshot_record`, so
the clocks, the audience and the tier are what the product itself derives.
"""

import random
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.utils import timezone

from crm.models import AudienceSnapshot, Channel, Influencer, Topic
from crm.services import audience_snapshot_record, influencer_create
from demo import people_data

# Share of the directory each teammate owns: the demo `marketer` owns the most, so their "who needs news" is full.
OWNER_WEIGHTS = {"marketer": 30, "sophie": 22, "karim": 20, "lea": 18, "manager": 10}
# Platforms where an audience in the hundreds of thousands is believable for a main channel.
BIG_PLATFORMS = ["instagram", "youtube", "tiktok"]


@dataclass
class Person:
    """An influencer and what the story needs to know about them (language, topics, when they joined)."""

    influencer: Influencer
    first_name: str
    lang: str
    topics: list[str]  # keys of people_data.TOPICS
    owner: object
    joined: date
    tier: str
    opted_out_on: date | None = None
    channels: list[Channel] = field(default_factory=list)

    @property
    def reachable(self) -> bool:
        return self.opted_out_on is None


def slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(ch for ch in ascii_text.lower() if ch.isalnum())


def moment(rng: random.Random, day: date, *, inbound: bool = False) -> datetime:
    """A believable time on `day`: the team works on weekdays in office hours; people answer whenever they like.

    Outbound touches on a weekend move back to the Friday (never forward: a contact cannot be in the future).
    """
    if not inbound:
        while day.weekday() >= 5:
            day -= timedelta(days=1)
        clock = time(rng.randint(9, 18), rng.choice([0, 5, 10, 15, 20, 30, 40, 45, 50]))
    else:
        clock = time(rng.randint(7, 22), rng.randint(0, 59))
    return timezone.make_aware(datetime.combine(day, clock))


def _spread(counts: dict, rng: random.Random) -> list:
    items = [key for key, count in counts.items() for _ in range(count)]
    rng.shuffle(items)
    return items


class DirectoryBuilder:
    def __init__(self, *, rng: random.Random, today: date, team: dict, topics: dict[str, Topic]):
        self.rng = rng
        self.today = today
        self.team = team
        self.topics = topics
        self.names: set[str] = set()
        self.emails: set[str] = set()
        self.handles: set[tuple[str, str]] = set()
        self.past_figures: list[AudienceSnapshot] = []
        self.latest_figures: list[dict] = []

    def build(self) -> list[Person]:
        rng = self.rng
        places = _spread({place: place[4] for place in people_data.PLACES}, rng)
        kinds = _spread(people_data.KIND_COUNTS, rng)
        tiers = _spread(people_data.TIER_COUNTS, rng)
        main_topics = _spread(people_data.MAIN_TOPIC_WEIGHTS, rng)
        owners = list(OWNER_WEIGHTS)
        people = []
        for place, kind, tier, topic in zip(places, kinds, tiers, main_topics, strict=True):
            owner = self.team[rng.choices(owners, weights=list(OWNER_WEIGHTS.values()))[0]]
            people.append(self._person(place, kind, tier, topic, owner))
        # created_at says when they entered the directory: demo history, set once here.
        for person in people:
            Influencer.objects.filter(pk=person.influencer.pk).update(
                created_at=moment(rng, person.joined), last_contact_at=None, next_contact_due=self._first_due(person)
            )
        for person in people:
            self._channels(person)
        self._record_audience()
        return people

    def _first_due(self, person: Person) -> date | None:
        # influencer_create starts the stay-in-touch clock today; in the demo's past it started when they joined.
        cadence = person.influencer.cadence_days
        return person.joined + timedelta(days=cadence) if cadence else None

    # --- A person -------------------------------------------------------------------------------------------------

    def _person(self, place: tuple, kind: str, tier: str, main_topic: str, owner) -> Person:
        rng = self.rng
        city, region, country, tz, _count = place
        lang = "en" if rng.random() < people_data.ENGLISH_SHARE[country] else "fr"
        first, last = self._name(lang)
        topics = [main_topic] + rng.sample(people_data.TOPIC_AFFINITY[main_topic], k=rng.choice([0, 1, 1, 2, 2, 3]))
        # Ambassadors have been in the programme a while; others joined over the last two years.
        joined = self.today - timedelta(days=rng.randint(400, 900) if kind == "ambassador" else rng.randint(30, 720))

        consent_draw = rng.random()
        consent_at, opted_out_on = None, None
        if consent_draw < 0.05:
            consent = Influencer.Consent.OPTED_OUT
            opted_out_on = self.today - timedelta(days=rng.randint(12, 200))
            joined = min(joined, opted_out_on - timedelta(days=60))
            consent_at = moment(rng, opted_out_on, inbound=True)
            source = rng.choice(people_data.CONSENT_SOURCES_OUT[lang])
        elif consent_draw < 0.22 and kind != "ambassador":
            consent = Influencer.Consent.UNKNOWN
            source = rng.choice(people_data.CONSENT_SOURCES_UNKNOWN)
        else:
            consent = Influencer.Consent.OPTED_IN
            consent_at = moment(rng, joined + timedelta(days=rng.randint(0, 10)), inbound=True)
            source = rng.choice(people_data.CONSENT_SOURCES_IN[lang])
            if kind == "ambassador":
                source = people_data.CONSENT_SOURCES_IN[lang][-2]  # the ambassador programme's sign-up

        cadence = None  # ambassadors get the default stay-in-touch cadence from influencer_create
        if kind == "ambassador":
            cadence = rng.choice([None, None, None, 21, 45])
        elif consent == Influencer.Consent.OPTED_IN and rng.random() < 0.08:
            cadence = rng.choice([60, 90])  # long-standing friends of the team, kept warm between campaigns

        influencer = influencer_create(
            by=owner,
            owner=owner,
            name=f"{first} {last}",
            email=self._email(first, last, main_topic, lang) if rng.random() < 0.94 or kind == "ambassador" else "",
            kind=kind,
            topics=[self.topics[key] for key in topics],
            cadence_days=cadence,
            language=lang,
            timezone=tz,
            city=city,
            region=region,
            country=country,
            consent=consent,
            consent_at=consent_at,
            consent_source=source,
            notes=self._note(lang, topics, country),
        )
        return Person(influencer, first, lang, topics, owner, joined, tier, opted_out_on)

    def _note(self, lang: str, topics: list[str], country: str) -> str:
        fitting = []
        for note in people_data.NOTES[lang]:
            condition, _bar, text = note.rpartition("|")
            if not condition or condition in topics or condition == country:
                fitting.append(text)
        return self.rng.choice(fitting)

    def _name(self, lang: str) -> tuple[str, str]:
        firsts, lasts = (
            (people_data.ENGLISH_FIRST_NAMES, people_data.ENGLISH_LAST_NAMES)
            if lang == "en"
            else (people_data.FRENCH_FIRST_NAMES, people_data.FRENCH_LAST_NAMES)
        )
        while True:
            first, last = self.rng.choice(firsts), self.rng.choice(lasts)
            if f"{first} {last}" not in self.names:
                self.names.add(f"{first} {last}")
                return first, last

    def _email(self, first: str, last: str, topic: str, lang: str) -> str:
        rng = self.rng
        f, surname = slug(first), slug(last)
        word = rng.choice(people_data.HANDLE_WORDS[topic][0 if lang == "fr" else 1])
        for local in (
            rng.choice([f"{f}.{surname}", f"{f}{surname[0]}", f"{f}.{word}", f"contact.{f}{word}", f"{f}-{surname}"]),
            f"{f}.{surname}.{rng.randint(2, 99)}",
        ):
            email = f"{local}@{rng.choice(people_data.EMAIL_DOMAINS)}"
            if email not in self.emails:
                self.emails.add(email)
                return email
        raise AssertionError("unreachable: the numbered address is unique")

    # --- Channels and their audience ------------------------------------------------------------------------------

    def _channels(self, person: Person) -> None:
        rng = self.rng
        kind = person.influencer.kind
        candidates = list(people_data.KIND_PLATFORMS[kind])
        main = candidates[0] if rng.random() < 0.6 else rng.choice(candidates[:3])
        # A blog with a million readers is not believable; a journalist's X account or a podcast up to mid is.
        big = person.tier in ("mid", "macro", "mega") and not (
            person.tier == "mid" and kind in ("journalist", "podcaster")
        )
        if big and main not in BIG_PLATFORMS:
            main = rng.choice(BIG_PLATFORMS)
        others = [p for p in candidates if p != main]
        platforms = [main] + rng.sample(others, k=min(len(others), rng.choice([0, 1, 1, 2])))

        low, high = people_data.TIER_RANGES[person.tier]
        target = int(rng.uniform(low, high) if person.tier != "nano" else rng.triangular(low, high, 2_500))
        months = rng.randint(6, 12)
        handle = self._handle(person, platforms)
        for position, platform in enumerate(platforms):
            channel = Channel.objects.create(
                influencer=person.influencer,
                platform=platform,
                handle=handle,
                url=people_data.profile_url(platform, handle),
            )
            person.channels.append(channel)
            final = target if position == 0 else max(150, int(target * rng.uniform(0.04, 0.6)))
            self._audience(channel, person.tier, final, months)

    def _handle(self, person: Person, platforms: list[str]) -> str:
        """One handle for all of a person's platforms, as most people do; unique on each platform."""
        rng = self.rng
        first = slug(person.first_name)
        word = rng.choice(people_data.HANDLE_WORDS[person.topics[0]][0 if person.lang == "fr" else 1])
        city = slug(person.influencer.city)
        for candidate in (
            rng.choice([f"{first}{word}", f"{word}.{first}", f"{first}_{word}", f"{word}{first}", f"{word}_{city}"]),
            f"{first}.{word}.{city}",
            f"{first}{word}{rng.randint(10, 999)}",
        ):
            keys = {(platform, candidate.lower()) for platform in platforms}
            if not keys & self.handles:
                self.handles |= keys
                return candidate
        raise AssertionError("unreachable: the numbered handle is unique")

    def _audience(self, channel: Channel, tier: str, final: int, months: int) -> None:
        """Monthly figures, on the 1st, up to this month: growth, a plateau, or a slow decline."""
        rng = self.rng
        shape = rng.choices(["growth", "steady", "decline", "boom"], weights=[55, 25, 12, 8])[0]
        growth = {"growth": (1.15, 1.7), "steady": (0.95, 1.08), "decline": (0.85, 0.95), "boom": (2.0, 3.5)}[shape]
        start = final / rng.uniform(*growth)
        low, high = people_data.ENGAGEMENT[tier]
        rate = rng.uniform(low, high)
        has_rate = channel.platform not in ("blog", "podcast", "newsletter")
        first_of_month = self.today.replace(day=1)
        for index in range(months):
            back = months - 1 - index
            year, month = divmod(first_of_month.year * 12 + first_of_month.month - 1 - back, 12)
            progress = index / (months - 1)
            curve = progress**3 if shape == "boom" else progress
            followers = final if back == 0 else int((start + (final - start) * curve) * rng.uniform(0.98, 1.02))
            rate = min(high * 1.2, max(low * 0.8, rate + rng.uniform(-0.3, 0.3)))
            figure = {
                "channel": channel,
                "taken_on": date(year, month + 1, 1),
                "followers": max(followers, 50),
                "engagement_rate": Decimal(f"{rate:.2f}") if has_rate else None,
            }
            if back:
                self.past_figures.append(AudienceSnapshot(**figure))
            else:
                self.latest_figures.append(figure)

    def _record_audience(self) -> None:
        """Write the figures. The past months go in one bulk insert; each channel's latest figure then goes through
        audience_snapshot_record, which derives Channel.followers and Influencer.audience (so the tier) from all of
        a channel's figures. Same end state as recording each month through the service, in a tenth of the queries
        and without some 5,000 history rows of each person's audience all stamped with the day of the seed."""
        AudienceSnapshot.objects.bulk_create(self.past_figures, batch_size=500)
        for figure in self.latest_figures:
            audience_snapshot_record(**figure)
