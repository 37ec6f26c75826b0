"""The admin's big lists are never counted in full and never paged deep (issue 7)."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from core.admin.paging import MAX_PAGES, CappedCountPaginator
from crm.models import Influencer
from tests.factories import ContactFactory, InfluencerFactory

pytestmark = pytest.mark.django_db


class ThreePages(CappedCountPaginator):
    max_pages = 3


def test_the_count_stops_at_the_last_numbered_page_and_says_there_are_more():
    InfluencerFactory.create_batch(7)

    paginator = ThreePages(Influencer.objects.order_by("pk"), per_page=2)

    assert (paginator.count, paginator.num_pages, paginator.capped) == (6, 3, True)


def test_a_list_that_fits_is_counted_exactly():
    InfluencerFactory.create_batch(5)

    paginator = ThreePages(Influencer.objects.order_by("pk"), per_page=2)

    assert (paginator.count, paginator.num_pages, paginator.capped) == (5, 3, False)


def test_a_page_beyond_the_last_numbered_one_shows_the_last_one():
    people = InfluencerFactory.create_batch(7)

    page = ThreePages(Influencer.objects.order_by("pk"), per_page=2).page(99)

    assert [p.pk for p in page.object_list] == [p.pk for p in people[4:6]]


@pytest.mark.parametrize(
    "model,table",
    [("crm/contact", "crm_contact"), ("crm/influencer", "crm_influencer"), ("messaging/message", "messaging_message"),
     ("campaigns/relationship", "campaigns_relationship")],
)  # fmt: skip
def test_a_big_admin_list_counts_at_most_its_numbered_pages(client, alice, model, table):
    person = InfluencerFactory()
    ContactFactory.create_batch(3, influencer=person)
    client.force_login(alice)

    with CaptureQueriesContext(connection) as queries:
        first = client.get(f"/admin/{model}/")
        deep = client.get(f"/admin/{model}/", {"p": 1_000_000})

    assert (first.status_code, deep.status_code) == (200, 200)
    counts = [q["sql"] for q in queries.captured_queries if "COUNT(" in q["sql"] and f'"{table}"' in q["sql"]]
    assert counts and all("LIMIT" in sql for sql in counts), counts


def test_a_capped_list_says_more_than_and_asks_to_search(client, alice, monkeypatch):
    from crm.admin.directory import ContactAdmin

    monkeypatch.setattr(ContactAdmin, "list_per_page", 1)
    ContactFactory.create_batch(MAX_PAGES + 1, influencer=InfluencerFactory())
    client.force_login(alice)

    html = client.get(reverse("admin:crm_contact_changelist")).content.decode()

    assert f"more than {MAX_PAGES} contacts: search or filter to see the others" in html


def test_a_deep_page_of_a_big_admin_list_skips_at_most_four_pages_of_rows(client, alice, monkeypatch):
    from crm.admin.influencers import InfluencerAdmin

    monkeypatch.setattr(InfluencerAdmin, "list_per_page", 2)
    InfluencerFactory.create_batch(2 * 10)
    client.force_login(alice)

    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("admin:crm_influencer_changelist"), {"p": 1600})

    offsets = [int(o) for q in queries.captured_queries for o in re.findall(r"OFFSET (\d+)", q["sql"])]
    assert (response.status_code, offsets) == (200, [4 * 2])


@pytest.mark.parametrize(
    "label",
    ["crm.influencer", "crm.channel", "crm.audiencesnapshot", "crm.contact", "crm.exchange", "campaigns.relationship",
     "campaigns.stagechange", "campaigns.guardrailevent", "messaging.message"],
)  # fmt: skip
def test_every_admin_list_of_a_big_table_is_capped_and_shows_50_rows_a_page(label):
    from django.apps import apps
    from django.contrib import admin

    model_admin = admin.site._registry[apps.get_model(label)]

    assert (model_admin.paginator, model_admin.show_full_result_count, model_admin.list_per_page) == (
        CappedCountPaginator,
        False,
        50,
    )


def test_a_page_of_the_contact_log_shows_50_contacts(client, alice):
    ContactFactory.create_batch(51, influencer=InfluencerFactory())
    client.force_login(alice)

    response = client.get(reverse("admin:crm_contact_changelist"))

    assert len(response.context["cl"].result_list) == 50
