"""Every page the benchmark measures is the page its name says: a deep page is reached through the directory's
cursor (it ignores `?page=`), and a page whose rows or page number are not the ones named stops the run instead
of giving another page's figures (the "page 3200" figure was once the first page's)."""

import pytest
from django.test import Client

from bench import pages
from bench.page_checks import DIRECTORY_ROW, WrongPage, admin_page, directory_page, lists
from crm.models import Influencer

pytestmark = pytest.mark.django_db


@pytest.fixture
def directory(alice) -> Client:
    """120 people, named so that the directory's order (by name) is their number's."""
    Influencer.objects.bulk_create(
        Influencer(name=f"Person {n:03d}", email=f"p{n}@example.org", audience=n * 10) for n in range(120)
    )
    client = Client()
    client.force_login(alice)
    return client


def names(client: Client, url: str) -> list[str]:
    html = client.get(url).content.decode()
    ids = [int(pk) for pk in DIRECTORY_ROW.findall(html)]
    found = dict(Influencer.objects.filter(pk__in=ids).values_list("pk", "name"))
    return [found[pk] for pk in ids]


def test_the_deep_page_is_reached_by_its_cursor_andlists_that_page_s_rows(directory):
    url, first = directory_page(4)

    assert "after=" in url
    assert names(directory, url)[:2] == ["Person 075", "Person 076"]
    assert Influencer.objects.get(pk=first).name == "Person 075"
    assert lists(first)(directory.get(url).content.decode()) == ""


def test_the_directory_s_ignored_page_parameter_is_caught_as_another_page(directory):
    _url, first = directory_page(4)

    problem = lists(first)(directory.get("/influencers/?page=4").content.decode())

    assert problem.startswith("its first row is person ") and problem.endswith(f"not {first}, the first of that page")


def test_a_sort_the_filter_form_refuses_is_caught_and_the_one_it_takeslists_the_largest_first(directory):
    largest = Influencer.objects.get(name="Person 119").pk

    # "-audience" is no sort of the directory's: the form ignores it (and shows the field in error).
    assert lists(largest)(directory.get("/influencers/?sort=-audience").content.decode()).startswith(
        "the filter form refused a parameter"
    )
    assert lists(largest)(directory.get("/influencers/?sort=audience").content.decode()) == ""


def test_anadmin_page_beyond_the_numbered_ones_is_caught(directory):
    # 120 people at 50 a page: 3 pages; page 1600 shows page 3.
    assert admin_page(3)(directory.get("/admin/crm/influencer/?p=3").content.decode()) == ""
    assert admin_page(1600)(directory.get("/admin/crm/influencer/?p=1600").content.decode()) == (
        "the admin shows another page than 1600"
    )


def test_a_page_count_that_is_not_the_one_named_is_caught(directory):
    html = directory.get("/influencers/?per_page=100").content.decode()

    assert lists(rows=100)(html) == ""
    assert lists(rows=25)(html) == "it lists 100 people, not 25"


# transaction=True: the command points Django's connection at a bench database (see test_bench.py).
@pytest.mark.django_db(transaction=True)
def test_the_run_stops_on_a_page_that_is_not_the_one_named(tmp_path, monkeypatch):
    from tests.bench.test_bench import _run

    named = pages.pages_for

    def with_the_old_deep_page(built):
        found = named(built)
        deep = next(page for page in found if page.name.startswith("UI Influencers, page "))
        deep.url = "/influencers/?page=" + deep.name.split()[-2]  # what the benchmark used to request
        return found

    monkeypatch.setattr(pages, "pages_for", with_the_old_deep_page)

    with pytest.raises(WrongPage, match=r"UI Influencers, page 3 \(marketer\): GET /influencers/\?page=3 is not"):
        _run(tmp_path, "--sections", "pages", "--page", "Influencers, page")
