"""Header values of a hostile mail, read one at a time so that one bad header never loses the others.

Values are taken raw (`Message.raw_items`) and decoded here rather than through `email.policy.default`'s header
objects: those raise on some malformed values, keep raw 8-bit bytes as lone surrogates in display names, read a
Latin-1 subject as "�", and parse a long address list far more slowly than `email.utils.getaddresses`.
`policy.default` still decodes the RFC 2047 words of text values (it copes with unknown charsets), inside a guard.
"""

import contextlib
import re
from email.message import Message
from email.policy import default
from email.utils import getaddresses

# Read at most this much of one raw value: an encoded word is at most ~4 times its text, and every value we keep is
# cut to a few hundred characters, so more would only cost time (a 1 MB subject).
MAX_RAW_TEXT = 8_000
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\ufeff]")
SPACES = re.compile(r"\s+")
ANGLE_ID = re.compile(r"<([^<>\s]{1,500})>")


def clean(raw: str) -> str:
    """A raw header value as text. The parser smuggles 8-bit bytes through as lone surrogates: they are read as
    UTF-8 (what mail clients send today), else as Windows-1252 (Latin-1's superset, what older ones send)."""
    if not any("\udc80" <= char <= "\udcff" for char in raw):
        return raw
    data = raw.encode("utf-8", "surrogateescape")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252", "replace")


def raw_field(message: Message, name: str) -> str:
    """The first value of header `name` (lower-case), cleaned but not decoded; "" when absent."""
    for key, value in message.raw_items():
        if key.lower() == name:
            return clean(value if isinstance(value, str) else str(value))
    return ""


def raw_values(message: Message) -> dict[str, list[str]]:
    """Every header's values, by lower-cased name, cleaned but not decoded."""
    values: dict[str, list[str]] = {}
    for key, value in message.raw_items():
        values.setdefault(str(key).lower(), []).append(clean(value if isinstance(value, str) else str(value)))
    return values


def text(raw: str, *, limit: int) -> str:
    """A text value (a subject, a display name): RFC 2047 words decoded, on one line, no control characters."""
    value = raw[:MAX_RAW_TEXT]
    # The email package raises many kinds of errors on hostile values; the raw text will do then.
    with contextlib.suppress(Exception):
        value = str(default.header_factory("subject", value))
    return SPACES.sub(" ", CONTROL.sub(" ", value)).strip()[:limit]


def normalise_message_id(raw: str) -> str:
    """A Message-ID as compared by the mailbox: the first <…> token without its brackets (or the value itself when
    a client forgot them), with the part after the last "@" lower-cased, since a domain has no case. Case elsewhere
    is kept: the left part is the sender's own token. "" for no id."""
    match = ANGLE_ID.search(raw[:MAX_RAW_TEXT])
    value = match.group(1) if match else SPACES.sub("", CONTROL.sub("", raw[:500])).strip("<>")
    local, at, domain = value.rpartition("@")
    return f"{local}@{domain.lower()}" if at else value


def message_ids(raw: str, *, limit: int) -> tuple[str, ...]:
    """The ids of a References value in order, at most `limit`: the first (the thread's root) and the latest ones,
    which are the ones a thread is found by."""
    ids = [normalise_message_id(f"<{token}>") for token in ANGLE_ID.findall(raw)]
    ids = list(dict.fromkeys(ids))  # a client that repeats an id does not crowd out the others
    if len(ids) > limit:
        ids = ids[:1] + ids[-(limit - 1) :]
    return tuple(ids)


def address_pairs(values: list[str], *, max_chars: int) -> tuple[list[tuple[str, str]], bool]:
    """(display name, address) pairs of address headers, and whether the values were longer than `max_chars`."""
    joined = ", ".join(values)
    truncated = len(joined) > max_chars
    if truncated:
        joined = joined[: joined.rfind(",", 0, max_chars) + 1 or max_chars]  # drop the address cut in half
    try:
        return getaddresses([joined]), truncated
    except Exception:  # hostile input the regular expressions of email.utils trip over
        return [], True
