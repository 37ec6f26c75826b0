from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _

from core import roles


class CrmConfig(AppConfig):
    name = "crm"
    verbose_name = _("Community")

    def ready(self) -> None:
        from crm import checks  # noqa: F401  (registers itself)

        # After every migrate, so that new models' permissions reach the roles without a data migration. Sent by
        # this app, not core's: Django sends post_migrate only for apps that have models.
        post_migrate.connect(roles.grant_after_migrate, sender=self, dispatch_uid="crm.grant_role_permissions")
