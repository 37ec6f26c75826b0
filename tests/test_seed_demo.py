import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

pytestmark = pytest.mark.django_db


def test_it_refuses_to_run_with_debug_off(settings):
    settings.DEBUG = False

    with pytest.raises(CommandError, match="refuses to run with DEBUG off"):
        call_command("seed_demo")

    assert not get_user_model().objects.exists()


def test_it_creates_the_three_demo_logins_in_their_groups(settings, client):
    settings.DEBUG = True

    call_command("seed_demo")

    users = {u.username: [g.name for g in u.groups.all()] for u in get_user_model().objects.all()}
    assert users == {"manager": ["Manager"], "marketer": ["Marketer"], "viewer": ["Viewer"]}
    assert client.login(username="marketer", password="demo")


def test_a_second_run_changes_nothing(settings):
    call_command("seed_demo", force=True)
    counts = _counts()

    call_command("seed_demo", force=True)

    assert _counts() == counts


def _counts() -> dict[str, int]:
    from django.apps import apps

    return {
        m._meta.label: m.objects.count() for m in apps.get_models() if m._meta.app_label in ("auth", "crm", "campaigns")
    }
