"""The demo's feeds in the demo data: the campaigns' content identifiers, and six channels given their feed on the
demo feed server (demo.feeds_server), which `make run` starts beside the web server, the worker and beat.

Both steps only fill what is missing, so that a demo loaded before feeds existed gets them on its next run and a
second run changes nothing: identifiers go to the demo campaigns that have none, and the feeds are given when no
feed points at the server yet.
"""

from decimal import Decimal

from django.conf import settings
from django.db.models import Count, Q
from django.utils import timezone

from campaigns.models import Campaign
from crm.models import Channel, Feed, Influencer
from crm.services.audience import audience_snapshot_record
from crm.services.feeds import channel_feed_set
from demo import people_data, work_data
from demo.feeds_data import CONTENT_IDENTIFIERS, FEEDS, DemoFeed
from demo.feeds_server import HOST, feed_path

IDENTIFIER_FIELDS = ("content_terms", "content_links", "promo_code")


def server_url() -> str:
    return f"http://{HOST}:{settings.DEMO_FEEDS_PORT}"


def demo_campaign(key: str) -> Campaign | None:
    spec = next(spec for spec in work_data.CAMPAIGNS if spec["key"] == key)
    return Campaign.objects.filter(brand__name=spec["brand"], name=spec["name"]).first()


def content_identifiers() -> list[str]:
    """Give the demo campaigns that have none their content identifiers; returns the campaigns' names."""
    named = []
    blank = Q(**dict.fromkeys(IDENTIFIER_FIELDS, ""))
    for key, fields in CONTENT_IDENTIFIERS.items():
        campaign = demo_campaign(key)
        # An update, not save(): the demo's history is dated by the story, and these are no one's edit.
        if campaign is not None and Campaign.objects.filter(blank, pk=campaign.pk).update(**fields):
            named.append(campaign.name)
    return named


def demo_feeds() -> list[str]:
    """Give each of FEEDS to the first channel that fits it (see `author`), unless a feed already points at the demo
    feed server; returns the feeds' addresses."""
    base = server_url()
    if Feed.objects.filter(url__startswith=base + "/").exists():
        return []
    given, used = [], set()
    for feed in FEEDS:
        channel = author(feed, exclude=used)
        if channel is None:
            continue  # a demo changed by hand: the other feeds still go
        used.add(channel.influencer_id)
        given.append(channel_feed_set(channel=channel, url=base + feed_path(feed, channel.handle)).url)
    return given


def invented_pages_not_searched() -> int:
    """The demo's channel addresses are invented: their pages are marked as searched, so that beat's feed lookup
    (crm.services.feeds) does not ask the internet for them. A channel added by hand later is searched as usual."""
    return Channel.objects.filter(feed__isnull=True, feed_looked_up_at__isnull=True).update(
        feed_looked_up_at=timezone.now()
    )


def author(feed: DemoFeed, *, exclude: set[int]) -> Channel | None:
    """The channel that writes `feed`: on its platform, of a person with its topic and, for a feed that mentions a
    campaign, an open relationship on it at one of its stages; the first such, so the same one every run.

    The story's draws depend on the day it is told (people join and leave on dates relative to today), so on some
    days nobody on the campaign at those stages has a channel on that platform: then the first such person, the
    topic's first, gets one, named after the feed. A newcomer sees the flagged post whatever the day."""
    channels = Channel.objects.filter(platform=feed.platform).exclude(influencer__in=exclude)
    if feed.topic:
        channels = channels.filter(influencer__topics__name=people_data.TOPICS[feed.topic])
    if not feed.campaign:
        return channels.order_by("influencer_id", "pk").first()
    campaign = demo_campaign(feed.campaign)
    if campaign is None:
        return None
    on_it = {"relationships__campaign": campaign, "relationships__stage__in": feed.stages}
    found = channels.filter(**{f"influencer__{key}": value for key, value in on_it.items()})
    channel = found.order_by("influencer_id", "pk").first()
    if channel is not None:
        return channel
    # Someone with room for one more channel: nobody in the directory has more than three.
    people = (
        Influencer.objects.filter(**on_it)
        .exclude(pk__in=exclude)
        .annotate(channel_count=Count("channels", distinct=True))
        .filter(channel_count__lt=3)
    )
    topical = people.filter(topics__name=people_data.TOPICS[feed.topic]) if feed.topic else people.none()
    person = topical.order_by("pk").first() or people.order_by("pk").first()
    if person is None:
        return None
    return _channel_for(person, feed)


def _channel_for(person: Influencer, feed: DemoFeed) -> Channel:
    """A channel of the feed's platform for `person`, its monthly figures a quarter of their main channel's (so
    their tier stays what the directory made it)."""
    main = person.channels.order_by("-followers", "pk").first()
    channel = Channel.objects.create(
        influencer=person,
        platform=feed.platform,
        handle=feed.key,
        url=people_data.profile_url(feed.platform, feed.key),
    )
    rated = feed.platform not in ("blog", "podcast", "newsletter")
    for figure in main.snapshots.order_by("taken_on") if main else ():
        audience_snapshot_record(
            channel=channel,
            taken_on=figure.taken_on,
            followers=max(50, figure.followers // 4),
            engagement_rate=(figure.engagement_rate or Decimal("2.50")) if rated else None,
        )
    return channel
