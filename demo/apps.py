from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo's people and their story (`manage.py seed_demo`, run by `make run`)."""

    name = "demo"
