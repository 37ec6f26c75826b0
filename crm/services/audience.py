"""Dated audience figures per channel, and the figures derived from them."""

from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from crm.models import AudienceSnapshot, Channel, Influencer

# The largest figure the followers columns hold (PostgreSQL's integer): a typo beyond it is refused with a
# message, not by the database (a 500, or SQLite's OverflowError on a figure of forty digits).
MAX_FOLLOWERS = 2_147_483_647


@transaction.atomic
def audience_snapshot_record(
    *, channel: Channel, taken_on: date, followers: int, engagement_rate: Decimal | None = None
) -> AudienceSnapshot:
    """Record a channel's audience on a day (one figure per channel per day: a second one replaces it).

    Keeps Channel.followers equal to the latest snapshot's figure, whatever order figures arrive in, and
    Influencer.audience equal to the largest of the channels' figures: the tier is derived from it.
    """
    errors: dict[str, str] = {}
    if followers is None or followers < 0:
        errors["followers"] = _("Followers must be a number, zero or more.")
    elif followers > MAX_FOLLOWERS:
        errors["followers"] = _("Followers must be at most %(most)s.") % {
            "most": number_format(MAX_FOLLOWERS, force_grouping=True)
        }
    if engagement_rate is not None and not (0 <= engagement_rate <= 100):
        errors["engagement_rate"] = _("The engagement rate is a percentage, between 0 and 100.")
    if taken_on > timezone.localdate():
        errors["taken_on"] = _("An audience figure cannot be dated in the future.")
    if errors:
        raise ValidationError(errors)

    # Same lock order as the contact clocks: the person first, then what hangs from them.
    influencer = Influencer.objects.select_for_update().get(pk=channel.influencer_id)
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
