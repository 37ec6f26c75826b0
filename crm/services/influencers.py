"""Adding people to the directory and editing them."""

from collections.abc import Iterable
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.rules import team_rules
from crm.models import Influencer, Topic
from crm.selectors import people_with_email
from crm.services.addresses import addresses_check, email_taken_message, influencer_addresses_set
from crm.services.locks import person_lock
from messaging.services import messages_cancel_for_opt_out

__all__ = ["email_taken_message", "influencer_create", "influencer_defaults", "influencer_update"]


def _email_taken_error(email: str) -> ValidationError:
    return ValidationError({"email": email_taken_message(email)})


def _check_cadence(cadence_days: int | None) -> None:
    """Refuse a cadence out of the model's bounds before a date is computed from it (it would overflow)."""
    try:
        Influencer._meta.get_field("cadence_days").run_validators(cadence_days)
    except ValidationError as invalid:
        raise ValidationError({"cadence_days": invalid.messages}) from None


def influencer_defaults(*, by, kind: str, cadence_days: int | None = None) -> dict:
    """What a new person gets, whoever adds them and however (by hand, or a file's import in bulk).

    Whoever adds them owns them. Brand ambassadors stay in touch between campaigns by default
    (AMBASSADOR_CADENCE_DAYS); cadence_days=0 switches that off. With a cadence, the person's own clock starts today.
    """
    if cadence_days is None and kind == Influencer.Kind.AMBASSADOR:
        cadence_days = team_rules().ambassador_cadence_days
    cadence_days = cadence_days or None
    _check_cadence(cadence_days)
    return {
        "owner": by,
        "cadence_days": cadence_days,
        "next_contact_due": timezone.localdate() + timedelta(days=cadence_days) if cadence_days else None,
    }


def influencer_create(
    *,
    by,
    name: str,
    email: str = "",
    kind: str = Influencer.Kind.BLOGGER,
    topics: Iterable[Topic | int] = (),
    cadence_days: int | None = None,
    addresses: Iterable[str] = (),
    **fields,
) -> Influencer:
    """Add a person. `fields` are other Influencer fields (city, region, language, owner…); see influencer_defaults.
    `addresses`: their other e-mail addresses (crm.services.addresses)."""
    defaults = influencer_defaults(by=by, kind=kind, cadence_days=cadence_days)
    fields.setdefault("owner", defaults.pop("owner"))
    email = (email or "").strip()

    influencer = Influencer(name=(name or "").strip(), email=email, kind=kind, **{**fields, **defaults})
    # The e-mail's uniqueness (as compared: crm.addresses) is checked here with a readable message; the
    # database constraint on its key still catches a concurrent twin below.
    influencer.full_clean(validate_constraints=False)
    if people_with_email(email).exists():
        raise _email_taken_error(email)
    others = addresses_check(influencer=influencer, emails=addresses)
    try:
        with transaction.atomic():
            influencer.save()
            influencer.topics.set(topics)
            if others:
                influencer_addresses_set(influencer=influencer, by=by, emails=others)
    except IntegrityError as clash:
        if people_with_email(email).exists():
            raise _email_taken_error(email) from clash
        raise
    return influencer


def influencer_update(
    *,
    influencer: Influencer,
    by,
    topics: Iterable[Topic | int] | None = None,
    addresses: Iterable[str] | None = None,
    **changes,
) -> Influencer:
    """Save edited fields of a person (`changes` are Influencer fields, already validated by a form).

    `addresses`, when given, become their other e-mail addresses (crm.services.addresses). One of those made their
    main e-mail stops being another address of theirs.

    A changed stay-in-touch cadence restarts the person's own clock from their last contact (or today), and no
    cadence means no clock. Turning consent to "opted out" cancels every message to them that has not gone.
    An opt-out is permanent until influencer_opt_in records a new consent with its source: editing refuses to
    change the consent of someone who opted out, and keeps the opt-out's date and source as they were.
    """
    with transaction.atomic():
        locked = person_lock(influencer_id=influencer.pk)
        if locked.is_erased:
            raise ValidationError(
                _("This person's data was erased: the record can no longer be edited."), code="erased"
            )
        if locked.is_opted_out:
            if changes.get("consent", locked.consent) != Influencer.Consent.OPTED_OUT:
                raise ValidationError(
                    {
                        "consent": _(
                            "%(person)s opted out. Only a recorded opt-in, saying how they agreed, can change that."
                        )
                        % {"person": locked}
                    },
                    code="opted_out",
                )
            changes.pop("consent_at", None)
            changes.pop("consent_source", None)
        cadence_changed = "cadence_days" in changes and (changes["cadence_days"] or None) != locked.cadence_days
        opting_out = (
            changes.get("consent") == Influencer.Consent.OPTED_OUT and locked.consent != Influencer.Consent.OPTED_OUT
        )
        for field, value in changes.items():
            setattr(locked, field, value)
        if "email" in changes:
            locked.email = (locked.email or "").strip()
            if people_with_email(locked.email, besides=locked).exists():
                raise _email_taken_error(locked.email)
        if cadence_changed:
            locked.cadence_days = locked.cadence_days or None
            _check_cadence(locked.cadence_days)
            if locked.cadence_days:
                start = timezone.localdate(locked.last_contact_at) if locked.last_contact_at else timezone.localdate()
                locked.next_contact_due = start + timedelta(days=locked.cadence_days)
            else:
                locked.next_contact_due = None
        locked.save()
        if topics is not None:
            locked.topics.set(topics)
        if addresses is not None:
            influencer_addresses_set(influencer=locked, by=by, emails=addresses)
        elif "email" in changes and locked.email_key:
            locked.addresses.filter(email_key=locked.email_key).delete()
        if opting_out:
            messages_cancel_for_opt_out(influencer=locked)
    return locked
