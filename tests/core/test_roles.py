"""The roles hold exactly the permissions the product promises, granted after every migrate."""

import pytest
from django.apps import apps
from django.contrib.auth.models import Group, Permission

from core import roles

pytestmark = pytest.mark.django_db

ALL_MODELS = [m for label in ("crm", "campaigns", "messaging") for m in apps.get_app_config(label).get_models()]
WORK_MODELS = [m for m in ALL_MODELS if not hasattr(m, "instance_type")]
HISTORY_MODELS = [m for m in ALL_MODELS if hasattr(m, "instance_type")]
# What marketers and viewers may see at all: everything but the managers' own (imports).
SHARED_MODELS = [m for m in WORK_MODELS if (m._meta.app_label, m._meta.model_name) not in roles.MANAGER_ONLY_MODELS]


def codes(role: str) -> set[str]:
    return {
        f"{app}.{code}"
        for app, code in Group.objects.get(name=role).permissions.values_list("content_type__app_label", "codename")
    }


def expected(models, actions) -> set[str]:
    return {f"{m._meta.app_label}.{a}_{m._meta.model_name}" for m in models for a in actions}


def test_the_influencer_and_campaign_models_are_all_covered():
    names = {m._meta.model_name for m in WORK_MODELS}
    assert {"influencer", "channel", "contact", "exchange", "campaign", "relationship"} <= names
    assert {"historicalinfluencer", "historicalrelationship"} <= {m._meta.model_name for m in HISTORY_MODELS}


def test_a_manager_may_do_all_the_work_see_history_health_schedules_and_the_team_read_reports_and_unlock():
    observed = [m for label in ("health", "django_celery_beat") for m in apps.get_app_config(label).get_models()]
    assert codes(roles.MANAGER) == (
        expected(WORK_MODELS, ("view", "add", "change", "delete"))
        | expected(HISTORY_MODELS, ("view",))
        | expected(observed, ("view",))
        | {"reports.view_reports", "auth.view_user"}
        | {"axes.view_accessattempt", "axes.delete_accessattempt"}
        | {"core.view_teamrules", "core.change_teamrules", "core.view_historicalteamrules"}
    )


def test_a_marketer_may_view_add_and_change_but_never_delete():
    assert codes(roles.MARKETER) == expected(SHARED_MODELS, ("view", "add", "change")) | expected(
        HISTORY_MODELS, ("view",)
    )
    assert not any(code.split(".")[1].startswith("delete_") for code in codes(roles.MARKETER))


def test_a_viewer_may_only_view():
    assert codes(roles.VIEWER) == expected(SHARED_MODELS + HISTORY_MODELS, ("view",))


def test_only_a_manager_may_import_a_directory_file(alice, bob, carol):
    assert alice.has_perm("crm.add_importjob") and alice.has_perm("crm.view_importjob")
    assert not any(user.has_perm(f"crm.{a}_importjob") for user in (bob, carol) for a in ("view", "add", "change"))


def test_granting_again_takes_back_a_permission_added_by_hand():
    group = Group.objects.get(name=roles.VIEWER)
    group.permissions.add(Permission.objects.get(codename="delete_influencer"))

    roles.grant_role_permissions()

    assert "crm.delete_influencer" not in codes(roles.VIEWER)


def test_the_named_users_hold_their_role(alice, bob, carol):
    assert alice.has_perm("crm.delete_influencer") and alice.is_staff
    assert bob.has_perm("campaigns.change_relationship") and not bob.has_perm("campaigns.delete_relationship")
    assert carol.has_perm("crm.view_influencer") and not carol.has_perm("crm.change_influencer")
