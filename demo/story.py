"""The demo's year of work: four brands, eight campaigns, relationships in every stage and every outcome, and the
contact log around them.

Everything is planned first, as dated steps, then played in date order through the services (shortlist, pitch,
accept, exchange, deliver, close, contact_log), so the guardrails and the contact clocks see the history as it
would have happened. The services stamp "now"; each step then moves its own stamps back to the step's date with
queryset updates. That back-dating is demo history only: the product itself never rewrites when a move happened.
"""

import random
from datetime import date, datetime, time, timedelta

from django.db.models import F
from django.db.models.functions import Coalesce
from django.utils import timezone

from campaigns.models import Brand, Campaign, Relationship, Stage
from campaigns.services import stage_stays_refresh
from crm.models import Contact, Influencer, Topic
from crm.services import contact_log, contact_replies_refresh
from demo import work_data
from demo.directory import Person, moment
from demo.threads import Thread, Timeline, pick_words
from messaging.services import follow_up_schedule

CAMPAIGN_OWNERS = {
    "winter_routine": "sophie",
    "trail_season": "karim",
    "sunday_stews": "marketer",
    "album_release": "lea",
    "solid_balm": "marketer",
    "family_hike": "karim",
    "batch_cooking": "sophie",
    "small_venues": "lea",
}

# Final state of each relationship on a running campaign, by count: every stage and outcome shows on the boards.
RUNNING_FATES = {
    "solid_balm": {
        "shortlisted": 6,
        "pitched": 7,
        "active": 9,
        "delivered": 4,
        "completed": 1,
        "declined": 4,
        "no_reply": 1,
        "dropped_early": 2,
    },
    "family_hike": {
        "shortlisted": 3,
        "pitched": 4,
        "active": 8,
        "delivered": 8,
        "completed": 3,
        "declined": 3,
        "no_reply": 3,
        "dropped": 2,
    },
}
# Pitch day (relative to today) on a running campaign, by final state: late enough for the story to fit before today.
RUNNING_PITCH_DAYS = {
    "pitched": (-14, -2),
    "active": (-40, -9),
    "delivered": (-50, -22),
    "completed": (-50, -32),
    "declined": (-40, -3),
    "no_reply": (-45, -30),
    "dropped": (-45, -25),
}


class Story:
    def __init__(self, *, rng: random.Random, today: date, now: datetime, team: dict, topics: dict[str, Topic]):
        self.rng, self.today, self.team, self.topics = rng, today, team, topics
        self.timeline = Timeline(latest=now - timedelta(minutes=1))
        self.campaigns: dict[str, Campaign] = {}
        self.key_of: dict[int, str] = {}
        self.threads: list[Thread] = []
        self.news_states: dict[int, list[str]] = {}  # per owner: the stay-in-touch states given so far

    def build(self, people: list[Person]) -> None:
        self._campaigns()
        self._relationships(people)
        self._background(people)
        self.timeline.play()
        self._finish()

    # --- Brands and campaigns -------------------------------------------------------------------------------------

    def _campaigns(self) -> None:
        brands = {name: Brand.objects.create(name=name) for name in work_data.BRANDS}
        for spec in work_data.CAMPAIGNS:
            starts = self.today + timedelta(days=spec["starts"])
            campaign = Campaign.objects.create(
                brand=brands[spec["brand"]],
                name=spec["name"],
                objective=spec["objective"],
                ask=spec["ask"],
                deliverables=spec["deliverables"],
                offer=spec["offer"],
                sponsored=spec["sponsored"],
                disclosure=spec["disclosure"],
                starts_on=starts,
                ends_on=self.today + timedelta(days=spec["ends"]) if spec["ends"] is not None else None,
                # A finished campaign takes no new people: it is played as running and finished at the end.
                status=Campaign.Status.DRAFT if spec["status"] == "draft" else Campaign.Status.RUNNING,
                owner=self.team[CAMPAIGN_OWNERS[spec["key"]]],
            )
            campaign.topics.set(self.topics[key] for key in spec["topics"])
            Campaign.objects.filter(pk=campaign.pk).update(
                created_at=moment(self.rng, min(starts, self.today) - timedelta(days=self.rng.randint(30, 45)))
            )
            self.campaigns[spec["key"]] = campaign
            self.key_of[campaign.pk] = spec["key"]

    # --- Who is on which campaign, and how it goes ----------------------------------------------------------------

    def _pick(self, people: list[Person], spec: dict, count: int, taken: set[int]) -> list[Person]:
        rng = self.rng
        topics = set(spec["topics"])
        scored = []
        for person in people:
            overlap = len(topics & set(person.topics))
            if not overlap or not person.reachable or person.influencer.pk in taken:
                continue
            score = overlap + rng.random() * 1.5 - 0.4 * self.busy.get(person.influencer.pk, 0)
            if spec.get("ambassadors") and person.influencer.kind == "ambassador":
                score += 2
            if person.influencer.consent == Influencer.Consent.UNKNOWN:
                score -= 0.5
            scored.append((score, person.influencer.pk, person))
        chosen = [person for _score, _pk, person in sorted(scored, key=lambda s: (-s[0], s[1]))[:count]]
        for person in chosen:
            self.busy[person.influencer.pk] = self.busy.get(person.influencer.pk, 0) + 1
        return chosen

    def _relationships(self, people: list[Person]) -> None:
        rng = self.rng
        self.busy: dict[int, int] = {}
        running_taken: set[int] = set()
        by_key = {spec["key"]: spec for spec in work_data.CAMPAIGNS}
        # A few thank-yous skipped on purpose, each with its reason (E1).
        planned_skips = {
            ("album_release", "completed"): work_data.SKIP_REASONS[0],
            ("trail_season", "dropped"): work_data.SKIP_REASONS[1],
            ("sunday_stews", "completed"): work_data.SKIP_REASONS[2],
        }
        for spec in work_data.CAMPAIGNS:
            campaign = self.campaigns[spec["key"]]
            taken = running_taken if spec["status"] == "running" else set()
            chosen = self._pick(people, spec, spec["people"], taken)
            if spec["status"] == "running":
                running_taken |= {p.influencer.pk for p in chosen}
                fates = [fate for fate, count in RUNNING_FATES[spec["key"]].items() for _ in range(count)]
            elif spec["status"] == "finished":
                n = len(chosen)
                small = {"declined": round(n * 0.13), "no_reply": round(n * 0.1), "dropped": 2, "dropped_early": 2}
                fates = ["completed"] * (n - sum(small.values())) + [f for f, c in small.items() for _ in range(c)]
            else:
                fates = ["shortlisted"] * len(chosen)
            rng.shuffle(fates)
            for person, fate in zip(chosen, fates, strict=False):
                skip_reason = planned_skips.pop((spec["key"], fate), "")
                self._thread(person, campaign, spec, fate, skip_reason=skip_reason)

        # Deliberate cases for the guardrails report and the demo walk-through.
        self._off_topic(people, by_key["album_release"], "completed", "food", work_data.OFF_TOPIC_REASONS[0])
        self._off_topic(people, by_key["family_hike"], "active", "tech", work_data.OFF_TOPIC_REASONS[1])
        self._pitched_on_unrelated_topics(people, by_key)
        self._opted_out_midway(people)
        blocked = [t for t in self.threads if t.campaign == self.campaigns["batch_cooking"]][0]
        blocked.try_pitch_on_incomplete_brief(-3)

    def _owner_for(self, person: Person, campaign: Campaign):
        return person.owner if self.rng.random() < 0.8 else campaign.owner

    def _thread(self, person: Person, campaign: Campaign, spec: dict, fate: str, **knobs) -> Thread:
        rng = self.rng
        thread = Thread(self, person, campaign, self._owner_for(person, campaign))
        self.threads.append(thread)
        starts, ends = spec["starts"], spec["ends"]
        if fate == "shortlisted":
            thread.shortlist(-rng.randint(1, 12) if spec["status"] != "draft" else -rng.randint(2, 20))
            return thread
        if fate == "dropped_early":
            day = knobs.get("shortlist", min(starts, -10) - rng.randint(5, 15))
            thread.shortlist(day)
            thread.close(knobs.get("close", day + rng.randint(2, 12)), "dropped")
            return thread

        if "pitch" in knobs:
            pitch = knobs["pitch"]
        elif spec["status"] == "finished":
            pitch = starts + rng.randint(-15, 8)
        else:
            low, high = RUNNING_PITCH_DAYS[fate]
            pitch = rng.randint(min(max(low, starts - 15), high), high)
        thread.shortlist(pitch - rng.randint(1, 6))
        thread.pitch(pitch, override_reason=knobs.get("override_reason", ""))

        if fate == "pitched":
            if pitch <= -8 and rng.random() < 0.5:
                thread.contact(pitch + 7, "follow_up")
            return thread
        if fate == "declined":
            reply = pitch + rng.randint(1, 6)
            thread.contact(reply, "no", inbound=True)
            thread.close(reply, "declined")
            return thread
        if fate == "no_reply":
            thread.contact(pitch + 7, "follow_up", kind="email")
            thread.contact(pitch + rng.randint(14, 17), "follow_up", kind="dm")
            reason = "Pas de réponse à trois messages : on n'ajoute pas un mail de plus." if rng.random() < 0.3 else ""
            thread.close(pitch + rng.randint(21, 28), "no_reply", skip_reason=reason)
            return thread

        # They said yes.
        yes = pitch + rng.randint(1, 5)
        thread.contact(yes, "yes", inbound=True)
        thread.accept(yes)
        gift = yes + rng.randint(1, 3)
        thread.give(gift, fees=False)
        thread.contact(gift, "shipped")
        if fate == "active":
            for day in sorted(rng.sample(range(gift + 2, 0), k=min(max(0, -gift - 2), rng.randint(0, 3)))):
                thread.contact(day, "check_in", inbound=rng.random() < 0.5)
            return thread
        if fate == "dropped":
            thread.contact(gift + rng.randint(3, 8), "check_in")
            drop = gift + rng.randint(12, 20)
            thread.contact(drop, "drop")
            thread.close(drop + rng.randint(0, 2), "dropped", skip_reason=knobs.get("skip_reason", ""))
            return thread

        # Content, then delivered, then (maybe) closed.
        if spec["status"] == "finished":
            content = rng.randint(max(starts, gift + 4), max(starts, gift + 4, ends - 2))
        else:
            content = min(gift + rng.randint(6, 20), -2)
        if rng.random() < 0.6:
            thread.contact(rng.randint(gift + 1, max(gift + 1, content - 1)), "check_in", inbound=rng.random() < 0.5)
        thread.get(content)
        thread.contact(content, "content", inbound=True)
        thread.deliver(content + rng.randint(0, 2))
        if spec["sponsored"]:
            thread.give(content + rng.randint(3, 12), fees=True)
        if fate == "delivered":
            return thread
        thanks = (ends + rng.randint(1, 6)) if spec["status"] == "finished" else content + rng.randint(2, 4)
        thread.contact(thanks, "thanks")
        thread.close(thanks + rng.randint(0, 3), "completed", skip_reason=knobs.get("skip_reason", ""))
        return thread

    def _off_topic(self, people: list[Person], spec: dict, fate: str, topic: str, reason: str) -> None:
        """An off-topic pitch made on purpose, with the override reason the guardrail asks for (B1)."""
        on_it = {t.person.influencer.pk for t in self.threads if t.campaign == self.campaigns[spec["key"]]}
        for person in people:
            if (
                person.reachable
                and person.influencer.email
                and person.lang == "fr"
                and person.topics[0] == topic
                and person.influencer.pk not in on_it
                and not set(person.topics) & set(spec["topics"])
            ):
                self._thread(person, self.campaigns[spec["key"]], spec, fate, override_reason=reason)
                return

    def _pitched_on_unrelated_topics(self, people: list[Person], by_key: dict) -> None:
        """Two people pitched on the family hike, then on the balm launch within the M3 window: flagged, then
        acknowledged by the marketer, as the consistency check asks."""
        hike, balm = by_key["family_hike"], by_key["solid_balm"]
        running = {self.campaigns["family_hike"], self.campaigns["solid_balm"]}
        on_running = {t.person.influencer.pk for t in self.threads if t.campaign in running}
        fits_both = [
            p
            for p in people
            if p.reachable
            and p.influencer.pk not in on_running
            and set(p.topics) & set(hike["topics"])
            and set(p.topics) & set(balm["topics"])
        ][:2]
        for person in fits_both:
            self._thread(person, self.campaigns["family_hike"], hike, "active", pitch=-self.rng.randint(22, 26))
            self._thread(person, self.campaigns["solid_balm"], balm, "pitched", pitch=-self.rng.randint(3, 6))

    def _opted_out_midway(self, people: list[Person]) -> None:
        """People who opted out while shortlisted: closed as dropped, and their thank-you skips itself."""
        for person in people:
            if person.reachable:
                continue
            day = (person.opted_out_on - self.today).days
            for key, campaign in self.campaigns.items():
                spec = next(s for s in work_data.CAMPAIGNS if s["key"] == key)
                fits = set(person.topics) & set(spec["topics"])
                if fits and spec["status"] != "draft" and spec["starts"] - 20 <= day <= (spec["ends"] or 0) - 5:
                    self._thread(
                        person, campaign, spec, "dropped_early", shortlist=day - self.rng.randint(4, 9), close=day + 1
                    )
                    break

    # --- Between campaigns: a year of keeping in touch ------------------------------------------------------------

    def _background(self, people: list[Person]) -> None:
        first_open_pitch: dict[int, int] = {}
        running = {self.campaigns[spec["key"]] for spec in work_data.CAMPAIGNS if spec["status"] == "running"}
        for thread in self.threads:
            if thread.campaign in running and thread.first_pitch_day is not None:
                pk = thread.person.influencer.pk
                first_open_pitch[pk] = min(first_open_pitch.get(pk, 0), thread.first_pitch_day)
        for person in people:
            self._keep_in_touch(person, first_open_pitch.get(person.influencer.pk))

    def _keep_in_touch(self, person: Person, first_open_pitch: int | None) -> None:
        rng = self.rng
        influencer = person.influencer
        # The last year, less the two days an outbound touch on a weekend moves back to the Friday (see `moment`).
        start = max((person.joined - self.today).days, -363)
        # No news between campaigns once a campaign's clock is running for them: those touches are the campaign's.
        stop = -1 if first_open_pitch is None else first_open_pitch - 1
        if person.opted_out_on is not None:
            stop = min(stop, (person.opted_out_on - self.today).days - 1)
        if stop <= start:
            return
        cadence = influencer.cadence_days
        days: list[int] = []
        if cadence:
            state = self._news_state(person, first_open_pitch)
            last = {
                "overdue": -(cadence + rng.randint(4, 40)),
                "soon": -(cadence - rng.randint(2, 5)),
                "fine": -rng.randint(1, max(1, cadence - 10)),
            }[state]
            day = min(last, stop)
            while day >= start:
                days.append(day)
                day -= max(5, int(cadence * rng.uniform(0.6, 1.1)))
        elif influencer.consent == Influencer.Consent.OPTED_IN:
            days = rng.sample(range(start, stop + 1), k=min(stop + 1 - start, rng.randint(1, 7)))
        elif influencer.consent == Influencer.Consent.OPTED_OUT:
            days = rng.sample(range(start, stop + 1), k=min(stop + 1 - start, rng.randint(1, 3)))
        elif rng.random() < 0.4:
            days = [rng.randint(start, stop)]
        topic_words = [self.topics[key].name.lower() for key in person.topics]
        for day in sorted(days):
            self._touch(person, day, inbound=rng.random() < 0.35, topic=rng.choice(topic_words))
        if person.opted_out_on is not None:
            self._touch(person, (person.opted_out_on - self.today).days, inbound=True, what="opt_out")

    def _news_state(self, person: Person, first_open_pitch: int | None) -> str:
        """Some people are kept warm, some are due this week, some were forgotten weeks ago.

        Each marketer's first two ambassadors between campaigns are one forgotten and one due this week, so every
        marketer's Today has both whatever the date: the draws that follow depend on the calendar (season's
        greetings), and left to chance a marketer had no one overdue on some days.
        """
        given = self.news_states.setdefault(person.owner.pk, [])
        draw = self.rng.choices(["overdue", "soon", "fine"], weights=[35, 25, 40])[0]
        between_campaigns = first_open_pitch is None and person.reachable
        if between_campaigns and person.influencer.kind == "ambassador" and len(given) < 2:
            draw = ("overdue", "soon")[len(given)]
            given.append(draw)
        return draw

    def _touch(self, person: Person, day: int, *, inbound: bool, topic: str = "", what: str = ""):
        rng = self.rng
        when = self.today + timedelta(days=day)
        if not what:
            what = "keep_in_touch_in" if inbound else "keep_in_touch_out"
            # Season's greetings go out around the new year, never in July.
            if not inbound and ((when.month, when.day) >= (12, 15) or (when.month, when.day) <= (1, 10)):
                what = "greetings" if rng.random() < 0.6 else what
        kind, summary = pick_words(rng, person.lang, what)
        summary = summary.format(t=topic, city=person.influencer.city)
        by = person.owner if rng.random() < 0.85 else self.team[rng.choice(["marketer", "sophie", "karim", "lea"])]

        def step(when):
            contact_log(
                influencer=person.influencer,
                by=by,
                kind=kind,
                direction="inbound" if inbound else "outbound",
                summary=summary,
                occurred_at=when,
            )

        self.timeline.add(moment(rng, when, inbound=inbound), step)

    # --- After the story ------------------------------------------------------------------------------------------

    def _follow_ups(self) -> None:
        """A few follow-ups scheduled for the coming days, to people pitched on a running campaign who have not
        answered: the outbox has something ahead, and an inbound reply would cancel them."""
        pitched = [
            t
            for t in self.threads
            if t.rel is not None and t.person.influencer.email and t.person.reachable and t.campaign.is_open
        ]
        pitched = [t for t in pitched if Relationship.objects.filter(pk=t.rel.pk, stage=Stage.PITCHED).exists()]
        for thread in pitched[:6]:
            subject, body = work_data.FOLLOW_UP[thread.person.lang]
            day = self.today + timedelta(days=self.rng.randint(1, 5))
            follow_up_schedule(
                influencer=thread.person.influencer,
                by=thread.owner,
                subject=subject.format(c=thread.campaign.name),
                body=body.format(c=thread.campaign.name, first=thread.person.first_name),
                send_at=timezone.make_aware(datetime.combine(day, time(9, 30))),
                cancel_if_reply=True,
                relationship=thread.rel,
            )

    def _finish(self) -> None:
        self._follow_ups()
        for spec in work_data.CAMPAIGNS:
            if spec["status"] == "finished":
                campaign = self.campaigns[spec["key"]]
                campaign.status = Campaign.Status.FINISHED
                campaign.save(update_fields=["status", "updated_at"])
        # Demo history only: "logged at" and "created" follow the dates the story gave them.
        people = [thread.person.influencer.pk for thread in self.threads]
        Contact.objects.filter(influencer__in=people).update(created_at=F("occurred_at"))
        # The story dated contacts and moves back after logging them: what the services kept as they were logged
        # (who answered whom, when each stay ended) is worked out again from the dates as they now read.
        contact_replies_refresh(influencer_ids=people)
        stage_stays_refresh(relationships=Relationship.objects.filter(campaign__in=self.campaigns.values()))
        Relationship.objects.filter(campaign__in=self.campaigns.values()).update(
            created_at=F("shortlisted_at"),
            updated_at=Coalesce("closed_at", "delivered_at", "accepted_at", "pitched_at", "shortlisted_at"),
        )
