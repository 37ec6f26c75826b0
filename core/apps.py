from django.apps import AppConfig
from django.contrib.auth.signals import user_logged_in

from config.middleware import start_idle_clock


class CoreConfig(AppConfig):
    """The toolkit every app uses (fields, validators, labels, links, paging, roles, form and admin bases)."""

    name = "core"

    def ready(self) -> None:
        from core import lookups  # noqa: F401  (registers itself on IntegerField)

        # The team's sessions end when left idle (config.middleware.session_idle_timeout); the clock starts at login.
        user_logged_in.connect(start_idle_clock, dispatch_uid="core.start_idle_clock")
