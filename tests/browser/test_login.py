import pytest
from django.contrib.auth.models import Group

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def marketer(django_user_model):
    user = django_user_model.objects.create_user(username="marketer", password="demo", first_name="Hugo")
    user.groups.add(Group.objects.get(name="Marketer"))
    return user


def log_in(page, username: str, password: str):
    page.goto("/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.press("input[name=password]", "Enter")
    page.wait_for_load_state()


def test_a_browser_that_asks_for_french_gets_a_french_page_after_login(page_in, marketer):
    page = page_in("fr-FR")

    page.goto("/")
    assert page.locator("h1").inner_text() == "Se connecter"
    log_in(page, "marketer", "demo")

    assert page.locator("html").get_attribute("lang") == "fr"
    assert page.locator("h1").inner_text() == "Bonjour Hugo"
    assert page.get_by_role("link", name="Aujourd’hui").is_visible()
    page.locator("#user-menu").click()  # the member's menu, under their name
    assert page.get_by_role("button", name="Se déconnecter").is_visible()


def test_the_language_switcher_remembers_the_choice(page_in, marketer):
    page = page_in("en-GB")
    log_in(page, "marketer", "demo")
    assert page.locator("h1").inner_text() == "Hello Hugo"

    page.select_option("#language-select", "fr")
    page.get_by_role("button", name="Change").click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "Bonjour Hugo"

    page.goto("/")
    assert page.locator("h1").inner_text() == "Bonjour Hugo"
