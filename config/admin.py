"""The admin site: the team's work first (people, campaigns, messages, reports), the plumbing under one "System".

Managers open the admin for the directory, the campaigns and the reports; the login records, the beat schedules,
users and groups and the heartbeats were sections of the same rank, in alphabetical order, with third-party names
("Periodic Tasks", and its French "Tâches périodique"). They are kept, listed together last.
"""

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.utils.translation import gettext_lazy as _

# The apps whose sections lead, in this order; every other app's models go under "System".
WORK_APPS = ("crm", "campaigns", "messaging", "reports", "core")
# Third-party words our catalogue says better; it wins over the app's own (django-celery-beat's French reads
# "tâches périodique"). Listed here so that makemessages keeps them.
REWORDED = (_("periodic tasks"),)


class CrmAdminSite(admin.AdminSite):
    site_header = site_title = _("Influence CRM")

    def get_app_list(self, request, app_label=None):
        app_list = super().get_app_list(request, app_label)
        if app_label is not None:
            return app_list
        work = sorted(
            (a for a in app_list if a["app_label"] in WORK_APPS), key=lambda a: WORK_APPS.index(a["app_label"])
        )
        system = [model for a in app_list if a["app_label"] not in WORK_APPS for model in a["models"]]
        if system:
            work.append(
                {
                    "name": _("System"),
                    "app_label": "system",
                    # Not an app's page: an anchor, which no admin path contains (the sidebar marks the current app
                    # by whether its URL is in the path).
                    "app_url": "#system",
                    "has_module_perms": True,
                    "models": sorted(system, key=lambda model: str(model["name"]).lower()),
                }
            )
        return work


class CrmAdminConfig(AdminConfig):
    default_site = "config.admin.CrmAdminSite"
