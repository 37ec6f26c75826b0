"""The benchmark's data set: an agency after years of work, built in seconds with bulk inserts.

Spreads follow the demo's (demo.people_data): Île-de-France the biggest region but well under half, mostly nano
and micro accounts, a few topics far more common than others, marketers who own very different numbers of people.
Two outliers the pages must survive: one person with a long timeline and one campaign with a huge board.

Everything is drawn from one seeded generator, so two builds at the same sizes are the same data set.
"""

from .builder import build
from .sizes import MANAGER, MARKETERS, PASSWORD, SEED, Built, Sizes
from .work import top_up_relationships

__all__ = ["MANAGER", "MARKETERS", "PASSWORD", "SEED", "Built", "Sizes", "build", "top_up_relationships"]
