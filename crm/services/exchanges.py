"""The give-and-get ledger: what the team gave a person and what it got back."""

from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from campaigns.models import Relationship
from crm.models import Exchange, Influencer


def exchange_record(
    *,
    influencer: Influencer,
    by,
    direction: str,
    kind: str,
    occurred_on: date,
    value: Decimal | None = None,
    reach: int | None = None,
    url: str = "",
    note: str = "",
    relationship: Relationship | None = None,
) -> Exchange:
    """Record one thing given (product, invitation, fee…) or got (post, mention, video…).

    A "get" on a relationship is the content that lets it move to delivered.
    """
    exchange = Exchange(
        influencer=influencer,
        relationship=relationship,
        direction=direction,
        kind=kind,
        occurred_on=occurred_on,
        value=value,
        reach=reach,
        url=(url or "").strip(),
        note=(note or "").strip(),
        recorded_by=by,
    )
    errors: dict[str, list[str]] = {}
    if relationship is not None and relationship.influencer_id != influencer.pk:
        errors["relationship"] = [
            _("This relationship is with %(other)s, not with %(person)s.")
            % {"other": relationship.influencer, "person": influencer}
        ]
    if occurred_on and occurred_on > timezone.localdate():
        errors["occurred_on"] = [_("Record an exchange once it has happened: the date is in the future.")]
    try:
        # The numbers' bounds are the fields' validators (core.validators); the constraints, checked above with
        # messages a person can read, the database still holds.
        exchange.full_clean(exclude=list(errors), validate_constraints=False)
    except ValidationError as invalid:
        for field, messages in invalid.message_dict.items():
            errors.setdefault(field, []).extend(messages)
    if errors:
        raise ValidationError(errors)
    exchange.save()
    return exchange
