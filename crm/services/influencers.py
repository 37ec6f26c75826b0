"""Adding people to the directory."""

from collections.abc import Iterable
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from crm.models import Influencer, Topic


def _email_taken_error(email: str) -> ValidationError:
    return ValidationError(
        {"email": _("Someone in the directory already has the e-mail %(email)s.") % {"email": email}}
    )


def influencer_create(
    *,
    by,
    name: str,
    email: str = "",
    kind: str = Influencer.Kind.BLOGGER,
    topics: Iterable[Topic | int] = (),
    cadence_days: int | None = None,
    **fields,
) -> Influencer:
    """Add a person. `fields` are other Influencer fields (city, region, language, owner…); owner defaults to `by`.

    Brand ambassadors stay in touch between campaigns by default (AMBASSADOR_CADENCE_DAYS); pass
    cadence_days=0 to switch that off. With a cadence, the person's own clock starts today.
    """
    fields.setdefault("owner", by)
    if cadence_days is None and kind == Influencer.Kind.AMBASSADOR:
        cadence_days = settings.AMBASSADOR_CADENCE_DAYS
    cadence_days = cadence_days or None
    email = (email or "").strip()

    influencer = Influencer(name=(name or "").strip(), email=email, kind=kind, cadence_days=cadence_days, **fields)
    if cadence_days:
        influencer.next_contact_due = timezone.localdate() + timedelta(days=cadence_days)
    # The e-mail's case-insensitive uniqueness is checked here with a readable message; the database
    # constraint still catches a concurrent twin below.
    influencer.full_clean(validate_constraints=False)
    if email and Influencer.objects.filter(email__iexact=email).exists():
        raise _email_taken_error(email)
    try:
        with transaction.atomic():
            influencer.save()
            influencer.topics.set(topics)
    except IntegrityError as clash:
        if email and Influencer.objects.filter(email__iexact=email).exists():
            raise _email_taken_error(email) from clash
        raise
    return influencer
