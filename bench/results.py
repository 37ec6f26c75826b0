"""One measured figure, its target, and whether the target is met: the rows of the benchmark's table."""

from dataclasses import asdict, dataclass, field


@dataclass
class Result:
    section: str  # "pages", "sweep", "dispatch", "import", "load"
    name: str  # what was measured, e.g. "GET /influencers/ p95"
    value: float
    unit: str  # "ms", "queries", "msg/s", "rows/s", "MB", "ratio"
    target: str  # the target as a person reads it, e.g. "<= 150 ms"
    met: bool
    note: str = ""  # why a target is missed, or what the figure includes
    extra: dict = field(default_factory=dict)

    def as_dict(self) -> dict:
        return asdict(self)
