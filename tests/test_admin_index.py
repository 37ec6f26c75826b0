"""The admin's index: the team's work first, the plumbing under one "System" heading (issue 18)."""

import re

import pytest


def sections(html: str) -> list[str]:
    return re.findall(r'<a href="[^"]*" class="section" title="[^"]*">([^<]+)</a>', html)


@pytest.mark.django_db
def test_a_manager_sees_the_work_first_and_the_plumbing_last_under_system(client, alice):
    client.force_login(alice)

    html = client.get("/admin/").content.decode()

    assert sections(html) == ["Community", "Campaigns", "Messages", "Reports", "Team", "System"]
    system = html[html.index('class="app-system module') :]
    for model in ("Periodic tasks", "Users", "Heartbeats", "Access attempts"):
        assert f">{model}</a>" in system, model


@pytest.mark.django_db
def test_in_french_the_system_heading_replaces_the_misspelt_third_party_one(client, alice):
    client.force_login(alice)

    html = client.get("/admin/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()

    assert sections(html)[-1] == "Système"
    assert ">Tâches périodiques</a>" in html and "périodique<" not in html.lower()


@pytest.mark.django_db
def test_an_app_s_own_page_is_still_that_app_alone(client, alice):
    client.force_login(alice)

    html = client.get("/admin/crm/").content.decode()

    assert sections(html) == ["Community"]
