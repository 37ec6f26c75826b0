"""Consent to be e-mailed: an opt-out is permanent until the person opts in again."""

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from crm.models import Influencer


@transaction.atomic
def influencer_opt_out(*, influencer: Influencer, source: str, at: datetime | None = None) -> Influencer:
    """Record an opt-out with its date and source, and cancel every message to them that has not gone."""
    from messaging.services import messages_cancel_for_opt_out

    locked = Influencer.objects.select_for_update().get(pk=influencer.pk)
    if locked.consent != Influencer.Consent.OPTED_OUT:
        locked.consent = Influencer.Consent.OPTED_OUT
        locked.consent_at = at or timezone.now()
        locked.consent_source = source[:200]
        locked.save(update_fields=["consent", "consent_at", "consent_source", "updated_at"])
    messages_cancel_for_opt_out(influencer=locked)
    return locked


@transaction.atomic
def influencer_opt_in(*, influencer: Influencer, source: str, at: datetime | None = None) -> Influencer:
    locked = Influencer.objects.select_for_update().get(pk=influencer.pk)
    locked.consent = Influencer.Consent.OPTED_IN
    locked.consent_at = at or timezone.now()
    locked.consent_source = source[:200]
    locked.save(update_fields=["consent", "consent_at", "consent_source", "updated_at"])
    return locked
