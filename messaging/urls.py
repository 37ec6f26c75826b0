from django.urls import path

from messaging import views

urlpatterns = [path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe")]
