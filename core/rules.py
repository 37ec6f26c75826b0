"""Reading the team's rules (core.models.TeamRules) without a query each time.

Each process keeps the row it read for RULES_SECONDS: a delivery run reads the sending hours for every message, and
a page its guardrails, so one query per process every half minute instead. A change saved in the admin applies at
once in the process that saved it and within RULES_SECONDS everywhere else (the admin says so).
Until the rules are saved once, they are the environment's defaults, read afresh at each call.
"""

import threading
import time

from django.db.models.signals import post_delete, post_save

from core.models import TeamRules

RULES_SECONDS = 30.0

_lock = threading.Lock()
_kept: dict = {}  # "row": the saved TeamRules or None (none saved yet); "until": time.monotonic() it is good for


def team_rules() -> TeamRules:
    with _lock:
        fresh = time.monotonic() < _kept.get("until", 0.0)
        row = _kept.get("row")
    if not fresh:
        row = TeamRules.objects.filter(pk=1).first()
        keep(row)
    return row if row is not None else TeamRules.defaults()


def keep(row: TeamRules | None, *, seconds: float | None = None) -> None:
    """What this process answers for the next `seconds` (RULES_SECONDS by default). The tests keep "nothing saved"
    for as long as a test lasts, whatever its clock does: a test's database starts without the row."""
    with _lock:
        _kept.update(row=row, until=time.monotonic() + (RULES_SECONDS if seconds is None else seconds))


def forget() -> None:
    with _lock:
        _kept.clear()


def _saved(sender, instance, **kwargs) -> None:
    keep(instance)


def _deleted(sender, instance, **kwargs) -> None:
    keep(None)


post_save.connect(_saved, sender=TeamRules, dispatch_uid="core.rules.saved")
post_delete.connect(_deleted, sender=TeamRules, dispatch_uid="core.rules.deleted")
