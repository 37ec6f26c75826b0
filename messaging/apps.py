from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MessagingConfig(AppConfig):
    name = "messaging"
    verbose_name = _("Messages")

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from messaging.timezones import remember_at_login

        user_logged_in.connect(remember_at_login, dispatch_uid="messaging.remember_timezone")
