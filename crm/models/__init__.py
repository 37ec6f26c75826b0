"""People: influencers, their channels and audience, topics, the contact log and the give-and-get ledger.

State changes go through `crm.services`; nothing here has side effects in save(). Sub-modules by topic: people
(topics, tiers, the influencer), channels (channels and audience figures), contacts (the contact log), ledger
(give and get), imports (import jobs), addresses (other and bouncing e-mail addresses), feeds (a channel's feed
and the posts read from it).
"""

from crm.models.addresses import BouncingAddress, InfluencerAddress
from crm.models.channels import AudienceSnapshot, Channel
from crm.models.contacts import Contact
from crm.models.feeds import Feed, Post
from crm.models.imports import ImportJob
from crm.models.ledger import Exchange
from crm.models.people import TIER_FLOORS, Influencer, Tier, Topic, clock_later, tier_bounds, tier_for

__all__ = [
    "TIER_FLOORS",
    "AudienceSnapshot",
    "BouncingAddress",
    "Channel",
    "Contact",
    "Exchange",
    "Feed",
    "ImportJob",
    "Influencer",
    "InfluencerAddress",
    "Post",
    "Tier",
    "Topic",
    "clock_later",
    "tier_bounds",
    "tier_for",
]
