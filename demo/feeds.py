"""The demo's feeds in the demo data: the campaigns' content identifiers, and six channels given their feed on the
demo feed server (demo.feeds_server), which `make run` starts beside the web server, the worker and beat.

Both steps only fill what is missing, so that a demo loaded before feeds existed gets them on its next run and a
second run changes nothing: identifiers go to the demo campaigns that have none, and the feeds are given when no
feed points at the server yet.
"""

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from campaigns.models import Campaign
from crm.models import Channel, Feed
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
    campaign, an open relationship on it at one of its stages; the first such, so the same one every run."""
    channels = Channel.objects.filter(platform=feed.platform).exclude(influencer__in=exclude)
    if feed.topic:
        channels = channels.filter(influencer__topics__name=people_data.TOPICS[feed.topic])
    if feed.campaign:
        campaign = demo_campaign(feed.campaign)
        if campaign is None:
            return None
        channels = channels.filter(
            influencer__relationships__campaign=campaign, influencer__relationships__stage__in=feed.stages
        )
    return channels.order_by("influencer_id", "pk").first()
