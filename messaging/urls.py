"""The messaging pages. Unnamespaced, like the public `unsubscribe` the e-mails link to; names say what they are."""

from django.urls import path

from messaging import views

urlpatterns = [
    path("influencers/<int:pk>/follow-ups/new/", views.follow_up_new, name="follow_up_new"),
    path("influencers/<int:pk>/follow-ups/template/", views.follow_up_template, name="follow_up_template"),
    path("messages/failed/", views.failed_messages, name="failed_messages"),
    path("messages/<int:pk>/edit/", views.message_edit, name="message_edit"),
    path("messages/<int:pk>/cancel/", views.message_cancel, name="message_cancel"),
    path("settings/", views.my_settings, name="my_settings"),
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
]
