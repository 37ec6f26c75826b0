from django.apps import AppConfig
from django.contrib.auth.signals import user_logged_in
from django.utils.translation import gettext_lazy as _

from config.middleware import start_idle_clock


class CoreConfig(AppConfig):
    """The toolkit every app uses (fields, validators, labels, links, paging, roles, form and admin bases), and the
    team's own rules (core.models.TeamRules)."""

    name = "core"
    verbose_name = _("Team")

    def ready(self) -> None:
        from core import (
            lookups,  # noqa: F401  (registers itself on IntegerField)
            rules,  # noqa: F401  (keeps the team's rules fresh when they are saved)
        )

        # The team's sessions end when left idle (config.middleware.session_idle_timeout); the clock starts at login.
        user_logged_in.connect(start_idle_clock, dispatch_uid="core.start_idle_clock")
