"""One relationship's story, as dated steps played through the services, and the timeline that plays them.

The services stamp "now"; each step moves its own stamps back to the step's date with queryset updates. That
back-dating is demo history only: the product itself never rewrites when a move happened.
"""

import random
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.utils import timezone, translation

from campaigns.models import Campaign, GuardrailEvent, Relationship, Stage, StageChange
from campaigns.services import (
    pitch_checks,
    relationship_accept,
    relationship_close,
    relationship_deliver,
    relationship_pitch,
    relationship_shortlist,
)
from core.rules import team_rules
from crm.models import Contact, Influencer
from crm.services import contact_clocks_reset, contact_log, exchange_record
from demo import work_data
from demo.directory import Person, moment, slug
from messaging.models import Message
from messaging.services import departure_time

if TYPE_CHECKING:
    from demo.story import Story

# How often each kind of contact happens between campaigns: mostly e-mails and DMs, some calls, a few meetings.
KIND_WEIGHTS = {
    "keep_in_touch_out": {"email": 45, "dm": 22, "call": 14, "meeting": 8, "event": 8, "other": 3},
    "keep_in_touch_in": {"email": 50, "dm": 38, "call": 8, "other": 4},
}


class Timeline:
    """Steps from every plan, played in date order; ties keep the order they were planned in."""

    def __init__(self, latest: datetime):
        self.latest = latest
        self.steps: list[tuple[datetime, int, Callable[[datetime], None]]] = []

    def add(self, when: datetime, step: Callable[[datetime], None]) -> datetime:
        when = min(when, self.latest)
        self.steps.append((when, len(self.steps), step))
        return when

    def play(self) -> None:
        for when, _order, step in sorted(self.steps, key=lambda s: (s[0], s[1])):
            step(when)


class Thread:
    """One relationship's story. Each step is later than the one before, and none is in the future."""

    def __init__(self, story: "Story", person: Person, campaign: Campaign, owner):
        self.story, self.person, self.campaign, self.owner = story, person, campaign, owner
        self.rel: Relationship | None = None
        self.last: datetime | None = None
        self.first_pitch_day: int | None = None

    @property
    def rng(self) -> random.Random:
        return self.story.rng

    def at(self, day: int, step: Callable[[datetime], None], *, inbound: bool = False) -> None:
        when = moment(self.rng, self.story.today + timedelta(days=min(day, -1)), inbound=inbound)
        if self.last is not None and when <= self.last:
            when = self.last + timedelta(minutes=self.rng.randint(10, 120))
        self.last = self.story.timeline.add(when, step)

    def say(self, what: str, kind: str | None = None) -> tuple[str, str]:
        kind, text = pick_words(self.rng, self.person.lang, what, kind)
        name = f"« {self.campaign.name} »" if self.person.lang == "fr" else f"“{self.campaign.name}”"
        return kind, text.format(c=name, b=self.campaign.brand.name)

    # --- Steps, each through its service, then dated back (demo history only) ------------------------------------

    def shortlist(self, day: int) -> None:
        def step(when):
            self.rel = relationship_shortlist(
                influencer=self.person.influencer, campaign=self.campaign, by=self.owner, owner=self.owner
            )
            Relationship.objects.filter(pk=self.rel.pk).update(shortlisted_at=when)
            StageChange.objects.filter(relationship=self.rel).update(changed_at=when)

        self.at(day, step)

    def pitch(self, day: int, *, override_reason: str = "") -> None:
        self.first_pitch_day = day
        kind = "email" if self.person.influencer.email and self.rng.random() < 0.85 else "dm"

        def step(when):
            influencer = self.person.influencer
            # The pitch logs its contact "now", which moves every clock of the person to today: keep the clocks as
            # they were, then replay the touch at its real date through the clocks service.
            person_clocks = Influencer.objects.filter(pk=influencer.pk).values("last_contact_at", "next_contact_due")[0]
            other_clocks = list(
                Relationship.objects.filter(influencer=influencer)
                .exclude(pk=self.rel.pk)
                .values("pk", "last_contact_at", "next_contact_due")
            )
            checks = pitch_checks(relationship=self.rel)
            with translation.override(self.person.lang):
                relationship_pitch(
                    relationship=self.rel,
                    by=self.owner,
                    override_reason=override_reason if checks.off_topic else "",
                    acknowledge_flags=bool(checks.flags),
                    contact_kind=kind,
                )
            Contact.objects.filter(relationship=self.rel).update(occurred_at=when)
            GuardrailEvent.objects.filter(relationship=self.rel).update(occurred_at=when)
            StageChange.objects.filter(relationship=self.rel, to_stage=Stage.PITCHED).update(changed_at=when)
            Relationship.objects.filter(pk=self.rel.pk).update(
                pitched_at=when, last_contact_at=None, next_contact_due=None
            )
            Influencer.objects.filter(pk=influencer.pk).update(**person_clocks)
            for clocks in other_clocks:
                Relationship.objects.filter(pk=clocks.pop("pk")).update(**clocks)
            contact_clocks_reset(influencer=influencer, at=when)

        self.at(day, step)

    def try_pitch_on_incomplete_brief(self, day: int) -> None:
        """A marketer tries to pitch before the brief is complete: refused (B4), and the refusal is on record."""

        def step(when):
            try:
                relationship_pitch(relationship=self.rel, by=self.owner)
            except ValidationError:
                GuardrailEvent.objects.filter(relationship=self.rel).update(occurred_at=when)
            else:
                raise AssertionError("the demo expects this brief to be incomplete")

        self.at(day, step)

    def contact(self, day: int, what: str, *, inbound: bool = False, kind: str | None = None) -> None:
        kind, summary = self.say(what, kind)

        def step(when):
            contact_log(
                influencer=self.person.influencer,
                by=self.owner,
                kind=kind,
                direction="inbound" if inbound else "outbound",
                summary=summary,
                occurred_at=when,
                relationship=self.rel,
            )

        self.at(day, step, inbound=inbound)

    def accept(self, day: int) -> None:
        cadence = self.rng.choice([None, 14, 14, 7, 21])

        def step(when):
            relationship_accept(relationship=self.rel, by=self.owner, cadence_days=cadence)
            self.rel.refresh_from_db(fields=["cadence_days"])
            StageChange.objects.filter(relationship=self.rel, to_stage=Stage.ACTIVE).update(changed_at=when)
            # The cadence runs from the day they said yes, as relationship_accept does on the day.
            Relationship.objects.filter(pk=self.rel.pk).update(
                accepted_at=when, next_contact_due=timezone.localdate(when) + timedelta(days=self.rel.cadence_days)
            )

        self.at(day, step)

    def give(self, day: int, *, fees: bool) -> None:
        for kind, values, note_fr, note_en in work_data.GIVES[self.story.key_of[self.campaign.pk]]:
            if (kind == "fee") != fees:
                continue
            value = None if values is None else self.rng.randint(*values)
            if kind == "fee":
                value = round(value * {"nano": 0.4, "micro": 0.8}.get(self.person.tier, 1.0), -1)
            note = note_fr if self.person.lang == "fr" else note_en

            def step(when, kind=kind, value=value, note=note):
                exchange_record(
                    influencer=self.person.influencer,
                    by=self.owner,
                    direction="give",
                    kind=kind,
                    occurred_on=timezone.localdate(when),
                    value=value,
                    note=note,
                    relationship=self.rel,
                )

            self.at(day, step)

    def get(self, day: int) -> None:
        rng = self.rng
        channel = rng.choice(self.person.channels)
        kinds = work_data.GETS_BY_PLATFORM[channel.platform]
        for kind in dict.fromkeys(rng.sample(kinds, k=min(len(kinds), rng.choice([1, 2])))):
            reach = int((channel.followers or 500) * rng.uniform(*REACH[kind]))
            url = content_url(rng, channel, self.campaign)

            def step(when, kind=kind, reach=reach, url=url):
                exchange_record(
                    influencer=self.person.influencer,
                    by=self.owner,
                    direction="get",
                    kind=kind,
                    occurred_on=timezone.localdate(when),
                    reach=reach,
                    url=url,
                    relationship=self.rel,
                )

            self.at(day, step, inbound=True)

    def deliver(self, day: int) -> None:
        def step(when):
            relationship_deliver(relationship=self.rel, by=self.owner)
            StageChange.objects.filter(relationship=self.rel, to_stage=Stage.DELIVERED).update(changed_at=when)
            Relationship.objects.filter(pk=self.rel.pk).update(delivered_at=when)

        self.at(day, step)

    def close(self, day: int, outcome: str, *, skip_reason: str = "") -> None:
        def step(when):
            relationship_close(relationship=self.rel, by=self.owner, outcome=outcome, skip_reason=skip_reason)
            StageChange.objects.filter(relationship=self.rel, to_stage=Stage.CLOSED).update(changed_at=when)
            Relationship.objects.filter(pk=self.rel.pk).update(closed_at=when)
            # The thank-you was queued to leave within the hour, in the person's sending hours; in the demo's past it
            # left then, so the outbox shows it sent rather than 100 thank-yous for old campaigns all leaving at the
            # first `make run`.
            send_at = departure_time(
                when + timedelta(minutes=team_rules().thank_you_delay_minutes),
                kind=Message.Kind.THANK_YOU,
                influencer=self.person.influencer,
            )
            gone = {"status": Message.Status.SENT, "sent_at": send_at} if send_at < timezone.now() else {}
            Message.objects.filter(relationship=self.rel, kind=Message.Kind.THANK_YOU).update(
                created_at=when, send_at=send_at, **gone
            )

        self.at(day, step)


def pick_words(rng: random.Random, lang: str, what: str, kind: str | None = None) -> tuple[str, str]:
    """(kind, summary) for a contact: each line of work_data.SAY says which kind of contact it describes."""
    lines = [line.split("|", 1) for line in work_data.SAY[lang][what]]
    if kind is None and what in KIND_WEIGHTS:
        weights = {k: w for k, w in KIND_WEIGHTS[what].items() if any(line[0] == k for line in lines)}
        kind = rng.choices(list(weights), weights=list(weights.values()))[0]
    if kind is not None:
        lines = [line for line in lines if line[0] == kind] or lines
    kind, text = rng.choice(lines)
    return kind, text


REACH = {"post": (0.15, 0.6), "story": (0.05, 0.25), "video": (0.2, 1.2), "mention": (0.1, 0.5)}


def content_url(rng: random.Random, channel, campaign: Campaign) -> str:
    code = "".join(rng.choice("abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789") for _ in range(11))
    return {
        "blog": f"{channel.url}/{slug(campaign.name)}",
        "instagram": f"https://instagram.example.com/p/{code}",
        "youtube": f"https://youtube.example.com/watch?v={code}",
        "tiktok": f"https://tiktok.example.com/@{channel.handle}/video/{rng.randint(10**17, 10**18)}",
        "x": f"https://x.example.com/{channel.handle}/status/{rng.randint(10**17, 10**18)}",
        "podcast": f"{channel.url}/episodes/{rng.randint(12, 180)}",
        "newsletter": f"{channel.url}/archive/{rng.randint(12, 180)}",
    }[channel.platform]
