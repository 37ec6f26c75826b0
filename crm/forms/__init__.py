"""Forms of the people side of the web UI. They validate input; the services in crm.services change state.

What every app's forms share is in core.forms. Sub-modules by topic: contacts (the contact log), influencers (a
person and their channels), filters (the directory's filters), ledger (give and get, audience figures).
"""

from crm.forms.contacts import ContactLogForm
from crm.forms.filters import InfluencerFilterForm
from crm.forms.influencers import ChannelFormHelper, InfluencerForm, channel_formset_class
from crm.forms.ledger import AudienceSnapshotForm, ExchangeForm

__all__ = [
    "AudienceSnapshotForm",
    "ChannelFormHelper",
    "ContactLogForm",
    "ExchangeForm",
    "InfluencerFilterForm",
    "InfluencerForm",
    "channel_formset_class",
]
