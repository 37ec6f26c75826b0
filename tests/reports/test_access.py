"""Reports are the managers': everyone else gets a 403 on every page and every export, even with staff status."""

import pytest
from django.test import Client
from django.urls import reverse

from reports.registry import REPORTS

pytestmark = pytest.mark.django_db

URLS = [reverse("admin:reports_report_changelist")] + [
    reverse(f"admin:reports_report_{view}", args=[slug]) for slug in REPORTS for view in ("detail", "csv", "xlsx")
]


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_every_report_page_and_export_is_walked():
    assert len(URLS) == 1 + 3 * 8


@pytest.mark.parametrize("url", URLS)
def test_marketers_and_viewers_get_a_403(bob, carol, url):
    assert client_for(bob).get(url).status_code == 403
    assert client_for(carol).get(url).status_code == 403


def test_staff_status_is_not_enough_it_takes_the_permission(bob, carol):
    for user in (bob, carol):
        user.is_staff = True
        user.save()
        client = client_for(user)
        assert [client.get(url).status_code for url in URLS] == [403] * len(URLS)


@pytest.mark.parametrize("url", URLS)
def test_a_manager_sees_them(alice, url):
    assert client_for(alice).get(url).status_code == 200


def test_an_anonymous_visitor_is_sent_to_log_in(client):
    response = client.get(URLS[1])

    assert response.status_code == 302
    assert response["Location"].startswith(("/login/", "/admin/login/"))


def test_the_admin_index_has_a_reports_entry_for_managers_only(alice, bob):
    bob.is_staff = True
    bob.save()
    overview = reverse("admin:reports_report_changelist")

    assert f'href="{overview}"' in client_for(alice).get(reverse("admin:index")).content.decode()
    assert f'href="{overview}"' not in client_for(bob).get(reverse("admin:index")).content.decode()


def test_an_unknown_report_is_a_404(alice):
    assert client_for(alice).get(reverse("admin:reports_report_detail", args=["nothing"])).status_code == 404
