"""Importing a directory file (CSV or XLSX) in the background, fast, all or nothing.

The web request only stores the file in an ImportJob row (`import_job_create`); a beat sweep hands queued jobs
to the broker (`import_jobs_enqueue`), so a web request never waits on the broker; the task runs
`import_job_run`, which claims the job with a conditional update (a second run does nothing).

`influencers_import` is the fast path. It reads the rows once, checking each on its own with the same rules as
the import-export resource (crm.imports), and matching it against the directory with sets loaded once; it
keeps only what must be written. If any row is wrong it writes nothing and lists the rows; otherwise it writes
everything in one transaction with a few bulk statements per BATCH_SIZE rows.
"""

import csv
import logging
import re
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from operator import itemgetter

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from crm.imports import (
    PERSON_COLUMNS,
    TOPIC_MAX_LENGTH,
    Matcher,
    RowChecker,
    csv_rows,
    decode_csv,
    handle_key,
    is_blank,
    name_required_error,
    new_person_defaults,
    numbered_rows,
    several_people_error,
    xlsx_rows,
)
from crm.models import Channel, ImportJob, Influencer, Topic

log = logging.getLogger(__name__)

BATCH_SIZE = 2000
PROGRESS_EVERY = 2000  # rows between two progress updates of the job (one small UPDATE each)
MAX_LISTED_ERRORS = 1000  # rows in error kept on the job; the count covers them all
MAX_FILE_BYTES = 50 * 1024 * 1024
EXTENSIONS = {".csv": ImportJob.Format.CSV, ".txt": ImportJob.Format.CSV, ".xlsx": ImportJob.Format.XLSX}
Status = ImportJob.Status


@dataclass
class ImportOutcome:
    rows: int = 0  # lines read after the header, blank ones included
    created: int = 0
    updated: int = 0
    invalid: int = 0
    errors: list[dict] = field(default_factory=list)  # [{"row": n, "errors": {column: [messages]}}]


def _load_directory(matcher: Matcher[int]) -> None:
    """Everyone's e-mail and handles, once: each row is then matched with dictionary lookups, not queries."""
    emails = Influencer.objects.exclude(email="").values_list("pk", Lower("email"))
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
    """Import numbered rows (crm.imports.numbered_rows): all of them, or none if any row is wrong.

    `progress(n)` is called every PROGRESS_EVERY rows read; `before_commit(outcome)` runs inside the writing
    transaction, last, so that what it records commits with the people or not at all.
    """
    check = RowChecker()
    matcher: Matcher[int] = Matcher()  # a person is their id, or minus the row number that adds them
    _load_directory(matcher)
    outcome = ImportOutcome()
    new_people: dict[int, dict[str, str]] = {}
    changes: dict[int, dict[str, str]] = {}
    topic_names: dict[str, str] = {}  # lower-case -> as first written
    topic_links: set[tuple[int, str]] = set()
    new_channels: list[tuple[int, str, str]] = []
    ambiguous: list[tuple[int, list[tuple[int, list[str]]]]] = []
    new_names: dict[int, str] = {}  # of the people the file adds, for the error naming them

    for number, row in rows:
        outcome.rows = number
        if progress is not None and number % PROGRESS_EVERY == 0:
            progress(number)
        if not row or is_blank(row):
            continue
        checked = check(row)
        matches = matcher.matches(checked)
        if len(matches) > 1:
            ambiguous.append((number, matches))
            outcome.invalid += 1
            continue
        errors = checked.errors
        person = matches[0][0] if matches else -number
        # Matching someone (in the directory, or added by an earlier row) completes them; no match adds a person.
        if not matches and "name" not in checked.values and "name" not in errors:
            errors["name"] = name_required_error()
        if errors:
            outcome.invalid += 1
            if len(outcome.errors) < MAX_LISTED_ERRORS:
                outcome.errors.append({"row": number, "errors": errors})
            continue
        added_channels = matcher.remember(person, checked)
        if not matches:
            new_names[person] = checked.values["name"]
        if outcome.invalid:
            continue  # nothing will be written: only keep checking the rows
        if person < 0:
            new_people.setdefault(person, {}).update(checked.values)
        else:
            changes.setdefault(person, {}).update(checked.values)
        for name in checked.topics:
            name = name[:TOPIC_MAX_LENGTH]
            key = name.lower()
            topic_names.setdefault(key, name)
            topic_links.add((person, key))
        new_channels.extend((person, platform, handle) for platform, handle in added_channels)

    if ambiguous:
        _add_ambiguous_errors(outcome, ambiguous, new_names)
    if outcome.invalid:
        return outcome

    with transaction.atomic():
        ids = _create_people(new_people, by=by)
        outcome.created = len(new_people)
        del new_people
        outcome.updated = _update_people(changes, by=by)
        _link_topics(topic_links, topic_names, ids)
        _insert(
            Channel,
            ["influencer", "platform", "handle", "url"],
            sorted((ids.get(p, p), platform, handle, "") for p, platform, handle in new_channels),
        )
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


# --- Writing -------------------------------------------------------------------------------------------------------
# Model instances and bulk_create cost ~100 µs a row in Python (each value of each row prepared on its own). Here
# rows are tuples of values already in database form; new people get their ids first, from the table's own
# sequence, so that every table is then written by the database's fastest bulk path: COPY on PostgreSQL, one
# prepared INSERT run over all rows (executemany) on SQLite.


def _reserve_ids(model, count: int) -> list[int]:
    """`count` ids for new rows of `model`, which nobody else can take."""
    table, pk = model._meta.db_table, model._meta.pk.column
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)", [table, pk, count]
            )
            return [row[0] for row in cursor.fetchall()]
        # SQLite: this transaction holds the database's write lock (BEGIN IMMEDIATE, see DATABASES), so nobody
        # else adds a row meanwhile. AUTOINCREMENT never reuses an id: start after the sequence and the largest id.
        cursor.execute(
            f"SELECT MAX(COALESCE((SELECT seq FROM sqlite_sequence WHERE name = %s), 0), "
            f"COALESCE((SELECT MAX({quote(pk)}) FROM {quote(table)}), 0))",
            [table],
        )
        first = cursor.fetchone()[0] + 1
        return list(range(first, first + count))


def _insert(model, names: list[str], rows: Iterable[tuple]) -> None:
    """Write rows (tuples of database values for the fields `names`) in one bulk statement."""
    opts = model._meta
    quote = connection.ops.quote_name
    table = quote(opts.db_table)
    columns = ", ".join(quote(opts.get_field(name).column) for name in names)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            values = ", ".join(["%s"] * len(names))
            cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({values})", rows)


def _history_rows(position: dict[str, int], *, history_type: str, by, now):
    """The history table's columns, and a function turning a person's row into its history row (simple_history's
    columns: the person's fields, then when, why, how and who)."""
    history = Influencer.history.model
    names = [f.name for f in history._meta.concrete_fields if not f.primary_key]
    shared = {
        "history_date": history._meta.get_field("history_date").get_db_prep_save(now, connection),
        "history_change_reason": None,
        "history_type": history_type,
        "history_user": by.pk if by is not None else None,
    }
    after = {name: len(position) + i for i, name in enumerate(shared)}
    pick = itemgetter(*(position[name] if name in position else after[name] for name in names))
    extra = tuple(shared.values())
    return names, lambda row: pick(row + extra)


class _PersonRows:
    """New people as rows of database values: every field's default, what influencer_create gives, the file's."""

    def __init__(self, *, by, now):
        self.fields = [f for f in Influencer._meta.concrete_fields if not f.primary_key]
        self.names = ["id", *(f.name for f in self.fields)]
        self.position = {name: i for i, name in enumerate(self.names)}
        self.by, self.now = by, now
        self.templates: dict[str, list] = {}
        self.history_names, self.history_row = _history_rows(self.position, history_type="+", by=by, now=now)

    def template(self, kind: str) -> list:
        """The row of a new person of this kind before the file's values: computed once per kind."""
        if kind not in self.templates:
            person = Influencer(kind=kind)
            new_person_defaults(person, by=self.by)
            person.created_at = person.updated_at = self.now
            self.templates[kind] = [
                None,
                *(f.get_db_prep_save(getattr(person, f.attname), connection) for f in self.fields),
            ]
        return self.templates[kind]

    def row(self, pk: int, values: dict[str, str]) -> tuple:
        row = self.template(values.get("kind", Influencer.Kind.BLOGGER)).copy()
        row[0] = pk
        for name, value in values.items():
            row[self.position[name]] = value  # text columns: the database value is the string itself
        return tuple(row)


def _create_people(new_people: dict[int, dict[str, str]], *, by) -> dict[int, int]:
    """Add the new people and their history ("created", by `by`); return their ids by row key."""
    ids = dict(zip(new_people, _reserve_ids(Influencer, len(new_people)), strict=True))
    rows = _PersonRows(by=by, now=timezone.now())
    keys = list(new_people)
    for start in range(0, len(keys), BATCH_SIZE):  # a batch of rows at a time in memory, not all of them
        people = [rows.row(ids[key], new_people[key]) for key in keys[start : start + BATCH_SIZE]]
        _insert(Influencer, rows.names, people)
        _insert(Influencer.history.model, rows.history_names, map(rows.history_row, people))
    return ids


def _update_people(changes: dict[int, dict[str, str]], *, by) -> int:
    """Apply what the file says about people already there (empty cells changed nothing), with their history."""
    if not changes:
        return 0
    fields = [f for f in Influencer._meta.concrete_fields if not f.primary_key]
    names = ["id", *(f.name for f in fields)]
    position = {name: i for i, name in enumerate(names)}
    now = timezone.now()
    changed = [*PERSON_COLUMNS, "updated_at"]
    history_names, history_row = _history_rows(position, history_type="~", by=by, now=now)
    pick_update = itemgetter(*(position[name] for name in changed), 0)
    opts, quote = Influencer._meta, connection.ops.quote_name
    assignments = ", ".join(f"{quote(opts.get_field(name).column)} = %s" for name in changed)
    update = f"UPDATE {quote(opts.db_table)} SET {assignments} WHERE {quote(opts.pk.column)} = %s"
    now_db = Influencer._meta.get_field("updated_at").get_db_prep_save(now, connection)
    pks = list(changes)
    size = min(BATCH_SIZE, connection.features.max_query_params or BATCH_SIZE)
    for start in range(0, len(pks), size):
        rows = []
        current = Influencer.objects.filter(pk__in=pks[start : start + size]).values_list(
            "pk", *(f.attname for f in fields)
        )
        for values in current:
            row = [values[0], *(f.get_db_prep_save(v, connection) for f, v in zip(fields, values[1:], strict=True))]
            for name, value in changes[values[0]].items():
                row[position[name]] = value
            row[position["updated_at"]] = now_db
            rows.append(tuple(row))
        with connection.cursor() as cursor:
            cursor.executemany(update, [pick_update(row) for row in rows])
        _insert(Influencer.history.model, history_names, [history_row(row) for row in rows])
    return len(pks)


def _link_topics(links: set[tuple[int, str]], names: dict[str, str], ids: dict[int, int]) -> None:
    topic_ids = {name.lower(): pk for pk, name in Topic.objects.values_list("pk", "name")}
    missing = [Topic(name=name) for key, name in names.items() if key not in topic_ids]
    for topic in Topic.objects.bulk_create(missing, batch_size=BATCH_SIZE):
        topic_ids[topic.name.lower()] = topic.pk
    through = Influencer.topics.through
    # New people have no topic yet: a plain insert, in index order (appending to a b-tree is cheaper than
    # inserting all over it). People already there may have some: skip those.
    _insert(through, ["influencer", "topic"], sorted((ids[p], topic_ids[key]) for p, key in links if p < 0))
    through.objects.bulk_create(
        (through(influencer_id=p, topic_id=topic_ids[key]) for p, key in links if p > 0),
        batch_size=BATCH_SIZE,
        ignore_conflicts=True,
    )


# --- Jobs ----------------------------------------------------------------------------------------------------------


def import_job_create(*, by, upload) -> ImportJob:
    """Store an uploaded file (`name`, `size`, `read()`) as a queued job; a worker imports it. Nothing is read here."""
    # The name is shown and stored as text: no NUL (PostgreSQL refuses it) or other control character.
    file_name = re.sub(r"[\x00-\x1f\x7f]", "", upload.name or "")
    suffix = "." + file_name.rsplit(".", 1)[-1].lower() if "." in file_name else ""
    if suffix not in EXTENSIONS:
        raise ValidationError(_("Upload a .csv or .xlsx file."), code="format")
    if not upload.size:
        raise ValidationError(_("The file is empty."), code="empty")
    if upload.size > MAX_FILE_BYTES:
        raise ValidationError(
            _("The file is larger than %(size)d MB: split it in several files.") % {"size": MAX_FILE_BYTES >> 20},
            code="size",
        )
    return ImportJob.objects.create(
        file_name=file_name[-255:],
        content=upload.read(),
        format=EXTENSIONS[suffix],
        created_by=by,
        language=translation.get_language() or settings.LANGUAGE_CODE,
    )


def import_jobs_enqueue(*, now=None) -> int:
    """Beat: hand every queued job to the broker, after commit; fail the jobs whose worker died.

    A job handed over long ago and still queued lost its message (a broker restart): it is handed over again.
    A duplicate message is harmless, the task claims the job before anything else. Nothing to do costs two
    indexed reads and no write, so running every few seconds never queues behind an import holding SQLite's lock.
    """
    from crm.tasks import run_import

    now = now or timezone.now()
    running = ImportJob.objects.filter(status=Status.RUNNING)
    if stale := list(
        running.filter(started_at__lt=now - timedelta(seconds=settings.IMPORT_TIMEOUT_SECONDS)).values_list(
            "pk", flat=True
        )
    ):
        running.filter(pk__in=stale).update(
            status=Status.FAILED,
            finished_at=now,
            content=b"",
            failure=_(
                "The import stopped before the end (its worker stopped). Nothing was written: upload the file again."
            ),
        )
    due = ImportJob.objects.filter(status=Status.QUEUED).filter(
        Q(enqueued_at__isnull=True) | Q(enqueued_at__lt=now - timedelta(seconds=settings.IMPORT_RESEND_AFTER_SECONDS))
    )
    ids = list(due.order_by("pk").values_list("pk", flat=True)[:100])
    if not ids:
        return 0
    enqueued = 0
    with transaction.atomic():
        for pk in ids:
            # Conditional: of two sweeps at once, one hands the job over.
            if due.filter(pk=pk).update(enqueued_at=now):
                run_import.delay_on_commit(pk)
                enqueued += 1
    return enqueued


class _Superseded(Exception):
    """The job is no longer ours to finish (marked failed meanwhile): roll the import back."""


class UnreadableFile(Exception):
    """The file is not the CSV or the workbook it claims to be."""


# What csv and openpyxl raise on a file they cannot read (openpyxl: KeyError, ValueError on a zip that is not
# a workbook).
READING_ERRORS = (csv.Error, UnicodeDecodeError, zipfile.BadZipFile, KeyError, ValueError, OSError)


def _readable(rows: Iterable[tuple[int, dict]]) -> Iterator[tuple[int, dict]]:
    try:
        yield from rows
    except READING_ERRORS as broken:
        raise UnreadableFile from broken


def _job_rows(content: bytes, format: str) -> tuple[Iterator[tuple[int, dict]], int | None]:
    """The job's numbered rows, and their number when it is cheap to know (CSV) for the progress bar."""
    try:
        if format == ImportJob.Format.XLSX:
            return _readable(numbered_rows(xlsx_rows(content))), None
        text = decode_csv(content)
        # Counting first costs one more CSV parse (~0.1 s per 100,000 rows).
        total = max(0, sum(1 for _row in csv_rows(text)) - 1)
    except READING_ERRORS as broken:
        raise UnreadableFile from broken
    return _readable(numbered_rows(csv_rows(text))), total


def import_job_run(*, job_id: int) -> None:
    """Run one queued job. Safe to call twice: only the call that moves it from queued to running imports."""
    if not ImportJob.objects.filter(pk=job_id, status=Status.QUEUED).update(
        status=Status.RUNNING, started_at=timezone.now()
    ):
        return
    job = ImportJob.objects.defer("content").select_related("created_by").get(pk=job_id)
    jobs = ImportJob.objects.filter(pk=job_id)
    with translation.override(job.language):
        try:
            _run(job, jobs)
        except Exception:
            log.exception("import job %s failed", job_id)
            jobs.filter(status=Status.RUNNING).update(
                status=Status.FAILED,
                finished_at=timezone.now(),
                content=b"",
                failure=_("The import stopped on an unexpected error. Nothing was written."),
            )


def _run(job: ImportJob, jobs) -> None:
    # A finished job keeps its figures and errors, not the uploaded file: people's data should not outlive its
    # use, and an erasure cannot reach inside a stored workbook.
    def fail(**fields) -> None:
        jobs.filter(status=Status.RUNNING).update(
            status=Status.FAILED, finished_at=timezone.now(), content=b"", **fields
        )

    def finish(outcome: ImportOutcome) -> None:
        done = jobs.filter(status=Status.RUNNING).update(
            status=Status.DONE,
            finished_at=timezone.now(),
            content=b"",
            total=outcome.rows,
            processed=outcome.rows,
            created=outcome.created,
            updated=outcome.updated,
        )
        if not done:
            raise _Superseded

    try:
        content = bytes(ImportJob.objects.values_list("content", flat=True).get(pk=job.pk))
        rows, total = _job_rows(content, job.format)
        del content  # the rows hold the decoded text
        if total is not None:
            jobs.update(total=total)
        outcome = influencers_import(
            rows=rows,
            by=job.created_by,
            progress=lambda n: jobs.update(processed=n),
            before_commit=finish,
        )
    except ValidationError as invalid:  # the file as a whole: no "name" column
        fail(failure=" ".join(invalid.messages))
        return
    except UnreadableFile:
        fail(failure=_("The file could not be read as %(format)s.") % {"format": job.get_format_display()})
        return
    except IntegrityError:
        fail(
            failure=_(
                "Someone changed the directory while the file was imported (the same e-mail or handle was added). "
                "Nothing was written: upload the file again."
            )
        )
        return
    except _Superseded:
        return
    if outcome.invalid:
        fail(
            total=outcome.rows,
            processed=outcome.rows,
            invalid=outcome.invalid,
            errors=outcome.errors,
            failure=_("Some rows have errors. Nothing was written: fix them and upload the file again."),
        )
