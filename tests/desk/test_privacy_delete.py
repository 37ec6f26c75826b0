"""Deleting a person from the admin erases them first: nothing of her is left in any table, history included."""

import pytest
from django.conf import settings
from django.contrib.admin.models import LogEntry
from django.urls import reverse

from crm.models import Influencer
from crm.services import (
    contact_log,
    influencer_create,
    influencer_merge,
)
from desk.privacy.erasure import influencer_erase
from reports.cache import refresh_default_range
from tests.desk.privacy_people import (
    EMAIL,
    HANDLE,
    MAIL_ID,
    NAME,
    OTHER_EMAIL,
    frozen_now,
    tables_holding,
    zephyrine_with_her_history,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def now(time_machine):
    return frozen_now(time_machine)


@pytest.fixture
def zephyrine(now, alice, bob):
    return zephyrine_with_her_history(now, alice, bob)


# --- Deleting a person from the admin erases them first ---------------------------------------------------------


def delete_in_the_admin(client, how: str, people: list[Influencer]):
    if how == "delete page":
        (person,) = people
        return client.post(reverse("admin:crm_influencer_delete", args=[person.pk]), {"post": "yes"})
    return client.post(
        reverse("admin:crm_influencer_changelist"),
        {"action": "delete_selected", "_selected_action": [p.pk for p in people], "post": "yes"},
    )


@pytest.mark.parametrize("how", ["delete page", "delete action"])
def test_deleting_her_in_the_admin_leaves_nothing_of_her_in_any_table_history_included(zephyrine, client, alice, how):
    refresh_default_range([settings.TIME_ZONE])
    twin = influencer_create(by=alice, name="Z. Marmottan", email="zm@old-mail.example", city="Morlaix")
    influencer_merge(survivor=zephyrine, duplicate=twin, by=alice)
    yann = Influencer.objects.get(name="Yann Le Goff")
    assert "crm_historicalinfluencer" in tables_holding(NAME)
    client.force_login(alice)

    response = delete_in_the_admin(client, how, [Influencer.objects.get(pk=zephyrine.pk)])

    assert response.status_code == 302
    assert not Influencer.objects.filter(pk=zephyrine.pk).exists()
    needles = (NAME, EMAIL, HANDLE, OTHER_EMAIL, MAIL_ID, "Zephyrine", "zm@old-mail.example", "Z. Marmottan", "Morlaix")
    for needle in (*needles, "Brest"):
        assert tables_holding(needle) == set(), needle
    # Her history is still there, anonymised, down to the row that records the deletion.
    assert list(Influencer.history.filter(id=zephyrine.pk).values_list("history_type", "name"))[0] == (
        "-",
        f"Erased person #{zephyrine.pk}",
    )
    assert LogEntry.objects.filter(object_id=str(zephyrine.pk), object_repr=f"Erased person #{zephyrine.pk}").exists()
    assert Influencer.objects.get(pk=yann.pk).name == "Yann Le Goff", "nobody else was touched"


def test_the_delete_action_erases_each_selected_person_and_an_erased_one_is_simply_deleted(zephyrine, client, alice):
    lea = influencer_create(by=alice, name="Léa Martin", email="lea.martin@example.org")
    influencer_erase(influencer=zephyrine, by=alice)
    client.force_login(alice)

    response = delete_in_the_admin(client, "delete action", [Influencer.objects.get(pk=zephyrine.pk), lea])

    assert response.status_code == 302
    assert not Influencer.objects.filter(pk__in=[zephyrine.pk, lea.pk]).exists()
    assert tables_holding("Léa Martin") == set() and tables_holding("lea.martin@example.org") == set()
    assert tables_holding(NAME) == set()


def test_both_delete_confirmations_say_the_person_is_erased_first(zephyrine, client, alice):
    client.force_login(alice)

    page = client.get(reverse("admin:crm_influencer_delete", args=[zephyrine.pk])).content.decode()
    selected = client.post(
        reverse("admin:crm_influencer_changelist"), {"action": "delete_selected", "_selected_action": [zephyrine.pk]}
    ).content.decode()

    for confirmation in (page, selected):
        assert "Their personal data is erased first, history included" in confirmation
        assert 'value="yes"' in confirmation, "still a confirmation"
    assert Influencer.objects.get(pk=zephyrine.pk).erased_at is None, "asking is not deleting"


def test_the_delete_action_rewrites_each_persons_mentions_as_their_own_label(db, client, alice, bob, now):
    lea = influencer_create(by=bob, name="Léa Martin", email="lea.martin@example.org")
    tom = influencer_create(by=bob, name="Tom Durand", email="tom.durand@example.org")
    yann = influencer_create(by=bob, name="Yann Le Goff", email="yann@example.org")
    contact, _created = contact_log(
        influencer=yann,
        by=bob,
        kind="meeting",
        direction="outbound",
        summary="Yann came with Léa Martin and TOM DURAND (tom.durand@example.org).",
        occurred_at=now,
    )
    client.force_login(alice)

    delete_in_the_admin(client, "delete action", [lea, tom])

    contact.refresh_from_db()
    assert contact.summary == (
        f"Yann came with Erased person #{lea.pk} and Erased person #{tom.pk} (Erased person #{tom.pk})."
    )
