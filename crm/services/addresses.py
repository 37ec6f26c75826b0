"""A person's other e-mail addresses, and clearing a bounce.

A key (crm.addresses.email_key) belongs to one person, across primary and other addresses: the mailbox finds the
person by it, so two owners of one address would make a mail belong to whoever the query met first.
"""

from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils.translation import gettext as _

from crm.addresses import email_key
from crm.models import BouncingAddress, Influencer, InfluencerAddress
from crm.selectors import people_with_email
from crm.services.locks import person_lock

MAX_ADDRESSES = 20  # other addresses of one person: a form's list, bounded like the channels' inline


def email_taken_message(email: str) -> str:
    """Refusing a second person with an address (however spelt: crm.addresses) already in the directory."""
    return _("Someone in the directory already has the e-mail %(email)s.") % {"email": email}


def addresses_check(*, influencer: Influencer, emails: Iterable[str]) -> list[str]:
    """The other addresses `emails` would be for `influencer`, cleaned: blanks dropped, the first spelling of each
    key kept, in order. Refuses an invalid address, one someone else has (primary or other), the person's own
    primary address, and more than MAX_ADDRESSES. `influencer` may be unsaved (a person being added)."""
    kept: dict[str, str] = {}
    problems = []
    primary = email_key(influencer.email)
    for raw in emails:
        address = (raw or "").strip()
        if not address:
            continue
        try:
            validate_email(address)
        except ValidationError:
            problems.append(_("“%(email)s” is not an e-mail address.") % {"email": address})
            continue
        key = email_key(address)
        if key == primary:
            problems.append(_("%(email)s is already their main e-mail.") % {"email": address})
        elif key not in kept:
            if people_with_email(address, besides=influencer).exists():
                problems.append(email_taken_message(address))
            kept[key] = address
    if len(kept) > MAX_ADDRESSES:
        problems.append(_("At most %(count)d other e-mail addresses.") % {"count": MAX_ADDRESSES})
    if problems:
        raise ValidationError({"addresses": problems}, code="addresses")
    return list(kept.values())


def influencer_addresses_set(*, influencer: Influencer, by, emails: Iterable[str]) -> list[InfluencerAddress]:
    """Make `emails` the person's other addresses: new ones added, missing ones removed, a kept one's spelling
    updated. Checked as addresses_check says; runs under the person's lock (as every change to a person)."""
    with transaction.atomic():
        locked = person_lock(influencer_id=influencer.pk)
        wanted = {email_key(address): address for address in addresses_check(influencer=locked, emails=emails)}
        current = {row.email_key: row for row in locked.addresses.all()}
        InfluencerAddress.objects.filter(pk__in=[row.pk for key, row in current.items() if key not in wanted]).delete()
        rows = []
        for key, address in wanted.items():
            row = current.get(key) or InfluencerAddress(influencer=locked)
            if row.email != address:
                row.email = address
                row.save()
            rows.append(row)
    return rows


def influencer_address_add(*, influencer: Influencer, by, email: str) -> InfluencerAddress:
    """Add one other address to a person (the mailbox's "add this address to …"); checked as addresses_check says.
    Returns the row, the existing one when the person has it already."""
    with transaction.atomic():
        locked = person_lock(influencer_id=influencer.pk)
        existing = locked.addresses.filter(email_key=email_key(email)).first()
        if existing is not None:
            return existing
        [address] = addresses_check(influencer=locked, emails=[email]) or [""]
        if not address:
            raise ValidationError({"addresses": _("Give an e-mail address.")}, code="addresses")
        return InfluencerAddress.objects.create(influencer=locked, email=address)


def may_clear_bounce(*, influencer: Influencer, by) -> bool:
    """The person's owner, or a manager (who may change anyone's data: the permission to delete people)."""
    return by.is_active and (influencer.owner_id == by.pk or by.has_perm("crm.delete_influencer"))


def address_bounce_clear(*, influencer: Influencer, bouncing: BouncingAddress, by) -> None:
    """ "It works again": the address is no longer treated as bouncing, so mail to it goes again.

    Only for one of the person's own addresses, by their owner or a manager: clearing sends mail to an address
    a server refused, which the person's owner answers for.
    """
    if not may_clear_bounce(influencer=influencer, by=by):
        raise PermissionDenied(_("Only the person's owner or a manager can say their address works again."))
    keys = {influencer.email_key, *influencer.addresses.values_list("email_key", flat=True)}
    if bouncing.email_key not in keys:
        raise ValidationError(
            _("%(email)s is not an address of %(person)s.") % {"email": bouncing, "person": influencer}
        )
    BouncingAddress.objects.filter(pk=bouncing.pk).delete()


def bounces_clear(*, bouncing: list[BouncingAddress], by) -> int:
    """ "It works again" for several addresses at once (the admin's list): each by the rule of address_bounce_clear
    when it is a person's, by a manager only when nobody has it any more. Returns how many were cleared."""
    if not by.has_perm("crm.view_bouncingaddress"):
        raise PermissionDenied(_("Only a manager can say these addresses work again."))
    cleared = 0
    for row in bouncing:
        person = people_with_email(row.email).first()
        if person is not None:
            address_bounce_clear(influencer=person, bouncing=row, by=by)
        elif not by.has_perm("crm.delete_influencer"):
            raise PermissionDenied(_("Only a manager can say these addresses work again."))
        else:
            BouncingAddress.objects.filter(pk=row.pk).delete()
        cleared += 1
    return cleared
