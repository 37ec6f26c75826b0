"""Consent to be e-mailed: an opt-out is permanent until the person opts in again.

These two functions are the only ways consent changes on an existing person: the edit form, the admin, the
import and merging all leave an opt-out as it is (crm.services.influencers.influencer_update refuses to undo
one, the admin shows consent read-only, the import has no consent column, a merge keeps the opt-out).
"""

from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from crm.models import Influencer
from crm.services.locks import person_lock
from messaging.services import messages_cancel_for_opt_out


@transaction.atomic
def influencer_opt_out(*, influencer: Influencer, source: str, at: datetime | None = None) -> Influencer:
    """Record an opt-out with its date and source, and cancel every message to them that has not gone."""
    locked = person_lock(influencer_id=influencer.pk)
    if locked.consent != Influencer.Consent.OPTED_OUT:
        locked.consent = Influencer.Consent.OPTED_OUT
        locked.consent_at = at or timezone.now()
        locked.consent_source = source[:200]
        locked.save(update_fields=["consent", "consent_at", "consent_source", "updated_at"])
    messages_cancel_for_opt_out(influencer=locked)
    return locked


@transaction.atomic
def influencer_opt_in(*, influencer: Influencer, source: str, at: datetime | None = None) -> Influencer:
    """Record that the person agreed to be e-mailed: when, and how we know (the source is required).

    An erased person cannot opt in: there is nobody left to write to, and the erasure must hold.
    """
    source = (source or "").strip()
    locked = person_lock(influencer_id=influencer.pk)
    if locked.is_erased:
        raise ValidationError(_("This person's data was erased: they cannot be contacted again."), code="erased")
    if not source:
        raise ValidationError(
            {"source": _("Say how the person gave their consent (a form, an e-mail, a call…).")}, code="source"
        )
    if at is not None and at > timezone.now():
        raise ValidationError({"at": _("The consent date cannot be in the future.")}, code="future")
    locked.consent = Influencer.Consent.OPTED_IN
    locked.consent_at = at or timezone.now()
    locked.consent_source = source[:200]
    locked.save(update_fields=["consent", "consent_at", "consent_source", "updated_at"])
    return locked
