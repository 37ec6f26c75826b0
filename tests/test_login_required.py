"""Every page needs a login, except the few that must be public."""

import pytest

from tests.urlwalk import all_routes

pytestmark = pytest.mark.django_db

PUBLIC = {"login", "healthz", "set_language", "admin:login", "unsubscribe"}


LOGIN_PAGES = ("/login/", "/admin/login/")
ROUTES = [r for r in all_routes() if r.name not in PUBLIC]


def test_the_walk_covers_the_ui_and_the_admin():
    names = {r.name for r in ROUTES}

    assert {"home", "logout", "admin:index", "admin:auth_user_changelist"} <= names


@pytest.mark.parametrize("route", ROUTES, ids=lambda r: r.name)
def test_an_anonymous_visitor_is_sent_to_the_login_page(client, route):
    response = client.get(route.path)

    assert response.status_code == 302, f"{route.path} answered {response.status_code}"
    assert response["Location"].startswith(LOGIN_PAGES), response["Location"]


def test_the_public_pages_answer_without_a_login(client):
    assert client.get("/login/").status_code == 200
    assert client.get("/healthz").status_code in (200, 503)
    assert client.get("/admin/login/").status_code == 200
    response = client.post("/i18n/setlang/", {"language": "fr", "next": "/login/"})
    assert response.status_code == 302
    assert response.cookies["django_language"].value == "fr"
