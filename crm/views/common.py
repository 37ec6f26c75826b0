"""The URL of a person's page, which pages of every app link to."""

from django.urls import reverse


def influencer_url(pk: int) -> str:
    return reverse("crm:influencer_detail", args=[pk])
