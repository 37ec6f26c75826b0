import gc
import os

from celery import Celery, signals

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("config")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@signals.worker_shutdown.connect
def _skip_the_last_collection(**_kwargs) -> None:
    """Python's collection at exit walks the whole heap (Django and every app) for nothing: the process ends.
    It pushed a warm shutdown close to honcho's 5 s before SIGKILL in `make run` (docs/PERFORMANCE.md)."""
    gc.freeze()
