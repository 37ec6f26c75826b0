"""gunicorn settings, read from the environment (the same file serves `make run` and Compose)."""

import os

bind = os.environ.get("BIND", "127.0.0.1:8000")
# Reload on code changes when developing.
reload = os.environ.get("DEBUG", "true").lower() in ("1", "true", "yes", "on")
# In production, one worker more than the machine has cores, two threads each: while one request waits on the
# database another runs: the load test's best p95 on 2 cores, against 2 workers and gunicorn's usual 2 × cores + 1,
# whose extra processes take turns on the same cores (docs/PERFORMANCE.md, "Figures behind the code"). When
# developing (`make run`, reloading), 2 are enough whatever the machine.
# WEB_CONCURRENCY and WEB_THREADS override.
workers = int(os.environ.get("WEB_CONCURRENCY", 2 if reload else (os.cpu_count() or 1) + 1))
threads = int(os.environ.get("WEB_THREADS", "2"))
timeout = 30
# Idle workers stop at once; a request still running has this long, within honcho's 5 s before a SIGKILL when
# Ctrl-C stops `make run`.
graceful_timeout = 3 if reload else 30  # 30: gunicorn's default
accesslog = "-"
# No time of their own on gunicorn's lines: the process manager stamps each line, in one time zone (the
# master's clock is the machine's, the workers' the team's: Django sets TZ). See LOGGING in config/settings.py.
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms "%(a)s"'
logconfig_dict = {
    # Django's LOGGING takes the root logger over in the workers; until then, only warnings (not django-environ's
    # "no .env file").
    "root": {"level": "WARNING", "handlers": ["console"]},
    "formatters": {"generic": {"format": "[%(process)d] [%(levelname)s] %(message)s"}},
    # Not also through the root logger: Django's handler there would print each line a second time.
    "loggers": {
        "gunicorn.error": {"level": "INFO", "handlers": ["error_console"], "propagate": False},
        "gunicorn.access": {"level": "INFO", "handlers": ["console"], "propagate": False},
    },
}
