from django.apps import AppConfig
from django.contrib.auth.signals import user_logged_in
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class CrmConfig(AppConfig):
    name = "crm"
    verbose_name = _("Community")

    def ready(self) -> None:
        from crm import checks, lookups, roles  # noqa: F401  (checks and lookups register themselves)

        # After every migrate, so that new models' permissions reach the roles without a data migration.
        post_migrate.connect(roles.grant_after_migrate, sender=self, dispatch_uid="crm.grant_role_permissions")
        # The team's sessions end when left idle (config.middleware.session_idle_timeout); the clock starts at login.
        from config.middleware import start_idle_clock

        user_logged_in.connect(start_idle_clock, dispatch_uid="crm.start_idle_clock")
