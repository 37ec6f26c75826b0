"""The three roles of the product, as Django groups, and the permissions each one holds.

The groups are created by a migration; their permissions are (re)granted after every
`migrate` by `grant_role_permissions()`, so a new model gets its permissions without a
hand-written data migration. Granting is a `set()`: a permission added by hand in the
admin to one of these groups is taken away again at the next migrate — the code is the
source of truth for what a role may do.
"""

from django.apps import apps as global_apps
from django.db import DEFAULT_DB_ALIAS

MANAGER = "Manager"
MARKETER = "Marketer"
VIEWER = "Viewer"
ROLES = (MANAGER, MARKETER, VIEWER)

# The apps whose data the team works on: people, campaigns, and the outbox (follow-ups, thank-yous, templates,
# each member's own settings).
WORK_APPS = ("crm", "campaigns", "messaging")
# Apps a manager may look at in the admin but not change (operations, schedules).
OBSERVED_APPS = ("health", "django_celery_beat")
# Models of the work apps only managers touch: an import writes the whole directory at once; the mailboxes' admin
# lists everyone's mailbox and sets up the shared ones (each member connects their own on their mailbox page).
# Mail from strangers (their addresses, what they wrote) is its mailbox owner's to sort out in the web UI, and the
# managers': not every marketer's to browse.
MANAGER_ONLY_MODELS = {
    ("crm", "importjob"),
    ("crm", "bouncingaddress"),
    ("messaging", "mailbox"),
    ("messaging", "unknownsender"),
}
# The managers' reports: one permission, on the reports app's table-less model.
REPORTS_PERMISSION = ("reports", "view_reports")
# Managers see the team's accounts (read only): the admin's "owner" boxes complete against them, and Django's
# autocomplete answers only those who may view the related model.
TEAM_PERMISSION = ("auth", "view_user")
# Managers unlock a teammate locked out by the login lockout: they see django-axes' attempts and delete one (the
# lock is the attempt). The access log (every login's address) and the failure log stay with superusers.
LOCKOUT_PERMISSIONS = {("axes", "view_accessattempt"), ("axes", "delete_accessattempt")}

# The team's own rules (core.models.TeamRules: guardrails, clocks, sending hours): managers read and change them, and
# read their history; there is one row, never added nor deleted by hand.
TEAM_RULES_PERMISSIONS = {
    ("core", "view_teamrules"),
    ("core", "change_teamrules"),
    ("core", "view_historicalteamrules"),
}

ALL_ACTIONS = ("view", "add", "change", "delete")


def _is_history(model) -> bool:
    # simple_history's generated models carry the tracked model as `instance_type`.
    return hasattr(model, "instance_type")


def role_permission_codes(apps=global_apps) -> dict[str, set[tuple[str, str]]]:
    """(app_label, codename) pairs each role should hold.

    Manager: everything on crm, campaigns and messaging; view on their history, on health and on the beat schedules;
    the reports; view on the team's accounts; view and delete on login lockouts (to unlock a teammate).
    Marketer: view, add and change on crm, campaigns and messaging (no delete); view on their history.
    Viewer: view only, history included.
    Neither marketers nor viewers get anything on MANAGER_ONLY_MODELS.
    """
    roles: dict[str, set[tuple[str, str]]] = {MANAGER: set(), MARKETER: set(), VIEWER: set()}
    for label in WORK_APPS:
        for model in apps.get_app_config(label).get_models():
            name = model._meta.model_name
            view = (label, f"view_{name}")
            if _is_history(model):
                for role in ROLES:
                    roles[role].add(view)
                continue
            roles[MANAGER].update((label, f"{action}_{name}") for action in ALL_ACTIONS)
            if (label, name) in MANAGER_ONLY_MODELS:
                continue
            roles[MARKETER].update((label, f"{action}_{name}") for action in ("view", "add", "change"))
            roles[VIEWER].add(view)
    for label in OBSERVED_APPS:
        try:
            config = apps.get_app_config(label)
        except LookupError:
            continue
        for model in config.get_models():
            roles[MANAGER].add((label, f"view_{model._meta.model_name}"))
    if apps.is_installed(REPORTS_PERMISSION[0]):
        roles[MANAGER].add(REPORTS_PERMISSION)
    roles[MANAGER].add(TEAM_PERMISSION)
    if apps.is_installed("core"):
        roles[MANAGER].update(TEAM_RULES_PERMISSIONS)
    if apps.is_installed("axes"):
        roles[MANAGER].update(LOCKOUT_PERMISSIONS)
    return roles


def grant_role_permissions(*, using: str = DEFAULT_DB_ALIAS) -> None:
    """Create the role groups if needed and give each exactly its permissions."""
    from django.contrib.auth.management import create_permissions
    from django.contrib.auth.models import Group, Permission

    # post_migrate runs app by app; make sure every permission we hand out exists already,
    # whatever the order in which the apps' own post_migrate handlers run.
    labels = WORK_APPS + OBSERVED_APPS + (REPORTS_PERMISSION[0], TEAM_PERMISSION[0], "axes", "core")
    for label in labels:
        try:
            config = global_apps.get_app_config(label)
        except LookupError:
            continue
        create_permissions(config, verbosity=0, using=using)

    wanted = role_permission_codes()
    by_code = {
        (p.content_type.app_label, p.codename): p
        for p in Permission.objects.using(using)
        .select_related("content_type")
        .filter(content_type__app_label__in=labels)
    }
    for role, codes in wanted.items():
        group, _ = Group.objects.using(using).get_or_create(name=role)
        group.permissions.set([by_code[code] for code in sorted(codes) if code in by_code])


def grant_after_migrate(sender, using: str = DEFAULT_DB_ALIAS, **kwargs) -> None:
    grant_role_permissions(using=using)
