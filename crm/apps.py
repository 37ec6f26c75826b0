from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class CrmConfig(AppConfig):
    name = "crm"
    verbose_name = _("Community")

    def ready(self) -> None:
        from crm import checks, lookups, roles  # noqa: F401  (checks and lookups register themselves)

        # After every migrate, so that new models' permissions reach the roles without a data migration.
        post_migrate.connect(roles.grant_after_migrate, sender=self, dispatch_uid="crm.grant_role_permissions")
