"""Random and mutated real mails: parse_mail returns a bounded ParsedMail or refuses with UnreadableMail, never more.

The mutations are what a broken server, a truncated download or a malicious sender produce: bytes flipped,
the mail cut short, headers repeated, lines dropped, junk inserted. Each starts from a real fixture (mails/), so
that most examples get past the headers to the MIME tree, the body and the reports.
"""

import re
import time
from datetime import UTC
from pathlib import Path

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from messaging.mailbox.bounces import MAX_DIAGNOSTIC
from messaging.mailbox.parsing import (
    MAX_ADDRESS,
    MAX_NAME,
    MAX_NEW_TEXT,
    MAX_RECIPIENTS,
    MAX_REFERENCES,
    MAX_SUBJECT,
    ParsedMail,
    UnreadableMail,
    mail_look,
    parse_mail,
)
from tests.hostile.strategies import FEW, HOSTILE

MAILS = Path(__file__).parent / "mails"
FIXTURES = {path.name: path.read_bytes() for path in sorted(MAILS.glob("*.eml"))}
# Bytes a mail's structure turns on: line ends, header and MIME punctuation, 8-bit and NUL.
SHARP_BYTES = st.sampled_from([b"\r", b"\n", b":", b"<", b">", b"-", b"=", b"?", b";", b'"', b"\x00", b"\xff", b"\xc3"])
STATUS = re.compile(r"[245]\.\d{1,3}\.\d{1,3}")
# CPU seconds, far more than an example needs: a hang guard (a quadratic parse of the sharp examples takes
# minutes), not a speed test. CPU time, not wall time, so that a busy machine does not fail it.
SECONDS_PER_MAIL = 5


def _flip(raw: bytes, where: int, byte: int) -> bytes:
    where %= len(raw)
    return raw[:where] + bytes([byte]) + raw[where + 1 :]


def _truncate(raw: bytes, where: int, _byte: int) -> bytes:
    return raw[: where % len(raw)]


def _duplicate_header(raw: bytes, where: int, _byte: int) -> bytes:
    head, _, _ = raw.partition(b"\n\n")
    lines = head.split(b"\n")
    line = lines[where % len(lines)]
    return line + b"\n" + raw


def _delete_line(raw: bytes, where: int, _byte: int) -> bytes:
    lines = raw.split(b"\n")
    del lines[where % len(lines)]
    return b"\n".join(lines)


def _insert_junk(raw: bytes, where: int, byte: int) -> bytes:
    where %= len(raw)
    return raw[:where] + bytes([byte]) * (1 + byte % 64) + raw[where:]


def _crlf(raw: bytes, _where: int, _byte: int) -> bytes:
    return raw.replace(b"\n", b"\r\n")


MUTATIONS = [_flip, _truncate, _duplicate_header, _delete_line, _insert_junk, _crlf]


@st.composite
def mutated_mails(draw) -> bytes:
    raw = FIXTURES[draw(st.sampled_from(sorted(FIXTURES)))]
    for _ in range(draw(st.integers(1, 6))):
        if not raw:
            break
        mutate = draw(st.sampled_from(MUTATIONS))
        raw = mutate(raw, draw(st.integers(0, 2**20)), draw(st.integers(0, 255)))
    return raw


@st.composite
def assembled_mails(draw) -> bytes:
    """Mail-shaped bytes from sharp pieces: real header names, hostile values, MIME punctuation."""
    names = st.sampled_from(
        [b"From", b"To", b"Cc", b"Subject", b"Date", b"Message-ID", b"References", b"In-Reply-To",
         b"Content-Type", b"Content-Transfer-Encoding", b"Auto-Submitted", b"Precedence", b"Return-Path"]
    )  # fmt: skip
    values = st.one_of(
        st.binary(max_size=80),
        st.text(max_size=80).map(lambda text: text.encode("utf-8", "surrogatepass")),
        st.sampled_from(
            [
                b"multipart/report; report-type=delivery-status; boundary=b",
                b"multipart/mixed; boundary=b",
                b"message/rfc822",
                b"text/html; charset=x-unknown",
                b"=?utf-8?b?w6k=?=",
                b"=?x?q?=ZZ?=",
                b"<>",
                b"base64",
                b"quoted-printable",
                b'"a@b" <@>, ,,, <a@b.c>',
                b"auto-replied",
            ]
        ),  # fmt: skip
    )
    headers = draw(st.lists(st.tuples(names, values), max_size=12))
    body = draw(st.lists(st.one_of(st.binary(max_size=40), SHARP_BYTES, st.just(b"--b\n")), max_size=30))
    return b"".join(name + b": " + value + b"\n" for name, value in headers) + b"\n" + b"".join(body)


def assert_read_or_refused(raw: bytes) -> None:
    started = time.process_time()
    try:
        look = mail_look(raw)
    except UnreadableMail as refused:
        assert refused.reason
        look = None
    assert time.process_time() - started < SECONDS_PER_MAIL
    started = time.process_time()
    try:
        parsed = parse_mail(raw)
    except UnreadableMail as refused:
        assert refused.reason
        return
    assert time.process_time() - started < SECONDS_PER_MAIL
    assert_bounded(parsed)
    assert_seen_by_the_first_look(look, parsed)


def assert_seen_by_the_first_look(look, parsed: ParsedMail) -> None:
    """The sync passes over a mail whose first look finds no one: the look must miss nobody parse_mail finds."""
    assert look is not None
    assert {a.key for a in (*parsed.to, *parsed.cc, *([parsed.sender] if parsed.sender else []))} <= look.keys
    assert look.report or parsed.report is None


def assert_bounded(parsed: ParsedMail) -> None:
    assert isinstance(parsed, ParsedMail)
    assert len(parsed.subject) <= MAX_SUBJECT
    assert "\n" not in parsed.subject and "\r" not in parsed.subject and "\x00" not in parsed.subject
    assert len(parsed.new_text) <= MAX_NEW_TEXT
    assert len(parsed.to) + len(parsed.cc) <= MAX_RECIPIENTS
    assert len(parsed.references) <= MAX_REFERENCES
    for message_id in (parsed.message_id, parsed.in_reply_to, *parsed.references):
        assert len(message_id) <= 500
        assert not any(char.isspace() for char in message_id)
    for address in (*parsed.to, *parsed.cc, *([parsed.sender] if parsed.sender else [])):
        assert "@" in address.address and len(address.address) <= MAX_ADDRESS
        assert len(address.name) <= MAX_NAME
    assert parsed.date is None or parsed.date.tzinfo is UTC
    assert isinstance(parsed.automatic, str)
    if parsed.report:
        assert parsed.automatic == "delivery report"
        assert len(parsed.report.diagnostic) <= MAX_DIAGNOSTIC
        assert len(parsed.report.recipient) <= MAX_ADDRESS
        assert parsed.report.status == "" or STATUS.fullmatch(parsed.report.status)
        if parsed.report.status:
            assert parsed.report.permanent == parsed.report.status.startswith("5")


@FEW
@given(st.binary(max_size=2000))
@example(b"")
@example(b"\x00" * 100)
@example(b"\n\n\n")
@example(b":\n:\n\n")
@example(b"From:\n\n")
@example(b"From: \xff\xfe\n\n\xff")
def test_random_bytes_are_read_or_refused(raw):
    assert_read_or_refused(raw)


@HOSTILE
@given(mutated_mails())
def test_mutated_real_mails_are_read_or_refused(raw):
    assert_read_or_refused(raw)


@HOSTILE
@given(assembled_mails())
@example(b"From: a@example.com\nContent-Type: multipart/report; report-type=delivery-status; boundary=b\n\n--b\n")
@example(b"From: a@example.com\nContent-Type: message/rfc822\n\n" * 3_000)
@example(
    b"From: a@example.com\nContent-Type: multipart/mixed; boundary=b\n\n"
    + b"--b\nContent-Type: multipart/mixed; boundary=b\n\n" * 3_000
)
@example(b"From: a@example.com\n\n" + b" \n" * 200_000)
@example(b"From: a@example.com\n\n" + b"On " * 200_000)
@example(b"From: a@example.com\nContent-Type: text/html\n\n" + b"<blockquote>" * 100_000)
def test_mail_shaped_junk_is_read_or_refused(raw):
    assert_read_or_refused(raw)


@pytest.mark.parametrize("name", sorted(FIXTURES))
def test_every_real_fixture_is_read_and_bounded(name):
    assert_bounded(parse_mail(FIXTURES[name]))
    assert_seen_by_the_first_look(mail_look(FIXTURES[name]), parse_mail(FIXTURES[name]))
