"""Delivery status notifications (RFC 3464): which message could not be delivered, to whom, and for how long.

A bounce is matched to the outbox message it reports on by the Message-ID of the original, which the reporting
server attaches as `message/rfc822` (Postfix, Gmail) or `text/rfc822-headers` (Exchange, Exim when asked for
headers only). One report per mail: the first recipient whose delivery failed, else the first one delayed (Gmail's
"mailbox full", 4.2.2), else the first listed. Our outbox sends one message per recipient, so a report on several
recipients does not occur for mail we match.

Only RFC 3464 reports (`multipart/report; report-type=delivery-status`) are read. Older free-text bounces (qmail's
"Hi. This is the qmail-send program", Exchange 2003's plain NDR) are not recognised as reports; they still come from
the null sender or a mailer-daemon, so they are logged as automatic mail, never as a reply.
"""

import re
from dataclasses import dataclass
from email.message import Message
from email.parser import HeaderParser
from email.policy import compat32

from messaging.mailbox.headers import normalise_message_id, raw_field

MAX_DIAGNOSTIC = 500
# A status is class.subject.detail (RFC 3463); anything else in the field is ignored.
STATUS = re.compile(r"\b([245])\.(\d{1,3})\.(\d{1,3})\b")
MAX_BLOCKS = 50


@dataclass(frozen=True)
class DeliveryReport:
    """What a bounce says about one recipient of the original message."""

    original_message_id: str  # normalised as ParsedMail.message_id; "" when the report names no original
    recipient: str  # the address that failed, as written by the reporting server; "" when it names none
    action: str  # failed, delayed, delivered, relayed, expanded (lower-case)
    status: str  # "5.1.1"; "" when the report has none
    permanent: bool  # a 5.x.x status: no use retrying, the address is bouncing
    diagnostic: str  # the remote server's words, at most MAX_DIAGNOSTIC characters


def delivery_report(message: Message) -> DeliveryReport | None:
    """The report carried by `message`, or None when it is not an RFC 3464 delivery status notification."""
    if message.get_content_type() != "multipart/report":
        return None
    if str(message.get_param("report-type", "", header="content-type")).lower() != "delivery-status":
        return None
    blocks: list[Message] = []
    original_id = ""
    for part in message.get_payload() if isinstance(message.get_payload(), list) else ():
        content_type = part.get_content_type()
        if content_type in ("message/delivery-status", "message/global-delivery-status") and not blocks:
            blocks = _blocks(part)
        elif content_type in ("message/rfc822", "message/global", "text/rfc822-headers") and not original_id:
            original_id = _original_id(part)
    recipients = blocks[1:]  # the first block is about the message, the others one recipient each
    if not recipients:
        return None
    chosen = _first(recipients, "failed") or _first(recipients, "delayed") or recipients[0]
    status_match = STATUS.search(raw_field(chosen, "status")) or STATUS.search(raw_field(chosen, "diagnostic-code"))
    status = ".".join(status_match.groups()) if status_match else ""
    action = raw_field(chosen, "action").lower()[:20]
    return DeliveryReport(
        original_message_id=original_id,
        recipient=_address(raw_field(chosen, "final-recipient") or raw_field(chosen, "original-recipient")),
        action=action,
        status=status,
        permanent=status.startswith("5") or (not status and action == "failed"),
        diagnostic=" ".join(raw_field(chosen, "diagnostic-code").split())[:MAX_DIAGNOSTIC],
    )


def _blocks(part: Message) -> list[Message]:
    """The field blocks of a delivery-status part: the email package parses them as messages of headers only, but
    a malformed part may come back as text, which is read block by block here."""
    payload = part.get_payload()
    if isinstance(payload, list):
        return [block for block in payload if isinstance(block, Message) and block.keys()][:MAX_BLOCKS]
    if isinstance(payload, str):
        text = payload.replace("\r\n", "\n")
        chunks = [chunk for chunk in re.split(r"\n\s*\n", text) if chunk.strip()][:MAX_BLOCKS]
        return [HeaderParser(policy=compat32).parsestr(chunk) for chunk in chunks]
    return []


def _original_id(part: Message) -> str:
    payload = part.get_payload()
    if isinstance(payload, list) and payload and isinstance(payload[0], Message):
        headers = payload[0]
    elif isinstance(payload, str):
        # text/rfc822-headers: the headers as text, possibly transfer-encoded.
        data = part.get_payload(decode=True) or b""
        headers = HeaderParser(policy=compat32).parsestr(data.decode("utf-8", "replace")[:100_000])
    else:
        return ""
    return normalise_message_id(raw_field(headers, "message-id"))


def _first(blocks: list[Message], action: str) -> Message | None:
    return next((block for block in blocks if raw_field(block, "action").strip().lower() == action), None)


def _address(field: str) -> str:
    """ "rfc822; lea@example.fr" → "lea@example.fr" (the address type is dropped; angle brackets too)."""
    address = field.split(";", 1)[-1].strip().strip("<>").strip()
    return address[:320] if "@" in address else ""
