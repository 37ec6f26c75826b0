"""The bytes an SMTP server receives for an outbox e-mail, written directly instead of through email.generator.

Django's SMTP backend turns an EmailMessage into MIME objects and flattens them with the stdlib's compat32
generator, which re-encodes and re-folds every header through email.header.Header and compiles a regular
expression per message to choose a boundary: more CPU per outbox message than everything else the worker does
for it (docs/PERFORMANCE.md, "Figures behind the code"). The outbox's e-mails have one shape (a text body, HTML
alternatives, plain headers), so they are written here as Django would write them: the same headers (newlines
refused as Django refuses them, non-ASCII values encoded as RFC 2047 words through the same Header class), UTF-8
parts in 8bit, or quoted-printable when a line is longer than SMTP allows. Any other shape goes through Django
(`envelope` returns None); backends that do not speak SMTP (anymail's APIs, locmem) take the EmailMessage itself.
"""

import functools
import re
import uuid
from email.header import Header
from email.utils import formatdate

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.core.mail.message import RFC5322_EMAIL_LINE_LENGTH_LIMIT, BadHeaderError, sanitize_address, utf8_charset_qp

# An address written as is in both the envelope and the To header: ASCII, no display name, nothing to quote.
PLAIN_ADDRESS = re.compile(r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9.-]+")
# The headers written from the EmailMessage's own fields; extra headers with these names are not repeated.
OWN_HEADERS = {"from", "to", "cc", "reply-to", "subject", "date", "mime-version", "content-type"}
NEWLINES = re.compile(r"\r\n|\r|\n")
CRLF = "\r\n"


def envelope(email: EmailMultiAlternatives) -> tuple[str, list[str], bytes] | None:
    """(sender, recipients, message bytes) for smtplib's sendmail, or None for a shape this does not write."""
    if email.cc or email.bcc or email.reply_to or email.attachments or len(email.to) != 1:
        return None
    if not email.alternatives or any(mimetype != "text/html" for _content, mimetype in email.alternatives):
        return None
    encoding = email.encoding or settings.DEFAULT_CHARSET
    if encoding.lower() != "utf-8":
        return None
    recipient = email.to[0]
    if not PLAIN_ADDRESS.fullmatch(recipient):
        return None
    sender = _sender(email.from_email)
    boundary = f"=_{uuid.uuid4().hex}"
    headers = [
        f'Content-Type: multipart/alternative;{CRLF} boundary="{boundary}"',
        "MIME-Version: 1.0",
        _header("Subject", email.subject, fold_at=78),
        _header("From", email.extra_headers.get("From", email.from_email), address=True),
        _header("To", recipient),
    ]
    names = {name.lower() for name in email.extra_headers}
    if "date" not in names:
        headers.append(f"Date: {formatdate(localtime=settings.EMAIL_USE_LOCALTIME)}")
    if "message-id" not in names:
        return None  # the outbox always names its messages; Django makes one up otherwise
    headers += [_header(name, value) for name, value in email.extra_headers.items() if name.lower() not in OWN_HEADERS]
    parts = [_part(email.body, email.content_subtype)]
    parts += [_part(content, "html") for content, _mimetype in email.alternatives]
    body = "".join(f"--{boundary}{CRLF}{part}{CRLF}" for part in parts) + f"--{boundary}--{CRLF}"
    return sender, [recipient], (CRLF.join(headers) + CRLF + CRLF + body).encode("utf-8")


@functools.lru_cache(maxsize=16)  # the same sender for every message: parsed once
def _sender(address: str) -> str:
    return address if PLAIN_ADDRESS.fullmatch(address) else sanitize_address(address, "utf-8")


def _header(name: str, value, *, fold_at: int = RFC5322_EMAIL_LINE_LENGTH_LIMIT, address: bool = False) -> str:
    value = str(value)
    if "\n" in value or "\r" in value:
        raise BadHeaderError(f"Header values can't contain newlines (got {value!r} for header {name!r})")
    if value.isascii():
        if len(name) + 2 + len(value) <= fold_at:
            return f"{name}: {value}"
        # Folded as Django folds a subject (at 78 columns), or a header longer than a line may be.
        return f"{name}: {Header(value, header_name=name).encode(linesep=CRLF)}"
    if address:
        return f"{name}: {sanitize_address(value, 'utf-8')}"
    return f"{name}: {Header(value, 'utf-8', header_name=name).encode(linesep=CRLF)}"


def _part(text: str, subtype: str) -> str:
    """One text part, its headers and its body, lines ending in CRLF (smtplib sends bytes as they are)."""
    lines = NEWLINES.split(text)
    if any(len(line.encode()) > RFC5322_EMAIL_LINE_LENGTH_LIMIT for line in lines):
        encoding, lines = "quoted-printable", NEWLINES.split(utf8_charset_qp.body_encode(text))
    else:
        encoding = "7bit" if text.isascii() else "8bit"
    head = f'Content-Type: text/{subtype}; charset="utf-8"{CRLF}MIME-Version: 1.0{CRLF}'
    return f"{head}Content-Transfer-Encoding: {encoding}{CRLF}{CRLF}{CRLF.join(lines)}"
