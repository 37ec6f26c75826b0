"""Mail from unknown senders: who may see it, and turning it into contacts once its sender is known.

A shared mailbox keeps mail from addresses nobody in the directory has (messaging.UnknownSender). Its owner adds the
sender as a person, or as another address of someone's; from then on the mail is the person's, logged through the
one touch service (crm.services.contact_log) like the sync's, and the kept rows go.
"""

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from crm.models import Contact, Influencer
from crm.services import contact_log, influencer_address_add, influencer_create, person_lock
from messaging.models import UnknownSender
from messaging.selectors import mail_relationship


def may_see_all_mailboxes(user) -> bool:
    """Managers see the mail from unknown senders of every shared mailbox (the permission only they hold)."""
    return user.has_perm("messaging.delete_unknownsender")


def unknown_senders_for(user) -> QuerySet[UnknownSender]:
    """The mail from unknown senders `user` may see and act on: that of the shared mailboxes they own, or every
    shared mailbox's for a manager. Newest first."""
    rows = UnknownSender.objects.filter(mailbox__shared=True)
    if not may_see_all_mailboxes(user):
        rows = rows.filter(mailbox__owner=user)
    return rows.order_by("-received_at", "-pk")


def same_sender(row: UnknownSender, *, user) -> QuerySet[UnknownSender]:
    """Every mail `user` may see from the sender of `row` (however the address is spelt)."""
    return unknown_senders_for(user).filter(email_key=row.email_key)


def unknown_senders_log(*, rows: Iterable[UnknownSender], influencer: Influencer, by) -> int:
    """Log each mail as an inbound e-mail with `influencer`, then delete the rows; returns how many contacts were
    added (a mail already logged with them, by its Message-ID, is not logged again). All or nothing."""
    logged = 0
    with transaction.atomic():
        # The person first, as every touch takes them (crm.services.locks), then the rows: two owners acting on
        # the same mail wait for each other, and the second finds the rows gone.
        person_lock(influencer_id=influencer.pk)
        for row in UnknownSender.objects.select_for_update().filter(pk__in=[r.pk for r in rows]).order_by("pk"):
            touch = contact_log(
                influencer=influencer,
                by=by,
                kind=Contact.Kind.EMAIL,
                direction=Contact.Direction.INBOUND,
                summary=row.summary,
                occurred_at=row.received_at,
                relationship=mail_relationship(influencer=influencer, thread_ids=row.thread_ids.split()),
                message_id=row.message_id,
            )
            logged += touch.created
            row.delete()
    return logged


def unknown_sender_add_to(*, row: UnknownSender, influencer: Influencer, by) -> int:
    """The sender's address becomes another address of `influencer`, and every mail `by` may see from it is logged
    with them, in one transaction. Returns how many contacts were added."""
    with transaction.atomic():
        influencer_address_add(influencer=influencer, by=by, email=row.email)
        return unknown_senders_log(rows=same_sender(row, user=by), influencer=influencer, by=by)


def unknown_sender_add_person(*, row: UnknownSender, by, **fields) -> tuple[Influencer, int]:
    """Add the sender as a new person (`fields` as crm.services.influencer_create takes them, their e-mail the
    sender's), and log every mail `by` may see from them, in one transaction. Returns (person, contacts added)."""
    with transaction.atomic():
        person = influencer_create(by=by, **fields)
        if not person.email_key or person.email_key != row.email_key:
            known = {address.email_key for address in person.addresses.all()}
            if row.email_key not in known:
                raise ValidationError(
                    {"email": _("Keep the sender's address, %(email)s, as one of theirs.") % {"email": row.email}}
                )
        return person, unknown_senders_log(rows=same_sender(row, user=by), influencer=person, by=by)


def unknown_sender_dismiss(*, row: UnknownSender, by) -> None:
    """Forget one mail from an unknown sender: nothing is logged."""
    UnknownSender.objects.filter(pk=row.pk).delete()
