"""What a hostile (or just careless) person types: the strategies every module of tests/hostile draws from.

Each example runs in its own transaction, rolled back at the end (`rolled_back`): the pytest-django `db`
fixture wraps the whole test function, not each hypothesis example, so without it rows of one example would
leak into the next.
"""

import os
import re
from contextlib import contextmanager

from django.db import transaction
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

# Modest: tests/hostile as a whole must stay near 2 minutes (of CPU) on SQLite. Every test also runs its
# explicit sharp @examples first. HOSTILE_EXAMPLES=200 (an environment variable) digs deeper, e.g. before a release.
EXAMPLES = int(os.environ.get("HOSTILE_EXAMPLES", "15"))
HOSTILE = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
)
FEW = settings(HOSTILE, max_examples=max(3, EXAMPLES // 5))

# A marker no template would print by itself: if it comes back unescaped, a browser would run it.
SCRIPT = '<script>alert("xss")</script>'
IMG = '"><img src=x onerror=alert(1)>'
PAYLOADS = [
    SCRIPT,
    IMG,
    "<b>bold</b>",
    "{{ 7|add:7 }}{% now 'Y' %}",
    "javascript:alert(1)",
    "' OR 1=1 --",
    '=HYPERLINK("http://evil.example","click")',
    "+1+2",
    "-2+3",
    "@SUM(A1:A2)",
    "\tindented",
    "\r\n",
    "Robert'); DROP TABLE crm_influencer;--",
    "%(name)s %s {0}",
    "\u202eevil\u202c",  # right-to-left override
    "\ufeffBOM",
    "e\u0301\u0301\u0301",  # combining marks
    "👩‍👩‍👧‍👦🏳️‍🌈",
    "ＳＣＲＩＰＴ＜＞",
]
# The payloads a person could type in a one-line field (no tab or line break), for the "shown as text" tests.
TYPED_PAYLOADS = [p for p in PAYLOADS if not any(c in p for c in "\t\r\n")]
ESCAPED = {SCRIPT: "&lt;script&gt;alert(&quot;xss&quot;)&lt;/script&gt;", IMG: "&quot;&gt;&lt;img src=x"}

# Anything a browser (or curl) can send: every code point but lone surrogates, which UTF-8 cannot encode.
any_char = st.characters(exclude_categories=("Cs",))
control_char = st.one_of(st.characters(min_codepoint=0, max_codepoint=0x1F), st.sampled_from("\x7f\x85\u2028"))


def hostile_text(max_size: int = 60) -> st.SearchStrategy[str]:
    """Random unicode, control characters (NUL included), markup, formula starts, and very long strings."""
    return st.one_of(
        st.text(any_char, max_size=max_size),
        st.text(st.one_of(any_char, control_char), min_size=1, max_size=max_size),
        st.sampled_from(PAYLOADS),
        st.tuples(st.text(any_char, max_size=10), st.sampled_from(PAYLOADS)).map("".join),
        # Far beyond any max_length (and PostgreSQL's varchar), without making hypothesis draw 30,000 choices.
        st.tuples(st.sampled_from(["a", "é", "😀", "<", "\x00", " "]), st.integers(100, 30_000)).map(
            lambda pair: pair[0] * pair[1]
        ),
        st.just(""),
        st.just("   "),
    )


def printable_text(min_size: int = 1, max_size: int = 60) -> st.SearchStrategy[str]:
    """Unicode a person may legitimately type on one line: no control characters, something visible."""
    return st.text(
        st.characters(exclude_categories=("Cs", "Cc", "Zl", "Zp", "Co", "Cn")), min_size=min_size, max_size=max_size
    ).filter(lambda s: s.strip())


BAD_DATES = [
    "",
    "0000-00-00",
    "0001-01-01",
    "1000-01-01",
    "9999-12-31",
    "2024-02-30",
    "2023-02-29",
    "31/12/2024",
    "12/31/2024",
    "2024-13-01",
    "yesterday",
    "-2024-01-01",
    "20240101",
    "1e10",
    "２０２４-０１-０１",  # full-width digits
    "2024-01-01\x00",
]
BAD_DATETIMES = [
    *BAD_DATES,
    "0001-01-01T00:00",
    "0001-01-01 00:00:00",
    "9999-12-31T23:59",
    "9999-12-31 23:59:59",
    "2024-03-31T02:30",  # does not exist in Paris (clocks go forward)
    "2024-10-27T02:30",  # exists twice in Paris
    "2024-01-01T25:00",
    "2024-01-01T10:61",
    "1900-01-01T00:00",
]


def bad_date() -> st.SearchStrategy[str]:
    return st.one_of(
        st.sampled_from(BAD_DATES),
        st.dates().map(lambda d: d.isoformat()),
        hostile_text(20),
    )


def bad_datetime() -> st.SearchStrategy[str]:
    return st.one_of(
        st.sampled_from(BAD_DATETIMES),
        st.datetimes().map(lambda d: d.strftime("%Y-%m-%dT%H:%M") if d.year >= 1000 else d.isoformat()),
        hostile_text(20),
    )


BAD_NUMBERS = [
    "",
    "-1",
    "0",
    "-0",
    "1.5",
    "1e308",
    "1e-308",
    "NaN",
    "nan",
    "Infinity",
    "-inf",
    "0x10",
    "1_000",
    " 12 ",
    "١٢",  # Arabic-Indic digits: int() accepts them
    "9" * 40,
    "-" + "9" * 40,
    "32768",
    "65536",
    "2912104",  # days: today plus that many is past the year 9999 (issue 14)
    "2147483648",
    "9223372036854775808",
]


def bad_number() -> st.SearchStrategy[str]:
    return st.one_of(
        st.sampled_from(BAD_NUMBERS),
        st.integers(min_value=-(2**70), max_value=2**70).map(str),
        st.decimals(allow_nan=True, allow_infinity=True).map(str),
        hostile_text(12),
    )


def bad_id() -> st.SearchStrategy[str]:
    """What a tampered hidden field or select sends instead of an id."""
    return st.one_of(st.sampled_from(["", "0", "-1", "1.0", "null", "[]", "9" * 30]), bad_number())


def changes(fields: dict[str, st.SearchStrategy]) -> st.SearchStrategy[dict[str, str]]:
    """One to three fields of an otherwise valid form, replaced by hostile values.

    Mostly-valid posts get past the form to the services and the database, where the surprises are.
    """
    pairs = st.sampled_from(sorted(fields)).flatmap(lambda name: fields[name].map(lambda value: (name, value)))
    return st.lists(pairs, min_size=1, max_size=3).map(dict)


# Values known to be sharp, tried first on every form (hypothesis @example): NUL, very long, far dates.
NUL = "Ana\x00Lyon"
LONG = "é" * 10_000
CONTROL = "Ana\x01\x08\x0b\x1b[31m"
YEAR_ONE = "0001-01-01"
YEAR_9999 = "9999-12-31"
MOMENT_ONE = "0001-01-01T00:00"
MOMENT_9999 = "9999-12-31T23:59"
HUGE = "9" * 30


def maybe(valid, hostile: st.SearchStrategy) -> st.SearchStrategy:
    """The valid value or a hostile one, so that most examples get past the first field to the deeper checks."""
    valid = valid if isinstance(valid, st.SearchStrategy) else st.just(valid)
    return st.one_of(valid, hostile)


@contextmanager
def rolled_back():
    """Run one example in a transaction that is always rolled back."""
    with transaction.atomic():
        try:
            yield
        finally:
            transaction.set_rollback(True)


# A status a person may see after a bad post: the form again, a redirect, a refusal or a missing page.
HARMLESS = {200, 204, 302, 400, 403, 404, 405}


def assert_harmless(response) -> None:
    assert response.status_code in HARMLESS, (response.status_code, response.content[:2000])


def expected_status(query: dict) -> int:
    """A page with filters answers 200 whatever they hold, except a NUL anywhere in the URL: 400 (PostgreSQL
    refuses NUL, so config.middleware refuses it before any view)."""
    return 400 if any("\x00" in f"{key}{value}" for key, value in query.items()) else 200


_RAW = re.compile(r"<script>alert|<img src=x onerror", re.IGNORECASE)


def assert_no_live_markup(html: str | bytes) -> None:
    """No injected element survives: what was typed comes back as text, never as a tag."""
    if isinstance(html, bytes):
        html = html.decode("utf-8", errors="replace")
    match = _RAW.search(html)
    assert match is None, html[max(0, match.start() - 300) : match.end() + 300]
