"""Forms of the people side of the web UI. They validate input; the services in crm.services change state.

Sub-modules by topic: base (what the forms share), contacts (the contact log), influencers (a person and their
channels), filters (the directory's filters), ledger (give and get, audience figures).
"""

from crm.forms.base import DATE_INPUT, DATETIME_INPUT, GuardedModelForm, add_service_errors
from crm.forms.contacts import ContactLogForm
from crm.forms.filters import InfluencerFilterForm
from crm.forms.influencers import ChannelFormHelper, InfluencerForm, channel_formset_class
from crm.forms.ledger import AudienceSnapshotForm, ExchangeForm

__all__ = [
    "DATE_INPUT",
    "DATETIME_INPUT",
    "AudienceSnapshotForm",
    "ChannelFormHelper",
    "ContactLogForm",
    "ExchangeForm",
    "GuardedModelForm",
    "InfluencerFilterForm",
    "InfluencerForm",
    "add_service_errors",
    "channel_formset_class",
]
