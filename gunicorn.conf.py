"""gunicorn settings, read from the environment (the same file serves `make run` and Compose)."""

import os

bind = os.environ.get("BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
threads = int(os.environ.get("WEB_THREADS", "2"))
timeout = 30
accesslog = "-"
# Reload on code changes when developing.
reload = os.environ.get("DEBUG", "true").lower() in ("1", "true", "yes", "on")
