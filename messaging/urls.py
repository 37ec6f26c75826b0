"""The messaging pages. Unnamespaced, like the public `unsubscribe` the e-mails link to; names say what they are."""

from django.urls import path

from messaging import views
from messaging.mailbox import unknown_views
from messaging.mailbox import views as mailbox_views

urlpatterns = [
    path("influencers/<int:pk>/follow-ups/new/", views.follow_up_new, name="follow_up_new"),
    path("influencers/<int:pk>/follow-ups/template/", views.follow_up_template, name="follow_up_template"),
    path("messages/", views.message_list, name="messages"),
    path("messages/failed/", views.failed_messages, name="failed_messages"),
    path("messages/<int:pk>/retry/", views.message_retry, name="message_retry"),
    path("messages/<int:pk>/edit/", views.message_edit, name="message_edit"),
    path("messages/<int:pk>/cancel/", views.message_cancel, name="message_cancel"),
    path("settings/", views.my_settings, name="my_settings"),
    path("settings/mailbox/", mailbox_views.mailbox, name="mailbox"),
    path("settings/mailbox/edit/", mailbox_views.mailbox_edit, name="mailbox_edit"),
    path("settings/mailbox/pause/", mailbox_views.mailbox_pause, name="mailbox_pause"),
    path("settings/mailbox/resume/", mailbox_views.mailbox_resume, name="mailbox_resume"),
    path("settings/mailbox/sync/", mailbox_views.mailbox_sync, name="mailbox_sync"),
    path("settings/mailbox/disconnect/", mailbox_views.mailbox_disconnect, name="mailbox_disconnect"),
    path("mail/unknown/", unknown_views.unknown_senders, name="unknown_senders"),
    path("mail/unknown/<int:pk>/person/", unknown_views.unknown_sender_person, name="unknown_sender_person"),
    path("mail/unknown/<int:pk>/add-to/", unknown_views.unknown_sender_add_to, name="unknown_sender_add_to"),
    path("mail/unknown/<int:pk>/dismiss/", unknown_views.unknown_sender_dismiss_view, name="unknown_sender_dismiss"),
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
]
