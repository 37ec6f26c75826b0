from django.urls import path

from health import views

urlpatterns = [path("", views.healthz, name="healthz")]
