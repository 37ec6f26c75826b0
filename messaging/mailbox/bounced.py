"""What a delivery report read in a mailbox changes: the outbox message it is about, and the address it names.

A bounce is never a contact. A permanent one (5.x.x) fails the message and marks the address bouncing
(crm.BouncingAddress, keyed by the address: the person's next address is not bouncing); a temporary one (4.x.x,
"delayed") is only noted on the message, whose own retries decide.
"""

from dataclasses import dataclass
from datetime import datetime

from django.db import transaction

from crm.addresses import email_key
from crm.models import BouncingAddress
from crm.selectors import people_by_email_keys
from messaging.mailbox.bounces import MAX_DIAGNOSTIC, DeliveryReport
from messaging.models import Message
from messaging.selectors import outbox_ids


@dataclass(frozen=True)
class Bounce:
    """What bounce_record did: the outbox message it found (None: not ours), and the address now bouncing."""

    message: Message | None
    bouncing: str  # the address marked bouncing; "" when none


def _words(prefix: str, report: DeliveryReport) -> str:
    return " ".join(part for part in (prefix, report.status, report.diagnostic) if part)[:MAX_DIAGNOSTIC]


@transaction.atomic
def bounce_record(*, report: DeliveryReport, at: datetime) -> Bounce:
    """Record a delivery report received at `at` on the outbox message it names and on the address it names."""
    message = None
    if report.original_message_id:
        message = (
            Message.objects.select_for_update(of=("self",))
            .filter(message_id__in=outbox_ids([report.original_message_id]))
            # An erased person's messages keep their Message-ID (a technical key) and nothing else: a report on
            # one would write their address back, on the message and as a bouncing address. It is nobody's now.
            .exclude(influencer__erased_at__isnull=False)
            .first()
        )
    temporary = not report.permanent and (report.action == "delayed" or report.status.startswith("4"))
    if temporary:
        if message is not None:
            message.last_error = _words("Delayed:", report)
            message.save(update_fields=["last_error", "updated_at"])
        return Bounce(message, "")
    if not report.permanent:
        return Bounce(message, "")  # "delivered", "relayed": nothing went wrong

    if message is not None:
        # Whatever its status: a message the SMTP server took ("sent") can still be refused further on.
        message.status = Message.Status.FAILED
        message.last_error = _words("Bounced:", report)
        message.save(update_fields=["status", "last_error", "updated_at"])
    recipient = report.recipient or (message.recipient if message is not None else "")
    key = email_key(recipient)
    # A mail not in the outbox (a marketer's own, from their mail client) marks the address only when it is a
    # person's: the team has no business keeping strangers' addresses.
    if not key or (message is None and key not in people_by_email_keys([key])):
        return Bounce(message, "")
    BouncingAddress.objects.update_or_create(
        email_key=key,
        defaults={
            "email": recipient[:254],
            "status": report.status[:12],
            "diagnostic": report.diagnostic[:500],
            "since": at,
        },
    )
    return Bounce(message, recipient)
