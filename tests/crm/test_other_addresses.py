"""A person's other e-mail addresses: one key, one person, across main and other addresses; and their bounces."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from crm.models import BouncingAddress, Influencer, InfluencerAddress
from crm.services import (
    address_bounce_clear,
    influencer_address_add,
    influencer_addresses_set,
    influencer_create,
    influencer_update,
)
from crm.services.merge import influencer_merge
from tests.factories import InfluencerFactory

pytestmark = pytest.mark.django_db

LATEST = ("relationships", "contacts", "exchanges")  # the admin's latest tables, posted as empty inlines
TAKEN = "Someone in the directory already has the e-mail {}."


@pytest.fixture
def lea(bob):
    return InfluencerFactory(name="Léa Martin", email="lea@blog.example", owner=bob)


@pytest.fixture
def tom(dave):
    return InfluencerFactory(name="Tom Durand", email="tom@blog.example", owner=dave)


def others(person: Influencer) -> list[str]:
    return sorted(person.addresses.values_list("email", flat=True))


def refusal(error: pytest.ExceptionInfo) -> list[str]:
    return error.value.message_dict["addresses"]


def test_it_sets_adds_and_removes_a_persons_other_addresses(lea, bob):
    influencer_addresses_set(influencer=lea, by=bob, emails=["lea@old.example", "LEA@work.example"])
    assert others(lea) == ["LEA@work.example", "lea@old.example"]

    influencer_addresses_set(influencer=lea, by=bob, emails=["lea@work.example", "lea@new.example", ""])

    assert others(lea) == ["lea@new.example", "lea@work.example"]


def test_it_keeps_one_spelling_of_an_address_typed_twice(lea, bob):
    influencer_addresses_set(influencer=lea, by=bob, emails=["lea@old.example", "LEA@OLD.example"])

    assert others(lea) == ["lea@old.example"]


def test_it_refuses_an_address_someone_else_has_as_main_or_other_however_spelt(lea, tom, bob):
    InfluencerAddress.objects.create(influencer=tom, email="tom@old.example")

    with pytest.raises(ValidationError) as refused:
        influencer_addresses_set(influencer=lea, by=bob, emails=["TOM@blog.example", "tom@OLD.example"])

    assert refusal(refused) == [TAKEN.format("TOM@blog.example"), TAKEN.format("tom@OLD.example")]
    assert others(lea) == []


def test_it_refuses_an_invalid_address_and_the_persons_own_main_one(lea, bob):
    with pytest.raises(ValidationError) as refused:
        influencer_addresses_set(influencer=lea, by=bob, emails=["not an address", "Lea@Blog.example"])

    assert refusal(refused) == [
        "“not an address” is not an e-mail address.",
        "Lea@Blog.example is already their main e-mail.",
    ]


def test_a_new_person_cannot_take_someone_elses_other_address_as_main(lea, bob):
    InfluencerAddress.objects.create(influencer=lea, email="lea@old.example")

    with pytest.raises(ValidationError) as refused:
        influencer_create(by=bob, name="Someone", email="Lea@Old.example")

    assert refused.value.message_dict["email"] == [TAKEN.format("Lea@Old.example")]


def test_a_new_person_is_added_with_their_other_addresses(bob):
    ana = influencer_create(by=bob, name="Ana", email="ana@blog.example", addresses=["ana@work.example"])

    assert others(ana) == ["ana@work.example"]


def test_making_an_other_address_the_main_one_stops_it_being_an_other_one(lea, bob):
    InfluencerAddress.objects.create(influencer=lea, email="lea@work.example")

    influencer_update(influencer=lea, by=bob, email="lea@work.example")

    assert others(lea) == []
    assert Influencer.objects.get(pk=lea.pk).email == "lea@work.example"


def test_adding_an_address_a_person_has_already_returns_it(lea, bob):
    first = influencer_address_add(influencer=lea, by=bob, email="lea@old.example")

    assert influencer_address_add(influencer=lea, by=bob, email="LEA@old.example") == first
    assert others(lea) == ["lea@old.example"]


# --- The web UI and the admin ---------------------------------------------------------------------------------


def _person_data(**fields) -> dict:
    return {
        "name": "Léa Martin", "email": "lea@blog.example", "kind": "blogger", "language": "fr",
        "timezone": "Europe/Paris", "consent": "unknown",
        "channels-TOTAL_FORMS": "0", "channels-INITIAL_FORMS": "0", "channels-MIN_NUM_FORMS": "0",
        "channels-MAX_NUM_FORMS": "20",
    } | fields  # fmt: skip


def test_the_edit_page_saves_other_addresses_one_per_line(client, bob, lea):
    client.force_login(bob)

    response = client.post(
        reverse("crm:influencer_edit", args=[lea.pk]),
        _person_data(addresses="lea@old.example\r\n\r\nlea@work.example, lea@third.example"),
    )

    assert response.status_code == 302
    assert others(lea) == ["lea@old.example", "lea@third.example", "lea@work.example"]
    page = client.get(reverse("crm:influencer_edit", args=[lea.pk])).content.decode()
    assert "lea@old.example\nlea@third.example\nlea@work.example</textarea>" in page


def test_the_add_page_shows_the_refusal_on_the_addresses_box(client, bob, tom):
    client.force_login(bob)

    response = client.post(reverse("crm:influencer_add"), _person_data(addresses="tom@blog.example"))

    assert response.status_code == 200
    assert response.context["form"].errors["addresses"] == [TAKEN.format("tom@blog.example")]
    assert not Influencer.objects.filter(name="Léa Martin").exists()


def test_the_person_page_shows_their_other_addresses(client, bob, lea):
    InfluencerAddress.objects.create(influencer=lea, email="lea@old.example")
    client.force_login(bob)

    page = client.get(reverse("crm:influencer_detail", args=[lea.pk])).content.decode()

    assert '<a href="mailto:lea@old.example">lea@old.example</a>' in page


def test_the_directory_finds_a_person_by_another_address(client, bob, lea, tom):
    InfluencerAddress.objects.create(influencer=lea, email="lea.m@old.example")
    client.force_login(bob)

    response = client.get(reverse("crm:influencer_list"), {"q": "LEA.M@old"})

    assert [p.pk for p in response.context["page"].object_list] == [lea.pk]


def _admin_data(person: Influencer, *rows: tuple[str, str]) -> dict:
    """The admin's person page posted with its other addresses' inline: (id or "", email) per row."""
    data = {
        "name": person.name, "email": person.email, "kind": person.kind, "language": "fr",
        "timezone": "Europe/Paris", "consent": "unknown", "channels-TOTAL_FORMS": "0", "channels-INITIAL_FORMS": "0",
        "addresses-TOTAL_FORMS": str(len(rows)),
        "addresses-INITIAL_FORMS": str(sum(1 for pk, _email in rows if pk)),
        **{f"{p}-{k}": "0" for p in LATEST for k in ("TOTAL_FORMS", "INITIAL_FORMS")},
    }  # fmt: skip
    for n, (pk, email) in enumerate(rows):
        data |= {f"addresses-{n}-id": pk, f"addresses-{n}-influencer": str(person.pk), f"addresses-{n}-email": email}
    return data


def test_the_admin_inline_saves_other_addresses_through_the_service(admin_client, lea):
    kept = InfluencerAddress.objects.create(influencer=lea, email="lea@old.example")

    response = admin_client.post(
        reverse("admin:crm_influencer_change", args=[lea.pk]),
        _admin_data(lea, (str(kept.pk), "lea@old.example"), ("", "lea@work.example")),
    )

    assert response.status_code == 302
    assert others(lea) == ["lea@old.example", "lea@work.example"]


def test_the_admin_inline_refuses_someone_elses_address_on_the_page(admin_client, lea, tom):
    response = admin_client.post(
        reverse("admin:crm_influencer_change", args=[lea.pk]), _admin_data(lea, ("", "Tom@Blog.example"))
    )

    assert response.status_code == 200
    assert TAKEN.format("Tom@Blog.example") in response.content.decode()
    assert others(lea) == []


# --- Merging ------------------------------------------------------------------------------------------------------


def test_merging_keeps_the_duplicates_addresses_and_its_main_one_as_another(lea, alice):
    twin = InfluencerFactory(name="Léa M.", email="lea.m@other.example")
    InfluencerAddress.objects.create(influencer=twin, email="lea@older.example")

    kept = influencer_merge(survivor=lea, duplicate=twin, by=alice)

    assert kept.email == "lea@blog.example"
    assert others(kept) == ["lea.m@other.example", "lea@older.example"]


def test_merging_into_a_person_without_an_address_makes_the_duplicates_their_main_one(alice):
    keep = InfluencerFactory(name="Léa", email="")
    twin = InfluencerFactory(name="Léa M.", email="lea.m@other.example")

    kept = influencer_merge(survivor=keep, duplicate=twin, by=alice)

    assert kept.email == "lea.m@other.example"
    assert others(kept) == []


# --- Bounces ------------------------------------------------------------------------------------------------------


@pytest.fixture
def bouncing(lea):
    return BouncingAddress.objects.create(
        email="lea@blog.example", status="5.1.1", diagnostic="user unknown", since=timezone.now()
    )


def test_the_person_page_says_which_address_bounces_and_offers_it_works_again(client, bob, lea, bouncing):
    client.force_login(bob)

    page = client.get(reverse("crm:influencer_detail", args=[lea.pk])).content.decode()

    assert "Mail to lea@blog.example bounces since" in page
    assert "5.1.1 user unknown" in page
    assert reverse("crm:address_bounce_clear", args=[lea.pk]) in page
    assert f'name="bounce" value="{bouncing.pk}"' in page


def test_another_marketer_sees_the_bounce_but_no_button(client, dave, lea, bouncing):
    client.force_login(dave)

    page = client.get(reverse("crm:influencer_detail", args=[lea.pk])).content.decode()

    assert "Mail to lea@blog.example bounces since" in page
    assert reverse("crm:address_bounce_clear", args=[lea.pk]) not in page


@pytest.mark.parametrize("who", ["bob", "alice"])
def test_the_owner_or_a_manager_says_it_works_again(client, request, who, lea, bouncing):
    client.force_login(request.getfixturevalue(who))

    response = client.post(reverse("crm:address_bounce_clear", args=[lea.pk]), {"bounce": bouncing.pk})

    assert response.status_code == 302
    assert not BouncingAddress.objects.exists()


def test_another_marketer_cannot_say_it_works_again(client, dave, lea, bouncing):
    client.force_login(dave)

    response = client.post(reverse("crm:address_bounce_clear", args=[lea.pk]), {"bounce": bouncing.pk}, follow=True)

    assert "Only the person&#x27;s owner or a manager" in response.content.decode()
    assert BouncingAddress.objects.exists()
    with pytest.raises(PermissionDenied):
        address_bounce_clear(influencer=lea, bouncing=bouncing, by=dave)


def test_it_refuses_to_clear_the_bounce_of_an_address_not_theirs(bob, lea, tom):
    other = BouncingAddress.objects.create(email="tom@blog.example", since=timezone.now())

    with pytest.raises(ValidationError):
        address_bounce_clear(influencer=lea, bouncing=other, by=bob)

    assert BouncingAddress.objects.exists()


def test_a_viewer_cannot_post_it_works_again(client, carol, lea, bouncing):
    client.force_login(carol)

    assert client.post(reverse("crm:address_bounce_clear", args=[lea.pk]), {"bounce": bouncing.pk}).status_code == 403


def test_today_lists_my_people_whose_main_address_bounces(client, bob, lea, tom, bouncing):
    BouncingAddress.objects.create(email="tom@blog.example", since=timezone.now())
    client.force_login(bob)

    response = client.get(reverse("home"))

    assert [p.name for p in response.context["bouncing_people"]] == ["Léa Martin"]
    assert "Mail to lea@blog.example bounces since" in response.content.decode()
