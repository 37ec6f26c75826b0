"""Dated audience figures per channel, and the figures derived from them."""

from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from crm.models import AudienceSnapshot, Channel, Influencer
from crm.services.locks import people_lock, person_lock


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

    _figures_refresh(channel, influencer)
    return snapshot


@transaction.atomic
def audience_snapshot_update(
    *, snapshot: AudienceSnapshot, taken_on: date, followers: int, engagement_rate: Decimal | None = None
) -> AudienceSnapshot:
    """Correct a recorded figure; the channel's followers and the person's audience follow, as when recording."""
    if taken_on > timezone.localdate():
        raise ValidationError({"taken_on": _("An audience figure cannot be dated in the future.")})
    influencer = person_lock(influencer_id=snapshot.channel.influencer_id)
    channel = Channel.objects.select_for_update().get(pk=snapshot.channel_id)
    snapshot.taken_on, snapshot.followers, snapshot.engagement_rate = taken_on, followers, engagement_rate
    # Its bounds, and one figure per channel and day: another figure of that day stays, this one is refused.
    snapshot.full_clean()
    snapshot.save()
    _figures_refresh(channel, influencer)
    return snapshot


@transaction.atomic
def audience_snapshots_delete(*, snapshots: QuerySet[AudienceSnapshot]) -> int:
    """Delete recorded figures; each channel's followers fall back to its latest remaining figure."""
    channel_ids = set(snapshots.values_list("channel_id", flat=True))
    channels = Channel.objects.filter(pk__in=channel_ids)
    people = {p.pk: p for p in people_lock(influencer_ids=channels.values_list("influencer_id", flat=True))}
    deleted, _rows = AudienceSnapshot.objects.filter(pk__in=list(snapshots.values_list("pk", flat=True))).delete()
    for channel in channels.select_for_update().order_by("pk"):
        _figures_refresh(channel, people[channel.influencer_id])
    return deleted


def _figures_refresh(channel: Channel, influencer: Influencer) -> None:
    """Channel.followers is its latest figure's; Influencer.audience, the largest of their channels' (the tier)."""
    channel.followers = channel.snapshots.order_by("-taken_on").values_list("followers", flat=True).first()
    channel.save(update_fields=["followers"])
    influencer.audience = (
        Channel.objects.filter(influencer_id=influencer.pk).aggregate(top=Max("followers"))["top"] or 0
    )
    influencer.save(update_fields=["audience", "updated_at"])
