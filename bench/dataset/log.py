"""The contact log: contacts and exchanges."""

import random
from bisect import bisect_right
from datetime import timedelta
from decimal import Decimal

from campaigns.models import Outcome, Stage
from crm.models import Contact, Exchange
from demo import people_data, work_data


class LogParts:
    """The builder's contact log (a part of bench.dataset.builder._Builder)."""

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
