"""Everything that changes people's data: `from crm.services import contact_log`.

Sub-modules by topic: contacts (the contact log and its clocks), exchanges (give and get),
addresses (other addresses, bounces), audience (dated figures), influencers (the directory), feeds (a channel's),
merge (two records of one person), locks (the order
in which people and what hangs on them are locked).
"""

from crm.services.addresses import address_bounce_clear, influencer_address_add, influencer_addresses_set
from crm.services.audience import audience_snapshot_record, audience_snapshot_update, audience_snapshots_delete
from crm.services.contacts import Touch, contact_clocks_reset, contact_log, contact_replies_refresh, contacts_delete
from crm.services.exchanges import exchange_record
from crm.services.feeds import channel_feed_set
from crm.services.influencers import influencer_create, influencer_update
from crm.services.locks import people_lock, person_lock, relationship_lock
from crm.services.merge import influencer_merge

__all__ = [
    "Touch",
    "address_bounce_clear",
    "audience_snapshot_record",
    "audience_snapshot_update",
    "audience_snapshots_delete",
    "channel_feed_set",
    "contact_clocks_reset",
    "contact_log",
    "contact_replies_refresh",
    "contacts_delete",
    "exchange_record",
    "influencer_address_add",
    "influencer_addresses_set",
    "influencer_create",
    "influencer_update",
    "influencer_merge",
    "people_lock",
    "person_lock",
    "relationship_lock",
]
