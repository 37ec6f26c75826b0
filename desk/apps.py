from django.apps import AppConfig


class DeskConfig(AppConfig):
    """The pages that pull from every app (Today, a person's timeline, the admin's latest tables), and the work
    that crosses apps (a person's privacy export and erasure)."""

    name = "desk"
