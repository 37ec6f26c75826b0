"""The benchmark's sizes, its seed and team, the record of a build, and the weighted draw every part uses."""

import random
from bisect import bisect
from dataclasses import asdict, dataclass, field
from itertools import accumulate

PASSWORD = "bench"
MANAGER = "bench-manager"
MARKETERS = 20
SEED = 20110215


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
