"""A whole file's import: read the rows once, check them, match them, then write all or nothing.

Each row is checked on its own (crm.imports.rules) and matched against the directory with dictionaries loaded
once (two queries, whatever the file's size), never a query per row. Only what must be written is kept. If any
row is wrong nothing is written and the rows are listed; otherwise everything is written in one transaction with
a few bulk statements (crm.imports.writing).
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.core.exceptions import NON_FIELD_ERRORS
from django.db import transaction

from crm.imports.rules import (
    TOPIC_MAX_LENGTH,
    Matcher,
    RowChecker,
    handle_key,
    name_required_error,
    several_people_error,
)
from crm.imports.writing import Writes, write
from crm.models import Channel, Influencer

PROGRESS_EVERY = 2000  # rows between two progress updates of the job (one small UPDATE each)
MAX_LISTED_ERRORS = 1000  # rows in error kept on the job; the count covers them all


@dataclass
class ImportOutcome:
    rows: int = 0  # lines read after the header, blank ones included
    created: int = 0
    updated: int = 0
    invalid: int = 0
    errors: list[dict] = field(default_factory=list)  # [{"row": n, "errors": {column: [messages]}}]


def _load_directory(matcher: Matcher) -> None:
    """Everyone's e-mail and handles, once: each row is then matched with dictionary lookups, not queries."""
    emails = Influencer.objects.exclude(email_key="").values_list("pk", "email_key")
    for pk, email in emails.iterator(chunk_size=10_000):
        matcher.by_email[email] = pk
    for influencer_id, platform, handle in Channel.objects.values_list("influencer_id", "platform", "handle").iterator(
        chunk_size=10_000
    ):
        matcher.by_handle[(platform, handle_key(handle))] = influencer_id


def influencers_import(
    *,
    rows: Iterable[tuple[int, dict]],
    by,
    progress: Callable[[int], None] | None = None,
    before_commit: Callable[[ImportOutcome], None] | None = None,
) -> ImportOutcome:
    """Import numbered rows (crm.imports.reading.numbered_rows): all of them, or none if any row is wrong.

    `progress(n)` is called every PROGRESS_EVERY rows read, and once all are; `before_commit(outcome)` runs inside
    the writing transaction, last, so that what it records commits with the people or not at all.
    """
    check = RowChecker()
    matcher = Matcher()  # a person is their id, or minus the row number that adds them
    _load_directory(matcher)
    outcome = ImportOutcome()
    writes = Writes()
    new_people, changes = writes.new_people, writes.changes
    topic_names, topic_links, new_channels = writes.topic_names, writes.topic_links, writes.new_channels
    ambiguous: list[tuple[int, list[tuple[int, list[str]]]]] = []
    new_names: dict[int, str] = {}  # of the people the file adds, for the error naming them
    every = PROGRESS_EVERY

    for number, row in rows:
        outcome.rows = number
        if progress is not None and number % every == 0:
            progress(number)
        if not row:
            continue
        checked = check(row)
        if checked.blank:
            continue
        matches = matcher.matches(checked)
        if len(matches) > 1:
            ambiguous.append((number, matches))
            outcome.invalid += 1
            continue
        errors = checked.errors
        values = checked.values
        # Matching someone (in the directory, or added by an earlier row) completes them; no match adds a person.
        if matches:
            person = matches[0][0]
        else:
            person = -number
            if "name" not in values and "name" not in errors:
                errors["name"] = name_required_error()
        if errors:
            outcome.invalid += 1
            if len(outcome.errors) < MAX_LISTED_ERRORS:
                outcome.errors.append({"row": number, "errors": errors})
            continue
        added_channels = matcher.remember(person, checked)
        if not matches:
            new_names[person] = values["name"]
        if outcome.invalid:
            continue  # nothing will be written: only keep checking the rows
        if person < 0:
            if person in new_people:
                new_people[person].update(values)
            else:
                new_people[person] = values  # the row's own dict, nobody else holds it
        elif person in changes:
            changes[person].update(values)
        else:
            changes[person] = values
        for name in checked.topics:
            name = name[:TOPIC_MAX_LENGTH]
            key = name.lower()
            if key not in topic_names:
                topic_names[key] = name
            topic_links.add((person, key))
        for platform, handle in added_channels:
            new_channels.append((person, platform, handle))

    if progress is not None and outcome.rows % every:
        # Every row is checked: the bar reaches 100 % and the page says the writing has begun, the longest part
        # on PostgreSQL.
        progress(outcome.rows)
    if ambiguous:
        _add_ambiguous_errors(outcome, ambiguous, new_names)
    if outcome.invalid:
        return outcome
    del new_names, matcher  # what the writing no longer needs: memory for its batches

    with transaction.atomic():
        outcome.created, outcome.updated = write(writes, by=by)
        if before_commit is not None:
            before_commit(outcome)
    return outcome


def _add_ambiguous_errors(outcome, ambiguous, new_names: dict[int, str]) -> None:
    """Name the people a row confuses, in one query for those already in the directory."""
    known = {p for _number, matches in ambiguous for p, _what in matches if p > 0}
    names = dict(Influencer.objects.filter(pk__in=known).values_list("pk", "name")) if known else {}
    for number, matches in ambiguous:
        if len(outcome.errors) >= MAX_LISTED_ERRORS:
            break
        described = [(names.get(p) if p > 0 else new_names[p], what) for p, what in matches]
        outcome.errors.append({"row": number, "errors": {NON_FIELD_ERRORS: several_people_error(described).messages}})
    outcome.errors.sort(key=lambda entry: entry["row"])
