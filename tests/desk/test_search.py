"""The navigation bar's search: bob types part of a name, an e-mail or a handle and finds people, campaigns, brands."""

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from campaigns.models import Campaign
from desk.views.search import IN_DROPDOWN
from tests.factories import BrandFactory, CampaignFactory, ChannelFactory, InfluencerFactory

HTMX = {"HTTP_HX_REQUEST": "true"}
# Session, user, the member's permissions (one query), then one per group: its first rows and how many match.
SEARCH_QUERIES = 6


def _search(client, user, q, **headers):
    client.force_login(user)
    return client.get(reverse("search"), {"q": q}, **headers)


@pytest.fixture
def solano(db):
    ines = InfluencerFactory(name="Inès Solano", email="ines@lumiere.example")
    ChannelFactory(influencer=ines, platform="youtube", handle="ines_cooks")
    return ines


def test_a_person_is_found_by_part_of_their_name_with_a_handle_and_their_e_mail(client, bob, solano):
    response = _search(client, bob, "solan")

    assert response.status_code == 200
    assert response.context["found"].people.rows == [solano]
    page = response.content.decode()
    assert f'href="/influencers/{solano.pk}/"' in page
    assert "YouTube ines_cooks" in page and "ines@lumiere.example" in page


def test_a_person_is_found_by_e_mail_and_by_handle_the_matching_handle_shown(client, bob, solano):
    ChannelFactory(influencer=solano, platform="instagram", handle="aaa_first")

    assert _search(client, bob, "LUMIERE.example").context["found"].people.rows == [solano]
    by_handle = _search(client, bob, "_cooks")
    assert by_handle.context["found"].people.rows == [solano]
    assert "YouTube ines_cooks" in by_handle.content.decode()


def test_campaigns_are_found_by_their_name_or_their_brand_s_with_brand_and_status(client, bob):
    brand = BrandFactory(name="Maison Verte")
    spring = CampaignFactory(brand=brand, name="Spring range", status=Campaign.Status.DRAFT)
    other = CampaignFactory(name="Green spring picnic")

    by_brand = _search(client, bob, "verte")
    by_name = _search(client, bob, "SPRING")

    assert by_brand.context["found"].campaigns.rows == [spring]
    assert by_brand.context["found"].brands.rows == [brand]
    # Running campaigns first: the one a marketer is most likely after.
    assert by_name.context["found"].campaigns.rows == [other, spring]
    page = by_brand.content.decode()
    assert f'href="/campaigns/{spring.pk}/"' in page and "Maison Verte" in page and "draft" in page
    assert f'href="/campaigns/?brand={brand.pk}"' in page


def test_accented_text_is_found_whatever_its_case(client, bob):
    lea = InfluencerFactory(name="Léa Fontaine")

    assert _search(client, bob, "léa fon").context["found"].people.rows == [lea]
    assert _search(client, bob, "LéA").context["found"].people.rows == [lea]


def test_a_viewer_searches_everything_read_only(client, carol, solano):
    CampaignFactory(name="Solano summer")

    found = _search(client, carol, "solano").context["found"]

    assert found.people.rows == [solano] and found.campaigns.total == 1 and found.brands is not None


def test_a_member_without_a_role_is_shown_nothing(client, db, solano):
    nobody = get_user_model().objects.create_user("nobody", password="pw")

    response = _search(client, nobody, "solano")

    assert response.status_code == 200
    found = response.context["found"]
    assert (found.people, found.campaigns, found.brands) == (None, None, None)
    assert "Inès" not in response.content.decode()


@pytest.mark.parametrize("q", ["s", "   ", "", " s "])
def test_less_than_two_characters_says_so_without_searching(client, bob, solano, q):
    response = _search(client, bob, q)

    assert response.status_code == 200
    assert response.context["found"] is None
    assert "Type at least 2 characters." in response.content.decode()


def test_the_search_page_without_a_query_only_offers_the_form(client, bob):
    client.force_login(bob)

    response = client.get(reverse("search"))

    assert response.status_code == 200
    assert "Type at least 2 characters." not in response.content.decode()


def test_too_long_text_gets_a_clear_page(client, bob):
    for headers in ({}, HTMX):
        response = _search(client, bob, "x" * 5000, **headers)

        assert response.status_code == 200
        assert "Ensure this value has at most 100 characters (it has 5000)." in response.content.decode()


def test_a_nul_in_the_text_is_refused_with_a_message_as_everywhere(client, bob):
    # config.middleware refuses a NUL in any URL before a view sees it (PostgreSQL cannot be sent one).
    response = _search(client, bob, "ab\x00cd")

    assert response.status_code == 400
    assert "NUL" in response.content.decode()


def test_markup_is_shown_as_text(client, bob):
    InfluencerFactory(name="<b>Bold</b> Person")

    page = _search(client, bob, "<b>bold").content.decode()

    assert "&lt;b&gt;Bold&lt;/b&gt; Person" in page and "<b>Bold</b>" not in page


def test_percent_and_underscore_are_searched_as_typed(client, bob):
    sale = CampaignFactory(name="50% off")
    CampaignFactory(name="500 samples")
    underscored = InfluencerFactory(name="Under Score", email="u@example.org")
    ChannelFactory(influencer=underscored, handle="under_score")
    InfluencerFactory(name="Underxscore", email="x@example.org")

    assert _search(client, bob, "0%").context["found"].campaigns.rows == [sale]
    assert _search(client, bob, "r_s").context["found"].people.rows == [underscored]


def test_the_dropdown_shows_a_few_of_each_and_links_to_all_the_people_in_the_directory(client, bob):
    for n in range(IN_DROPDOWN + 3):
        InfluencerFactory(name=f"Camille {n:02}")

    response = _search(client, bob, "camille", **HTMX)

    page = response.content.decode()
    assert "<html" not in page
    assert len(response.context["found"].people.rows) == IN_DROPDOWN
    assert "See all 11 people in the directory" in page
    assert 'href="/influencers/?q=camille"' in page
    assert "HX-Request" in response["Vary"]


def test_nothing_found_says_so(client, bob):
    assert "Nothing found for “zzqq”." in _search(client, bob, "zzqq").content.decode()


@pytest.mark.parametrize("size", [3, 30])
def test_a_search_costs_the_same_whatever_it_finds(client, bob, django_assert_num_queries, size):
    brand = BrandFactory(name="Nova brand")
    for n in range(size):
        person = InfluencerFactory(name=f"Nova {n}")
        ChannelFactory(influencer=person, handle=f"nova{n}")
        CampaignFactory(brand=brand, name=f"Nova launch {n}")
        BrandFactory(name=f"Nova {n}")
    client.force_login(bob)

    for headers in ({}, HTMX):
        with CaptureQueriesContext(connection) as queries:
            response = client.get(reverse("search"), {"q": "nova"}, **headers)
        assert response.status_code == 200
        assert len(queries.captured_queries) == SEARCH_QUERIES
        assert response.context["found"].people.total == size
