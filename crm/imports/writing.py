"""Writing an import's people, history, topics and channels: a few bulk statements, in the caller's transaction.

Model instances and bulk_create cost more in Python than the database's work (each value of each row prepared on
its own; docs/PERFORMANCE.md, "Figures behind the code"). Here rows are tuples of values already in database form;
new people get their ids first, from the table's own sequence, so that every table is then written by the
database's fastest bulk path: COPY on PostgreSQL, one prepared INSERT run over all rows (executemany) on SQLite.
"""

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.db import connection
from django.utils import timezone

from crm.models import Channel, Influencer, Topic
from crm.services.influencers import influencer_defaults

BATCH_SIZE = 2000
# How far a trigram (GIN) index's list of pending entries may grow while the import writes (see _gin_upkeep_last).
GIN_PENDING_LIST_LIMIT = "1GB"
# The GIN indexes of these tables, each with whether the user owns it (gin_clean_pending_list needs that).
GIN_INDEXES = """
    SELECT index.oid, pg_has_role(index.relowner, 'USAGE')
    FROM pg_index JOIN pg_class index ON index.oid = pg_index.indexrelid JOIN pg_am ON pg_am.oid = index.relam
    WHERE pg_am.amname = 'gin' AND pg_index.indrelid = ANY(%s::regclass[])
"""


def new_person_defaults(person: Influencer, *, by) -> None:
    """What influencer_create gives a person added by hand, for one a file adds (owner, an ambassador's cadence)."""
    for name, value in influencer_defaults(by=by, kind=person.kind).items():
        setattr(person, name, value)


@dataclass
class Writes:
    """What a checked file adds and changes. A new person is keyed by minus the row number that adds them (their
    id is reserved when they are written), a person already in the directory by their id."""

    new_people: dict[int, dict[str, str]] = field(default_factory=dict)  # key -> the file's values
    changes: dict[int, dict[str, str]] = field(default_factory=dict)  # id -> the file's values
    topic_names: dict[str, str] = field(default_factory=dict)  # lower-case -> as first written
    topic_links: set[tuple[int, str]] = field(default_factory=set)  # (person, lower-case topic)
    new_channels: list[tuple[int, str, str]] = field(default_factory=list)  # (person, platform, handle)


def write(writes: Writes, *, by) -> tuple[int, int]:
    """Write everything (inside the caller's transaction); return how many people were added and changed."""
    with _gin_upkeep_last([Influencer, Channel]):
        ids = _create_people(writes.new_people, by=by)
        created = len(writes.new_people)
        writes.new_people.clear()  # the rows are written: their dicts can go before the next tables
        updated = _update_people(writes.changes, by=by)
        _link_topics(writes.topic_links, writes.topic_names, ids)
        _insert(
            Channel,
            ["influencer", "platform", "handle", "url"],
            sorted((ids.get(p, p), platform, handle, "") for p, platform, handle in writes.new_channels),
        )
    return created, updated


@contextmanager
def _gin_upkeep_last(models) -> Iterator[None]:
    """On PostgreSQL, file the written rows into the trigram (GIN) indexes of these tables once, at the end.

    A GIN index puts new entries on a pending list first, and files that list into the index whenever it passes
    gin_pending_list_limit (4 MB): every few thousand people, a merge that costs as much as the last. With the
    limit raised for this transaction and the list filed once at the end (gin_clean_pending_list, in one sorted
    pass), the three trigram indexes cost ~1 s less of the server's CPU per 100,000 people. Only when the user owns
    every such index (as the one who ran the migrations does): otherwise the list would be left to grow for the
    next writer to file.
    """
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute(GIN_INDEXES, [[model._meta.db_table for model in models]])
        indexes = cursor.fetchall()
    if not indexes or not all(owned for _oid, owned in indexes):
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT set_config('gin_pending_list_limit', %s, true)", [GIN_PENDING_LIST_LIMIT])
    yield
    with connection.cursor() as cursor:
        oids = [oid for oid, _owned in indexes]
        cursor.execute("SELECT gin_clean_pending_list(oid) FROM unnest(%s::oid[]) AS oid", [oids])
        cursor.execute("RESET gin_pending_list_limit")


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


def _write_history(ids: list[int], *, history_type: str, by, now) -> None:
    """simple_history's rows ("+" created, "~" changed, by `by`, at `now`) for these people as they now are,
    copied by the database itself from their rows: nothing goes through Python or over the wire twice."""
    history = Influencer.history.model
    quote = connection.ops.quote_name
    person_columns = {f.name: f.column for f in Influencer._meta.concrete_fields}
    shared = {
        "history_date": history._meta.get_field("history_date").get_db_prep_save(now, connection),
        "history_change_reason": None,
        "history_type": history_type,
        "history_user": by.pk if by is not None else None,
    }
    targets, sources, params = [], [], []
    for f in history._meta.concrete_fields:
        if f.primary_key:
            continue
        targets.append(quote(f.column))
        if f.name in shared:
            sources.append("%s")
            params.append(shared[f.name])
        else:
            sources.append(quote(person_columns[f.name]))
    pk = quote(Influencer._meta.pk.column)
    statement = (
        f"INSERT INTO {quote(history._meta.db_table)} ({', '.join(targets)}) "
        f"SELECT {', '.join(sources)} FROM {quote(Influencer._meta.db_table)} WHERE {pk} "
    )
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(statement + f"= ANY(%s) ORDER BY {pk}", [*params, ids])
            return
        size = (connection.features.max_query_params or 999) - len(params)
        for start in range(0, len(ids), size):
            chunk = ids[start : start + size]
            cursor.execute(statement + f"IN ({', '.join(['%s'] * len(chunk))}) ORDER BY {pk}", [*params, *chunk])


class _PersonRows:
    """New people as rows of database values: every field's default, what influencer_create gives, the file's."""

    def __init__(self, *, by, now):
        self.fields = [f for f in Influencer._meta.concrete_fields if not f.primary_key]
        self.names = ["id", *(f.name for f in self.fields)]
        self.position = {name: i for i, name in enumerate(self.names)}
        self.by, self.now = by, now
        # Every kind's row before any is written: a default may read the database (the team's rules), and rows are
        # made while PostgreSQL's COPY streams them, when a query on the same connection would wait on itself.
        self.templates = {kind: self._template(kind) for kind in Influencer.Kind.values}

    def _template(self, kind: str) -> list:
        """The row of a new person of this kind before the file's values."""
        person = Influencer(kind=kind)
        new_person_defaults(person, by=self.by)
        person.created_at = person.updated_at = self.now
        return [None, *(f.get_db_prep_save(getattr(person, f.attname), connection) for f in self.fields)]

    def row(self, pk: int, values: dict[str, str]) -> tuple:
        kind = values.get("kind", Influencer.Kind.BLOGGER)
        row = (self.templates.get(kind) or self._template(kind)).copy()  # a kind the check let through: none other
        row[0] = pk
        for name, value in values.items():
            row[self.position[name]] = value  # text columns: the database value is the string itself
        return tuple(row)


def _create_people(new_people: dict[int, dict[str, str]], *, by) -> dict[int, int]:
    """Add the new people and their history ("created", by `by`); return their ids by row key."""
    ids = dict(zip(new_people, _reserve_ids(Influencer, len(new_people)), strict=True))
    now = timezone.now()
    rows = _PersonRows(by=by, now=now)
    keys = list(new_people)
    for start in range(0, len(keys), BATCH_SIZE):  # a batch of rows at a time in memory, not all of them
        batch = keys[start : start + BATCH_SIZE]
        _insert(Influencer, rows.names, (rows.row(ids[key], new_people[key]) for key in batch))
        _write_history([ids[key] for key in batch], history_type="+", by=by, now=now)
    return ids


def _update_people(changes: dict[int, dict[str, str]], *, by) -> int:
    """Apply what the file says about people already there (empty cells changed nothing), with their history."""
    if not changes:
        return 0
    now = timezone.now()
    opts, quote = Influencer._meta, connection.ops.quote_name
    now_db = opts.get_field("updated_at").get_db_prep_save(now, connection)
    # One UPDATE statement per set of columns a row fills (a file has a few such sets), run over its rows.
    by_columns: dict[tuple[str, ...], list[tuple]] = {}
    for pk, values in changes.items():
        by_columns.setdefault(tuple(values), []).append((*values.values(), now_db, pk))
    with connection.cursor() as cursor:
        for columns, rows in by_columns.items():
            assignments = ", ".join(f"{quote(opts.get_field(name).column)} = %s" for name in (*columns, "updated_at"))
            cursor.executemany(
                f"UPDATE {quote(opts.db_table)} SET {assignments} WHERE {quote(opts.pk.column)} = %s", rows
            )
    pks = sorted(changes)
    for start in range(0, len(pks), BATCH_SIZE):
        _write_history(pks[start : start + BATCH_SIZE], history_type="~", by=by, now=now)
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
