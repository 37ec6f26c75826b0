"""Dated audience figures per channel, and the figures derived from them."""

from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from crm.models import AudienceSnapshot, Channel
from crm.services.locks import person_lock


@transaction.atomic
def audience_snapshot_record(
    *, channel: Channel, taken_on: date, followers: int, engagement_rate: Decimal | None = None
) -> AudienceSnapshot:
    """Record a channel's audience on a day (one figure per channel per day: a second one replaces it).

    Keeps Channel.followers equal to the latest snapshot's figure, whatever order figures arrive in, and
    Influencer.audience equal to the largest of the channels' figures: the tier is derived from it.
    """
    errors: dict[str, list[str]] = {}
    if taken_on > timezone.localdate():
        errors["taken_on"] = [_("An audience figure cannot be dated in the future.")]
    figure = AudienceSnapshot(channel=channel, taken_on=taken_on, followers=followers, engagement_rate=engagement_rate)
    try:
        # The figures' bounds are the fields' validators (core.validators). A second figure on a day replaces the
        # first: no unique check.
        figure.full_clean(exclude=["channel", *errors], validate_unique=False, validate_constraints=False)
    except ValidationError as invalid:
        for field, messages in invalid.message_dict.items():
            errors.setdefault(field, []).extend(messages)
    if errors:
        raise ValidationError(errors)

    influencer = person_lock(influencer_id=channel.influencer_id)
    channel.refresh_from_db(from_queryset=Channel.objects.select_for_update())

    snapshot, _created = AudienceSnapshot.objects.update_or_create(
        channel=channel,
        taken_on=taken_on,
        defaults={"followers": followers, "engagement_rate": engagement_rate},
    )

    channel.followers = channel.snapshots.order_by("-taken_on").values_list("followers", flat=True).first()
    channel.save(update_fields=["followers"])
    influencer.audience = (
        Channel.objects.filter(influencer_id=influencer.pk).aggregate(top=Max("followers"))["top"] or 0
    )
    influencer.save(update_fields=["audience", "updated_at"])
    return snapshot
