"""The people side of the UI, under the "crm" namespace. Today ("home") is wired in config/urls.py, unnamespaced."""

from django.urls import path

from crm.views import contacts, influencers, ledger

app_name = "crm"

urlpatterns = [
    path("influencers/", influencers.influencer_list, name="influencer_list"),
    path("influencers/add/", influencers.influencer_add, name="influencer_add"),
    path("influencers/<int:pk>/", influencers.influencer_detail, name="influencer_detail"),
    path("influencers/<int:pk>/edit/", influencers.influencer_edit, name="influencer_edit"),
    path("influencers/<int:pk>/bounce-cleared/", influencers.bounce_clear, name="address_bounce_clear"),
    path("influencers/<int:pk>/exchanges/new/", ledger.exchange_new, name="exchange_record"),
    path("channels/<int:pk>/snapshots/new/", ledger.snapshot_new, name="snapshot_record"),
    path("contacts/log/", contacts.contact_log, name="contact_log"),
]
