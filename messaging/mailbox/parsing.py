"""One raw mail, as bytes from a mailbox, read into what the mailbox keeps of it: `parse_mail`.

The mail is hostile until parsed: `parse_mail` never raises on any input but `UnreadableMail`, for a mail that
cannot be read at all (empty, larger than MAX_MAIL_BYTES, no headers), and everything it keeps is bounded (see the
MAX_ constants). A header that cannot be decoded is read as well as it can be and never loses the others.
"""

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import EmailMessage, Message
from email.parser import BytesHeaderParser, BytesParser
from email.policy import EmailPolicy, compat32
from email.utils import parsedate_to_datetime
from html.parser import HTMLParser

from mailparser_reply import EmailMessage as ReplyText

from crm.addresses import email_key
from messaging.mailbox.automatic import automatic_reason
from messaging.mailbox.bounces import DeliveryReport, delivery_report
from messaging.mailbox.headers import (
    MAX_RAW_TEXT,
    address_pairs,
    message_ids,
    normalise_message_id,
    raw_values,
    text,
)

# Callers refuse larger mails before fetching their bodies (the IMAP RFC822.SIZE); parse_mail refuses them too.
MAX_MAIL_BYTES = 30 * 1024 * 1024
MAX_SUBJECT = 500
MAX_NAME = 200
MAX_ADDRESS = 320  # RFC 3696's longest address
MAX_RECIPIENTS = 500  # To and Cc together
MAX_ADDRESS_HEADER_CHARS = 100_000  # room for MAX_RECIPIENTS addresses with long display names
MAX_REFERENCES = 50
MAX_REFERENCES_CHARS = 50_000  # read no further into a References header: a thread's ids are short
MAX_NEW_TEXT = 600
# The new text is at the top of a reply: the reply parser reads no further than this (its expressions are not
# linear on every input), and an HTML body is converted no further than MAX_HTML.
MAX_BODY_TEXT = 5_000
MAX_LINE = 1_000  # more than MAX_NEW_TEXT: one long paragraph is kept whole
MAX_HTML = 500_000
MAX_BODY_BYTES = 2 * 1024 * 1024
REPLY_LANGUAGES = ["en", "fr"]
WRAPPED_QUOTE_HEADER = re.compile(
    r"^((?:On|Le)\s[^\n]{0,300})\n([^\n]{0,300}(?:wrote|[ée]crit)\s*:)[ \t]*$", re.MULTILINE
)
LINE_ENDS = re.compile(r"[\r\n]")
BLANK_RUNS = re.compile(r"\n{3,}")
QUOTED_LINE = re.compile(r"^[ \t]*>", re.MULTILINE)


class _PlainHeaders(EmailPolicy):
    """policy.default's MIME tree (get_body, iter_parts) with header values fetched as plain strings: what is read
    of a part's headers (type, charset, disposition, transfer encoding) needs no header object, and building one
    each time cost a third of a parse (headers.py reads the values a mail keeps from the raw ones anyway)."""

    def header_fetch_parse(self, name: str, value: str) -> str:
        if hasattr(value, "name"):
            return value
        return LINE_ENDS.sub("", value)


PLAIN_HEADERS = _PlainHeaders()


class UnreadableMail(Exception):
    """A mail that cannot be read at all; `reason` says why in words a person understands."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Address:
    address: str  # as written, stripped
    name: str  # the display name, decoded; "" when none
    key: str  # crm.addresses.email_key(address): what the mailbox compares with a person's addresses


@dataclass(frozen=True)
class ParsedMail:
    message_id: str  # normalise_message_id: no angle brackets, domain lower-cased; "" when absent
    in_reply_to: str  # normalised the same way; "" when absent
    references: tuple[str, ...]  # at most MAX_REFERENCES: the thread's root and the latest ones
    sender: Address | None  # the first From address; None when there is none
    to: tuple[Address, ...]
    cc: tuple[Address, ...]
    recipients_truncated: bool  # To and Cc had more than MAX_RECIPIENTS addresses (or MAX_ADDRESS_HEADER_CHARS)
    date: datetime | None  # aware, in UTC; None when missing or unreadable
    subject: str  # decoded, on one line, at most MAX_SUBJECT characters
    new_text: str  # this mail's own words (no quoted history, no signature), on one line, at most MAX_NEW_TEXT
    automatic: str  # "" for a mail a person wrote, else why it is automatic (automatic.automatic_reason)
    report: DeliveryReport | None  # what a delivery status notification reports; None for any other mail


@dataclass(frozen=True)
class MailLook:
    """What a mail's headers alone say: enough to know whether it can matter before its body is read."""

    keys: frozenset[str]  # the address keys of From, Sender, To and Cc: every key parse_mail keeps, maybe more
    report: bool  # its Content-Type may be multipart/report: perhaps a delivery report


def mail_look(raw: bytes) -> MailLook:
    """A first look at `raw`, its headers only: refused as parse_mail refuses it (UnreadableMail only), and
    bounded as parse_mail is. A mail whose look finds no known address and no report can be passed over unread:
    parse_mail would find no one either."""
    _refuse_size(raw)
    try:
        # The parser stops at the first blank line anyway; cut there so that it never walks the body's lines.
        message = BytesHeaderParser(policy=compat32).parsebytes(raw[: _headers_end(raw)])
        headers = raw_values(message)
    except Exception as error:  # the parser itself is lenient; this is a safety net
        raise UnreadableMail("Its structure cannot be read.") from error
    _refuse_headerless(headers)
    keys: set[str] = set()
    for name in ("from", "sender", "to", "cc"):
        if name not in headers:
            continue
        pairs, _truncated = address_pairs(headers[name], max_chars=MAX_ADDRESS_HEADER_CHARS)
        for _name, address in pairs:
            address = address.strip()
            if "@" in address and len(address) <= MAX_ADDRESS:
                keys.add(email_key(address))
    content_type = " ".join(headers.get("content-type", []))[:MAX_RAW_TEXT].lower()
    return MailLook(keys=frozenset(keys), report="report" in content_type)


def _headers_end(raw: bytes) -> int:
    """Past the first blank line (in any of the line ends the parser knows), or the whole mail when none is seen:
    never before the end of the headers, so the parser reads them all."""
    ends = [i for i in (raw.find(b"\n\n"), raw.find(b"\r\r"), raw.find(b"\n\r\n")) if i >= 0]
    return min(ends) + 3 if ends else len(raw)


def _refuse_size(raw: bytes) -> None:
    if not raw or not raw.strip():
        raise UnreadableMail("The mail is empty.")
    if len(raw) > MAX_MAIL_BYTES:
        raise UnreadableMail(f"The mail is larger than {MAX_MAIL_BYTES // (1024 * 1024)} MB.")


def _refuse_headerless(headers: dict[str, list[str]]) -> None:
    if not headers.keys() & {"from", "to", "cc", "subject", "date", "message-id"}:
        raise UnreadableMail("It has none of the headers a mail has (From, To, Subject, Date, Message-ID).")


def parse_mail(raw: bytes) -> ParsedMail:
    """The mail in `raw` (RFC 5322 bytes), read; raises UnreadableMail only."""
    _refuse_size(raw)
    try:
        message = BytesParser(policy=PLAIN_HEADERS).parsebytes(raw)
        headers = raw_values(message)
    except RecursionError as error:
        raise UnreadableMail("Its parts are nested too deeply to be read.") from error
    except Exception as error:  # the parser itself is lenient; this is a safety net
        raise UnreadableMail("Its structure cannot be read.") from error
    _refuse_headerless(headers)

    subject = text(_first(headers, "subject"), limit=MAX_SUBJECT)
    senders, _ = _addresses(headers.get("from", []) or headers.get("sender", []), limit=1)
    to, to_truncated = _addresses(headers.get("to", []), limit=MAX_RECIPIENTS)
    cc, cc_truncated = _addresses(headers.get("cc", []), limit=MAX_RECIPIENTS - len(to))
    sender = senders[0] if senders else None
    report = _guarded(lambda: delivery_report(message), None)
    # A bounce says it is automatic in several ways; "delivery report" says the most.
    automatic = (
        "delivery report" if report else automatic_reason(headers, sender=sender.key if sender else "", subject=subject)
    )
    return ParsedMail(
        message_id=normalise_message_id(_first(headers, "message-id")),
        in_reply_to=normalise_message_id(_first(headers, "in-reply-to")),
        references=message_ids(" ".join(headers.get("references", []))[:MAX_REFERENCES_CHARS], limit=MAX_REFERENCES),
        sender=sender,
        to=to,
        cc=cc,
        recipients_truncated=to_truncated or cc_truncated,
        date=_date(_first(headers, "date")),
        subject=subject,
        new_text=_guarded(lambda: _new_text(message), ""),
        automatic=automatic,
        report=report,
    )


def _guarded(read, fallback):
    """What `read()` returns, or `fallback` when the email package trips over the mail's content."""
    try:
        return read()
    except Exception:  # IndexError, AttributeError, LookupError, RecursionError … from deep in the email package
        return fallback


def _first(headers: dict[str, list[str]], name: str) -> str:
    values = headers.get(name)
    return values[0] if values else ""


def _addresses(values: list[str], *, limit: int) -> tuple[tuple[Address, ...], bool]:
    pairs, truncated = address_pairs(values, max_chars=MAX_ADDRESS_HEADER_CHARS)
    kept: dict[str, Address] = {}
    for name, address in pairs:
        address = address.strip()
        if "@" not in address or len(address) > MAX_ADDRESS:
            continue
        key = email_key(address)
        if key in kept:
            continue
        if len(kept) >= limit:
            return tuple(kept.values()), True
        kept[key] = Address(address=address, name=text(name, limit=MAX_NAME), key=key)
    return tuple(kept.values()), truncated


def _date(value: str) -> datetime | None:
    try:
        moment = parsedate_to_datetime(value[:200])
        # "-0000" (or no zone at all) means "zone unknown": read as UTC, the closest honest guess.
        return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None


def _new_text(message: EmailMessage) -> str:
    """The words of this mail only: text/plain (else HTML made text), without the quoted history or signature."""
    part = message.get_body(preferencelist=("plain", "html"))
    if part is None:
        return ""
    body = _decoded(part)
    if part.get_content_subtype() == "html":
        body = html_to_text(body[:MAX_HTML])
    return new_text(body)


def _decoded(part: Message) -> str:
    data = part.get_payload(decode=True)
    if not isinstance(data, bytes):
        return ""
    data = data[:MAX_BODY_BYTES]
    charset = str(part.get_content_charset() or "utf-8")
    try:
        return data.decode(charset, "replace")
    except LookupError:  # an unknown charset: most mail is UTF-8, and "replace" keeps the rest readable
        return data.decode("utf-8", "replace")


def new_text(body: str) -> str:
    """The text of a reply without its quoted history and signature, on one line, at most MAX_NEW_TEXT characters.

    mail-parser-reply splits a body at "On … wrote:", "Le … a écrit :", Outlook's "From: … Sent: …" block and
    "-----Original Message-----", and finds signatures ("-- ", "Best regards", "Cordialement", "Sent from my …").
    """
    # The parser's expressions are quadratic on long lines and on long runs of blank lines:
    # lines are cut, blank runs collapsed, and the text bounded, which a reply's first words never need.
    lines = (
        line.strip()[:MAX_LINE]
        for line in body[:MAX_BODY_TEXT].replace("\xa0", " ").replace("\u202f", " ").splitlines()
    )
    body = BLANK_RUNS.sub("\n\n", "\n".join(lines))
    # Gmail wraps a long "On … wrote:" line in two; the parser looks for it on one.
    body = WRAPPED_QUOTE_HEADER.sub(r"\1 \2", body)
    parsed = ReplyText(text=body, languages=list(REPLY_LANGUAGES), keep_hyphen_lists=True).read()
    if not parsed.replies or parsed.replies[0].headers:
        return ""  # the mail opens with a quote: nothing of its own (a forward without a word)
    words = parsed.replies[0].body
    quoted = QUOTED_LINE.search(words)
    if quoted:  # a quote under a header the parser does not know
        words = words[: quoted.start()]
    return " ".join(words.split())[:MAX_NEW_TEXT]


class _HtmlText(HTMLParser):
    """The visible text of an HTML body, without quoted history where the client marks it as such."""

    BLOCKS = {"p", "div", "br", "tr", "li", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "table", "pre"}
    HIDDEN = {"head", "style", "script", "title", "blockquote"}
    QUOTES = {"gmail_quote", "gmail_signature", "gmail_signature_prefix", "moz-signature", "moz-cite-prefix"}
    # Outlook (web and new desktop) puts the quoted mail's header and body after one of these, not inside it.
    HISTORY = {"appendonsend", "divRplyFwdMsg"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.chunks: list[str] = []
        self.skipping: str = ""  # the tag of the element whose whole subtree is skipped
        self.depth = 0
        self.stopped = False  # past the point where a client starts the quoted history

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self.skipping:
            self.depth += tag == self.skipping
            return
        attributes = dict(attrs)
        if attributes.get("id") in self.HISTORY:
            self.stopped = True
        classes = (attributes.get("class") or "").split()
        # Gmail's and Thunderbird's quote and signature; Apple Mail and Thunderbird quote in a <blockquote>.
        if tag in self.HIDDEN or self.QUOTES & set(classes):
            self.skipping, self.depth = tag, 1
        elif tag in self.BLOCKS:
            self.chunks.append("\n")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if not self.skipping and tag in self.BLOCKS:
            self.chunks.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if self.skipping:
            if tag == self.skipping:
                self.depth -= 1
                if not self.depth:
                    self.skipping = ""
        elif tag in self.BLOCKS:
            self.chunks.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.skipping and not self.stopped:
            self.chunks.append(data)


def html_to_text(html: str) -> str:
    """The text a person sees in an HTML mail, one block per line (stdlib html.parser, no dependency)."""
    parser = _HtmlText()
    parser.feed(html)
    parser.close()
    lines = (" ".join(line.split()) for line in "".join(parser.chunks).split("\n"))
    return "\n".join(line for line in lines if line)


def mail_summary(mail: ParsedMail) -> str:
    """What the contact log keeps of a mail: its subject and its own words, on one line (the body is not kept)."""
    subject = mail.subject or "(no subject)"
    return f"{subject} — {mail.new_text}" if mail.new_text else subject
