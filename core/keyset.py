"""Keyset (cursor) pages for long lists: the next page starts after the last row shown, found through the sort's
index, instead of skipping rows with OFFSET (which reads every skipped row, so page 4,000 of the directory read
100,000 rows).

A cursor is the sort key of a row (its sorted fields, the primary key last to break ties), signed so that a
hand-made one is refused like any other bad input: the list starts again from its first page.
"""

from dataclasses import dataclass
from datetime import date, datetime

from django.core import signing
from django.db.models import F, Q, QuerySet

# Named for where this module started: a new salt would turn every cursor in a bookmark or an open tab into a 400.
SALT = "crm.keyset"
COUNT_CAP = 1000


@dataclass(frozen=True)
class KeysetPage:
    object_list: list
    next_cursor: str | None
    previous_cursor: str | None
    count: int  # the matching rows, counted up to COUNT_CAP
    count_capped: bool  # more than `count` match

    @property
    def has_other_pages(self) -> bool:
        return bool(self.next_cursor or self.previous_cursor)


def _keys(ordering: list[str]) -> list[tuple[str, bool]]:
    return [(field.lstrip("-"), field.startswith("-")) for field in ordering]


def _encode(value):
    if isinstance(value, datetime):
        return ["t", value.isoformat()]
    if isinstance(value, date):
        return ["d", value.isoformat()]
    return [None, value]


def _decode(pair):
    kind, value = pair
    if kind == "t":
        return datetime.fromisoformat(value)
    if kind == "d":
        return date.fromisoformat(value)
    if value is not None and not isinstance(value, int | str):
        raise ValueError(value)
    return value


def cursor_for(row, ordering: list[str]) -> str:
    return signing.dumps([_encode(getattr(row, field)) for field, _desc in _keys(ordering)], salt=SALT, compress=True)


def _values(cursor: str | None, ordering: list[str]) -> list | None:
    if not cursor:
        return None
    try:
        values = [_decode(pair) for pair in signing.loads(cursor, salt=SALT)]
    except (signing.BadSignature, TypeError, ValueError):
        return None
    return values if len(values) == len(ordering) else None


def _beyond(field: str, descending: bool, value, backwards: bool, nullable: bool) -> Q:
    """Rows past `value` on one key, in the list's order (NULLs last) or, `backwards`, against it."""
    nothing = Q(pk__in=[])
    if not backwards:
        if value is None:
            return nothing  # NULLs come last: nothing is past them on this key
        past = Q(**{f"{field}__{'lt' if descending else 'gt'}": value})
        return past | Q(**{f"{field}__isnull": True}) if nullable else past
    if value is None:
        return Q(**{f"{field}__isnull": False})
    return Q(**{f"{field}__{'gt' if descending else 'lt'}": value})


def _equal(field: str, value) -> Q:
    return Q(**{f"{field}__isnull": True}) if value is None else Q(**{field: value})


def _past(keys: list[tuple[str, bool]], values: list, backwards: bool, nullable: frozenset[str]) -> Q:
    """(k1 past v1) or (k1 = v1 and k2 past v2) or …: the rows after (before) the cursor's row."""
    condition, same = Q(pk__in=[]), Q()
    for (field, descending), value in zip(keys, values, strict=True):
        condition |= same & _beyond(field, descending, value, backwards, field in nullable)
        same &= _equal(field, value)
    # The same rows, bounded on the first key alone as well: a range the database starts its index scan from,
    # where the ORs above would only filter an index read from its beginning. (Not when NULLs, which come last,
    # may follow the cursor's row: "≥ v or NULL" is no range.)
    field, descending = keys[0]
    if values[0] is not None and (backwards or field not in nullable):
        condition &= Q(**{f"{field}__{'gte' if descending == backwards else 'lte'}": values[0]})
    return condition


def _order(keys: list[tuple[str, bool]], backwards: bool) -> list:
    """The list's order (NULLs last) or, `backwards`, its exact reverse (NULLs first)."""
    order = []
    for field, descending in keys:
        sort = F(field).asc if descending == backwards else F(field).desc
        order.append(sort(nulls_first=True) if backwards else sort(nulls_last=True))
    return order


def keyset_page(
    queryset: QuerySet,
    ordering: list[str],
    *,
    size: int,
    after: str | None = None,
    before: str | None = None,
    nullable: frozenset[str] = frozenset(),
) -> KeysetPage:
    """The page of `queryset`, sorted by `ordering` (NULLs last, the primary key last), after or before a cursor.

    `nullable`: the sort keys that may be NULL (the others are read as never NULL).

    Three queries at most whatever the page: the capped count, the page's rows (one more tells whether another page
    follows), and whatever the queryset prefetches.
    """
    keys = _keys(ordering)
    # The count reads ids only: the rows' annotations (a person's next due date is a subquery) are computed for
    # the page's rows, not for the thousand counted.
    count = queryset.order_by().prefetch_related(None).values("pk")[: COUNT_CAP + 1].count()
    after_values, before_values = _values(after, ordering), _values(before, ordering)
    backwards = before_values is not None and after_values is None
    rows = queryset
    if after_values is not None:
        rows = rows.filter(_past(keys, after_values, backwards=False, nullable=nullable))
    elif backwards:
        rows = rows.filter(_past(keys, before_values, backwards=True, nullable=nullable))
    rows = list(rows.order_by(*_order(keys, backwards))[: size + 1])
    more = len(rows) > size
    rows = rows[:size]
    if backwards:
        rows.reverse()
        has_next, has_previous = True, more
    else:
        has_next, has_previous = more, after_values is not None
    return KeysetPage(
        object_list=rows,
        next_cursor=cursor_for(rows[-1], ordering) if rows and has_next else None,
        previous_cursor=cursor_for(rows[0], ordering) if rows and has_previous else None,
        count=min(count, COUNT_CAP),
        count_capped=count > COUNT_CAP,
    )
