"""Everything that puts a message in the outbox, changes or cancels one.

Putting a message in the outbox never talks to the broker: the dispatcher (messaging.delivery) picks due
rows every minute. So a web request that queues a thank-you succeeds even while Redis is down.
"""

import uuid
from datetime import datetime, timedelta
from email.utils import make_msgid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from campaigns.models import Relationship
from core.rules import team_rules
from core.validators import CLOCK_SKEW
from crm.addresses import email_key
from crm.models import BouncingAddress, Influencer
from messaging import emails
from messaging.models import Message
from messaging.timezones import next_sending_time

Kind = Message.Kind
Status = Message.Status


def new_message_id() -> str:
    domain = settings.DEFAULT_FROM_EMAIL.rsplit("@", 1)[-1].strip(" >") or "localhost"
    return make_msgid(idstring=uuid.uuid4().hex[:8], domain=domain)


def departure_time(send_at: datetime, *, kind: str, influencer: Influencer | None) -> datetime:
    """When a message asked for at `send_at` leaves: mail to a person waits for their sending hours.

    Stored as the message's send_at when it is queued or rescheduled, so every page shows the time it really
    leaves (the dispatcher still holds what falls outside the hours later, if the person's zone changes).
    """
    if kind in Message.TO_INFLUENCERS and influencer is not None:
        return next_sending_time(send_at, influencer.timezone)
    return send_at


def message_queue(*, key: str, **fields) -> tuple[Message, bool]:
    """Insert an outbox row unless one with `key` exists; returns (message, created).

    The unique key, not a prior check, is what makes a second copy impossible: two processes queueing the same
    reminder at once both try, and the database keeps one.
    """
    try:
        with transaction.atomic():
            return Message.objects.create(key=key, message_id=new_message_id(), **fields), True
    except IntegrityError:
        existing = Message.objects.filter(key=key).first()
        if existing is None:
            raise
        return existing, False


def thank_you_queue(*, relationship: Relationship, by) -> Message:
    """Queue the closing thank-you (E1), listing the open campaigns that fit the person (E2).

    It leaves after THANK_YOU_DELAY_MINUTES, so the marketer can still edit or cancel it, and in the person's
    sending hours.
    """
    influencer = relationship.influencer
    subject, body = emails.thank_you_content(relationship=relationship, sender=relationship.owner or by)
    message, _created = message_queue(
        key=f"thank_you:{relationship.pk}",
        kind=Kind.THANK_YOU,
        recipient=influencer.email,
        influencer=influencer,
        relationship=relationship,
        language=emails.language_for(influencer),
        subject=subject,
        body=body,
        send_at=departure_time(
            timezone.now() + timedelta(minutes=team_rules().thank_you_delay_minutes),
            kind=Kind.THANK_YOU,
            influencer=influencer,
        ),
        created_by=by,
    )
    return message


# Why nothing can be e-mailed to a person, in the words of each place that refuses: (opted out, no address).
_NO_FOLLOW_UP = (
    gettext_lazy("%(person)s opted out of e-mails: no follow-up can be scheduled."),
    gettext_lazy("%(person)s has no e-mail address. Add one first."),
)
_NO_THANK_YOU = (gettext_lazy("%(person)s opted out of e-mails."), gettext_lazy("%(person)s has no e-mail address."))
# Why a message to someone who opted out is cancelled: by the opt-out itself, or by the sender at send time.
OPTED_OUT = gettext_lazy("The person opted out.")


def bounce_text(bouncing: BouncingAddress) -> str:
    """Why nothing goes to a bouncing address, stored on a message that failed for it (and shown where failed
    messages are shown)."""
    why = " ".join(filter(None, [bouncing.status, bouncing.diagnostic]))
    return _("The address bounces: %(email)s since %(date)s%(why)s.") % {
        "email": bouncing.email,
        "date": timezone.localdate(bouncing.since).isoformat(),
        "why": f" ({why})" if why else "",
    }


def bouncing_address(address: str) -> BouncingAddress | None:
    """The bounce recorded for `address` (however spelt), or None: mail to it would come back."""
    key = email_key(address)
    return BouncingAddress.objects.filter(email_key=key).first() if key else None


def _unreachable(influencer: Influencer, texts: tuple) -> str:
    # The opt-out first: an opted-out person is told so even when their address is gone too.
    opted_out, no_address = texts
    if influencer.is_opted_out:
        return opted_out % {"person": influencer}
    if not influencer.email:
        return no_address % {"person": influencer}
    if bouncing := bouncing_address(influencer.email):
        return bounce_text(bouncing)
    return ""


def follow_up_refusal(*, influencer: Influencer) -> str:
    """Why no follow-up can be scheduled to this person (opted out, no address, it bounces); empty when one can."""
    return _unreachable(influencer, _NO_FOLLOW_UP)


def thank_you_refusal(*, influencer: Influencer) -> str:
    """Why no thank-you can go to this person (opted out, no address, it bounces); empty when one can."""
    return _unreachable(influencer, _NO_THANK_YOU)


def follow_up_schedule(
    *,
    influencer: Influencer,
    by,
    subject: str,
    body: str,
    send_at: datetime,
    cancel_if_reply: bool = False,
    relationship: Relationship | None = None,
) -> Message:
    """Schedule a follow-up written (or adapted from a template) by a marketer."""
    subject, body = (subject or "").strip(), (body or "").strip()
    errors = {}
    if refusal := follow_up_refusal(influencer=influencer):
        errors["influencer"] = refusal
    if not subject:
        errors["subject"] = _("Give the follow-up a subject.")
    if not body:
        errors["body"] = _("Write the follow-up.")
    if send_at < timezone.now() - CLOCK_SKEW:
        errors["send_at"] = _("Pick a time in the future.")
    if relationship is not None and relationship.influencer_id != influencer.pk:
        errors["relationship"] = _("This relationship is not with %(person)s.") % {"person": influencer}
    if errors:
        raise ValidationError(errors)
    message, _created = message_queue(
        key=f"follow_up:{uuid.uuid4().hex}",
        kind=Kind.FOLLOW_UP,
        recipient=influencer.email,
        influencer=influencer,
        relationship=relationship,
        language=emails.language_for(influencer),
        subject=subject,
        body=emails.with_signature(body, by),
        send_at=departure_time(send_at, kind=Kind.FOLLOW_UP, influencer=influencer),
        cancel_if_reply=cancel_if_reply,
        created_by=by,
    )
    return message


def _not_editable(message: Message) -> ValidationError:
    return ValidationError(
        _("This message is %(status)s: it can no longer be changed.") % {"status": message.get_status_display()},
        code="not_editable",
    )


def message_edit(*, message: Message, by, subject: str, body: str, send_at: datetime | None = None) -> Message:
    """Change a message that has not gone yet. The conditional update loses cleanly against the dispatcher."""
    subject, body = (subject or "").strip(), (body or "").strip()
    if not subject or not body:
        raise ValidationError(_("A message needs a subject and a body."), code="empty")
    changes = {"subject": subject, "body": body, "updated_at": timezone.now()}
    if send_at is not None:
        changes["send_at"] = departure_time(send_at, kind=message.kind, influencer=message.influencer)
    if Message.objects.filter(pk=message.pk, status=Status.SCHEDULED).update(**changes) != 1:
        message.refresh_from_db()
        raise _not_editable(message)
    message.refresh_from_db()
    return message


def message_cancel(*, message: Message, by, reason: str = "") -> Message:
    """Cancel a message that has not gone yet, or one that failed (it will not be retried)."""
    note = reason or _("Cancelled by %(user)s.") % {"user": by}
    if (
        Message.objects.filter(pk=message.pk, status__in=Message.CANCELLABLE).update(
            status=Status.CANCELLED, last_error=note, updated_at=timezone.now()
        )
        != 1
    ):
        message.refresh_from_db()
        raise _not_editable(message)
    message.refresh_from_db()
    return message


def message_retry(*, message: Message, by) -> Message:
    """Put a failed follow-up or thank-you back in the outbox, to leave now (in the person's sending hours).

    It goes to the person's address of today (the failure may have been an old one) with its attempts counted
    afresh. Refused, with a reason a person can read, when it is not failed any more, or when nothing can go to
    the person (opted out, no address, it bounces): it would only fail again.
    """
    if message.status != Status.FAILED:
        raise _not_retryable(message)
    influencer = message.influencer
    texts = _NO_THANK_YOU if message.kind == Kind.THANK_YOU else _NO_FOLLOW_UP
    if influencer is None or message.kind not in Message.TO_INFLUENCERS:
        raise ValidationError(_("Only a follow-up or a thank-you to a person can be retried."), code="not_to_a_person")
    if refusal := _unreachable(influencer, texts):
        raise ValidationError(refusal, code="unreachable")
    changes = {
        "status": Status.SCHEDULED,
        "recipient": influencer.email,
        "send_at": departure_time(timezone.now(), kind=message.kind, influencer=influencer),
        "attempts": 0,
        "last_error": "",
        "claim": "",
        "claimed_at": None,
        "updated_at": timezone.now(),
    }
    # Conditional on "failed": of two clicks on Retry (or a Retry and a Cancel), one wins and the other is told.
    if Message.objects.filter(pk=message.pk, status=Status.FAILED).update(**changes) != 1:
        message.refresh_from_db()
        raise _not_retryable(message)
    message.refresh_from_db()
    return message


def _not_retryable(message: Message) -> ValidationError:
    return ValidationError(
        _("This message is %(status)s: only a failed message can be retried.")
        % {"status": message.get_status_display()},
        code="not_failed",
    )


def follow_ups_cancel_on_reply(*, influencer: Influencer) -> int:
    """An inbound contact cancels the scheduled follow-ups marked "cancel if they reply"."""
    return Message.objects.filter(
        influencer=influencer, kind=Kind.FOLLOW_UP, status=Status.SCHEDULED, cancel_if_reply=True
    ).update(status=Status.CANCELLED, last_error=_("They replied before it went."), updated_at=timezone.now())


def messages_cancel_for_opt_out(*, influencer: Influencer) -> int:
    """An opt-out stops every message to the person that has not gone yet."""
    return Message.objects.filter(
        influencer=influencer, kind__in=Message.TO_INFLUENCERS, status=Status.SCHEDULED
    ).update(status=Status.CANCELLED, last_error=str(OPTED_OUT), updated_at=timezone.now())
