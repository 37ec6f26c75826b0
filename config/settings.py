"""Settings for the influencer relationship tracker, read from the environment.

With nothing set the project runs locally with no server at all: DEBUG on,
SQLite in var/, Celery on kombu's filesystem transport in var/, e-mail to the
console. `.env.example` lists every variable. With DEBUG off, a missing secret
stops start-up instead of falling back to a default.
"""

from datetime import timedelta
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env")

DEBUG = env.bool("DEBUG", default=True)


def _required_in_production(name: str, value):
    if not DEBUG and not value:
        raise ImproperlyConfigured(f"{name} must be set when DEBUG is off. See .env.example for what it means.")
    return value


SECRET_KEY = _required_in_production("SECRET_KEY", env.str("SECRET_KEY", default=""))
if DEBUG and not SECRET_KEY:
    SECRET_KEY = "django-insecure-local-development-only"

# The mailboxes' passwords are encrypted at rest with these Fernet keys (messaging.mailbox.secrets): the first
# encrypts, every one decrypts, so a new key goes first and the old one stays until every mailbox is saved again.
# Locally, with none set, one key is derived from SECRET_KEY.
MAILBOX_KEYS = _required_in_production("MAILBOX_KEYS", env.list("MAILBOX_KEYS", default=[]))

ALLOWED_HOSTS = _required_in_production(
    "ALLOWED_HOSTS", env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"] if DEBUG else [])
)

INSTALLED_APPS = [
    "config.admin.CrmAdminConfig",  # django.contrib.admin, with the work's sections first (config/admin.py)
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "axes",
    "csp",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_htmx",
    "django_celery_beat",
    "simple_history",
    "import_export",
    "core",
    "health",
    "crm",
    "campaigns",
    "messaging",
    "reports",
    "desk",
    "demo",
    "bench",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # A NUL in a URL parameter is a 400 before any view puts it in a query (PostgreSQL refuses NUL): issue #8.
    "config.middleware.refuse_nul_in_url",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # After the sessions' middleware, so that its answer passes here first: a session it marks gets saved.
    "config.middleware.session_idle_timeout",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "messaging.timezones.MemberTimezoneMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------
VAR_DIR.mkdir(exist_ok=True)
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # PostgreSQL's default random_page_cost (4) prices reading a row through an index as on a spinning disk; on SSDs
    # or data held in memory 1.1 is the usual setting. With 4, the directory's search read every person and hashed
    # them instead of reading the few that match by id, at twice the time (docs/PERFORMANCE.md, "Figures behind
    # the code").
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault(
        "options", f"-c random_page_cost={env.float('PG_RANDOM_PAGE_COST', default=1.1)}"
    )
    # Prepared statements only where the code asks for one (messaging.delivery's "sent" UPDATE, once per mail):
    # Django's cursors bind parameters on the client and never prepare, and the threshold is never reached.
    # Django turns them off by default for transaction-mode poolers; behind one that cannot hold them (PgBouncer
    # before 1.21), set PG_PREPARED_STATEMENTS=false: the statement is then planned each time.
    if env.bool("PG_PREPARED_STATEMENTS", default=True):
        DATABASES["default"]["OPTIONS"].setdefault("prepare_threshold", 2**31 - 1)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A file, not ":memory:", so that a real worker process can share the test database.
    _db_file = Path(DATABASES["default"]["NAME"])
    DATABASES["default"]["TEST"] = {"NAME": str(_db_file.with_name(_db_file.stem + "-test.sqlite3"))}
    DATABASES["default"]["OPTIONS"] = {"timeout": 20, "transaction_mode": "IMMEDIATE"}
    # Issue 7 (dispatch): WAL lets the web read while a worker writes, and with synchronous=NORMAL a commit costs
    # no fsync (the largest cost of a commit otherwise): the sender commits once per sent mail. A killed process
    # loses nothing committed; only a power cut can lose the last commits.
    DATABASES["default"]["OPTIONS"]["init_command"] = "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Auth -----------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# --- Login lockout (django-axes) ---
# Axes' backend comes first: it refuses a locked-out (username, address) pair before the password is even checked.
# config.auth.ModelBackend is Django's, with a member's permissions read in one query instead of two (issue 7).
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "config.auth.ModelBackend"]
# 5 failed logins for one username from one address lock that pair, and only that pair, for 15 minutes: a
# guesser cannot lock a colleague out from elsewhere, and one office address does not lock the whole team.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
# The lock ends 15 minutes after it began, as the page says; a retry during the lock does not push the end back.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_LOCKOUT_CALLABLE = "config.lockout.lockout_response"
# The client address: REMOTE_ADDR, unless TRUSTED_PROXY_COUNT proxies are declared in front of the app (see
# config.lockout). X-Forwarded-For is written by anyone, so it is read only when a proxy is known to set it.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
AXES_USERNAME_CALLABLE = "config.lockout.client_username"
AXES_CLIENT_IP_CALLABLE = "config.lockout.client_ip"
# --- end of Login lockout ---

# --- HTTPS, cookies and headers ---
# Secure cookies and HTTPS redirects in production; a local run (DEBUG on) stays on plain http.
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
# The language switcher's cookie too: sent over https only, never on another site's requests, unread by scripts.
LANGUAGE_COOKIE_SECURE = not DEBUG
LANGUAGE_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_HTTPONLY = True
# A session left idle this long ends: the next request is sent to log in. Each request pushes the end back
# (config.middleware.session_idle_timeout, which saves the session at most once a minute, not on every request).
SESSION_COOKIE_AGE = env.int("SESSION_IDLE_TIMEOUT_SECONDS", default=8 * 3600)
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
# The container health check calls /healthz over plain http from inside.
SECURE_REDIRECT_EXEMPT = [r"^healthz"]
# Behind a TLS-terminating proxy the app sees http: it may trust the proxy's X-Forwarded-Proto, but only when told
# that such a proxy is there (anyone can send that header to an app that faces the internet directly).
if env.bool("TRUST_X_FORWARDED_PROTO", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Content Security Policy (django-csp), enforced. No inline script and no eval anywhere: our scripts are static
# files, data reaches them through json_script or data- attributes. Styles: stylesheets from our own origin only
# (<style> elements are refused, which is why htmx's indicator style is switched off in base.html), but style=""
# attributes are allowed, because the Django admin, django-import-export and django-simple-history templates
# write them and a style attribute cannot run code.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "style-src-attr": ["'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}
# --- end of HTTPS, cookies and headers ---

# --- Languages and time ---------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("fr", _("French"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env.str("TIME_ZONE", default="Europe/Paris")
USE_I18N = True
USE_TZ = True

# --- Static files ---------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)  # whitenoise warns at every start when it is missing
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
MEDIA_ROOT = VAR_DIR / "media"

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# --- E-mail ---------------------------------------------------------------
# EMAIL_URL, e.g. smtp://user:password@mail.example.com:587/?tls=True; console by default.
_email = env.email_url("EMAIL_URL", default="consolemail://")
if _email["EMAIL_BACKEND"] == "django.core.mail.backends.console.EmailBackend":
    # Printed as a person reads it (the text part, links whole), not as MIME source: messaging/console.py.
    _email["EMAIL_BACKEND"] = "messaging.console.EmailBackend"
vars().update(_email)
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=20)
# An e-mail service through django-anymail instead of SMTP: ANYMAIL_PROVIDER=mailgun|sendgrid|postmark|brevo|
# amazon_ses…, and its settings as ANYMAIL_<NAME> variables (e.g. ANYMAIL_MAILGUN_API_KEY).
ANYMAIL_PROVIDER = env.str("ANYMAIL_PROVIDER", default="")
if ANYMAIL_PROVIDER:
    EMAIL_BACKEND = f"anymail.backends.{ANYMAIL_PROVIDER}.EmailBackend"
    ANYMAIL = {
        name.removeprefix("ANYMAIL_"): value
        for name, value in env.ENVIRON.items()
        if name.startswith("ANYMAIL_") and name != "ANYMAIL_PROVIDER"
    }
# Absolute links in e-mails (unsubscribe, links to the app).
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Influence CRM <crm@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Celery ---------------------------------------------------------------
REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
else:
    # The embedded broker: messages are files in one folder that the web
    # process writes to and the worker reads from.
    _broker_dir = env.path("CELERY_BROKER_FOLDER", default=VAR_DIR / "celery")
    for _sub in ("queue", "processed", "control"):
        (Path(_broker_dir) / _sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(Path(_broker_dir) / "queue"),
        "data_folder_out": str(Path(_broker_dir) / "queue"),
        "processed_folder": str(Path(_broker_dir) / "processed"),
        # Broadcast (control) messages; kombu's default is ./control in the working directory.
        "control_folder": str(Path(_broker_dir) / "control"),
        "store_processed": False,
    }
CELERY_BROKER_CONNECTION_TIMEOUT = 3
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_IGNORE_RESULT = True
# The queue beat's tasks (and any task without a queue of its own) go to.
CELERY_TASK_DEFAULT_QUEUE = env.str("CELERY_DEFAULT_QUEUE", default="celery")
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# A local run's worker runs its tasks in threads: `make run`'s honcho signals the worker's whole process group on
# Ctrl-C, and prefork's children, stopped under their parent, left it waiting past honcho's 5 s (then SIGKILL).
# Production (Compose, systemd) signals the main process only, which stops its children itself.
CELERY_WORKER_POOL = env.str("CELERY_WORKER_POOL", default="threads" if DEBUG else "prefork")
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
# Declared here, synced into django-celery-beat's tables when beat starts.
CELERY_BEAT_SCHEDULE = {
    "health-heartbeat": {"task": "health.tasks.heartbeat", "schedule": 30.0},
    # Every 10 s (issue 7): a pass costs three indexed queries when nothing is due, and it claims at most
    # DISPATCH_MAX_IN_FLIGHT, so its period bounds how fast a backlog drains (10,000 / 10 s).
    "messaging-dispatch": {
        "task": "messaging.tasks.dispatch_due_messages",
        "schedule": env.float("DISPATCH_EVERY_SECONDS", default=10.0),
    },
    "messaging-reminders": {"task": "messaging.tasks.queue_reminders", "schedule": 600.0},
    "messaging-digests": {"task": "messaging.tasks.queue_digests", "schedule": 600.0},
}

# The worker counts as alive while its last heartbeat is younger than this.
HEALTH_WORKER_STALE_AFTER_SECONDS = env.int("HEALTH_WORKER_STALE_AFTER_SECONDS", default=120)

# --- Lifecycle rules ---
# Read by campaigns.services and crm.services; see DOMAIN.md "Stages and transitions".
# M3: a pitch is flagged when the person was pitched on unrelated topics, or more than
# GUARDRAIL_MAX_PITCHES times, within the last GUARDRAIL_WINDOW_DAYS days.
GUARDRAIL_WINDOW_DAYS = env.int("GUARDRAIL_WINDOW_DAYS", default=30)
GUARDRAIL_MAX_PITCHES = env.int("GUARDRAIL_MAX_PITCHES", default=3)
# Days after a pitch before its owner should follow up.
PITCH_FOLLOW_UP_DAYS = env.int("PITCH_FOLLOW_UP_DAYS", default=7)
# M1: contact cadence of an active relationship when neither the move nor the person gives one.
DEFAULT_CADENCE_DAYS = env.int("DEFAULT_CADENCE_DAYS", default=14)
# Brand ambassadors stay in touch between campaigns by default, every this many days.
AMBASSADOR_CADENCE_DAYS = env.int("AMBASSADOR_CADENCE_DAYS", default=30)
# --- end of Lifecycle rules ---

# --- Messaging ---
# A thank-you waits this long after the closing, so the marketer can still edit or cancel it.
THANK_YOU_DELAY_MINUTES = env.int("THANK_YOU_DELAY_MINUTES", default=60)
# Influencers get messages only in these hours of their own time zone, on these weekdays (0 = Monday).
SENDING_HOURS = (env.int("SENDING_HOUR_START", default=9), env.int("SENDING_HOUR_END", default=19))
SENDING_WEEKDAYS = tuple(env.list("SENDING_WEEKDAYS", cast=int, default=[0, 1, 2, 3, 4]))
# Team members get their digest at this hour of their own time zone, on working days.
DIGEST_HOUR = env.int("DIGEST_HOUR", default=8)
# The Celery queue that carries "send this message now" (a worker must consume it; the default queue unless set).
MESSAGES_QUEUE = env.str("MESSAGES_QUEUE", default=CELERY_TASK_DEFAULT_QUEUE)
# Dispatch (issue 7): a pass claims every due message, DISPATCH_BATCH_SIZE rows per transaction, until
# DISPATCH_MAX_IN_FLIGHT are being sent — one cap for the whole team, however many beats and workers run (the
# database holds it, issue 14); each send task takes DISPATCH_TASK_SIZE of them over one connection.
# In flight, at most: what the workers send in MESSAGE_SENDING_TIMEOUT_SECONDS (else rows still queued are taken
# for stuck and claimed again: nothing goes twice, but work is wasted); at least: DISPATCH_EVERY_SECONDS × the
# rate wanted (10,000 per 10 s pass: 1,000 msg/s).
DISPATCH_BATCH_SIZE = env.int("DISPATCH_BATCH_SIZE", default=500)
DISPATCH_TASK_SIZE = env.int("DISPATCH_TASK_SIZE", default=100)
DISPATCH_MAX_IN_FLIGHT = env.int("DISPATCH_MAX_IN_FLIGHT", default=10000)
# A send task reads its remaining rows' consent and replies again before a send when this long has passed since
# its last reading: an opt-out or a reply committed more than this before a mail starts stops it (issue 14).
DISPATCH_RECHECK_SECONDS = env.float("DISPATCH_RECHECK_SECONDS", default=0.5)
# A message claimed longer ago than this (its worker died, or the broker lost its task) goes back to the schedule:
# the rest of a killed worker's batches, and a task lost with Redis, wait this long before they go.
MESSAGE_SENDING_TIMEOUT_SECONDS = env.int("MESSAGE_SENDING_TIMEOUT_SECONDS", default=600)
# Temporary failures are retried after RETRY_BASE × 2^(attempt-1) seconds (capped), then the message fails.
MESSAGE_MAX_ATTEMPTS = env.int("MESSAGE_MAX_ATTEMPTS", default=8)
MESSAGE_RETRY_BASE_SECONDS = env.int("MESSAGE_RETRY_BASE_SECONDS", default=60)
MESSAGE_RETRY_MAX_SECONDS = env.int("MESSAGE_RETRY_MAX_SECONDS", default=3600)
UNSUBSCRIBE_MAX_AGE_DAYS = env.int("UNSUBSCRIBE_MAX_AGE_DAYS", default=365)
# The mailbox (messaging.mailbox.sync): beat looks for mailboxes due every MAILBOX_SYNC_SECONDS, and a mailbox is
# read again that long after its last sync; one that fails waits 1, 2, 4… minutes, at most
# MAILBOX_BACKOFF_MAX_SECONDS. Mail from unknown senders in a shared mailbox is kept UNKNOWN_SENDER_DAYS.
MAILBOX_SYNC_SECONDS = env.int("MAILBOX_SYNC_SECONDS", default=60)
MAILBOX_BACKOFF_MAX_SECONDS = env.int("MAILBOX_BACKOFF_MAX_SECONDS", default=3600)
UNKNOWN_SENDER_DAYS = env.int("UNKNOWN_SENDER_DAYS", default=30)
CELERY_BEAT_SCHEDULE["mailbox-sync"] = {
    "task": "messaging.tasks.sync_mailboxes",
    "schedule": float(MAILBOX_SYNC_SECONDS),
}
CELERY_BEAT_SCHEDULE["mailbox-unknown-senders"] = {
    "task": "messaging.tasks.purge_unknown_senders",
    "schedule": timedelta(days=1),
}
# --- end of Messaging ---

# --- Directory imports (crm.imports) ---
# An uploaded file waits as a queued ImportJob; beat hands queued jobs to a worker this often (web requests never
# talk to the broker), again after IMPORT_RESEND_AFTER_SECONDS if the message was lost, and fails a job still
# running after IMPORT_TIMEOUT_SECONDS (its worker died; the import is one transaction, so nothing was written).
IMPORT_SWEEP_SECONDS = env.float("IMPORT_SWEEP_SECONDS", default=2.0)
IMPORT_RESEND_AFTER_SECONDS = env.int("IMPORT_RESEND_AFTER_SECONDS", default=300)
IMPORT_TIMEOUT_SECONDS = env.int("IMPORT_TIMEOUT_SECONDS", default=3600)
CELERY_BEAT_SCHEDULE["crm-imports"] = {"task": "crm.tasks.enqueue_imports", "schedule": IMPORT_SWEEP_SECONDS}
# An uploaded workbook (a zip) is refused before it is opened when it is made of more parts than this, when one
# part or all of them unpack to more than these sizes, or when a part of over 1 MB is compressed more than
# IMPORT_ARCHIVE_MAX_RATIO times (crm.imports.reading). What real workbooks unpack to, and the worker's memory at
# the limits: docs/PERFORMANCE.md.
IMPORT_ARCHIVE_MAX_ENTRIES = env.int("IMPORT_ARCHIVE_MAX_ENTRIES", default=1000)
IMPORT_ARCHIVE_MAX_ENTRY_MB = env.int("IMPORT_ARCHIVE_MAX_ENTRY_MB", default=100)
IMPORT_ARCHIVE_MAX_TOTAL_MB = env.int("IMPORT_ARCHIVE_MAX_TOTAL_MB", default=300)
IMPORT_ARCHIVE_MAX_RATIO = env.int("IMPORT_ARCHIVE_MAX_RATIO", default=100)
# --- end of Directory imports ---

# --- Feeds (crm.feeds) ---
# A channel's feed is fetched with these bounds: the body (after decompression) at most FEED_MAX_KB, each network
# step at most FEED_TIMEOUT_SECONDS and the whole fetch at most FEED_TOTAL_SECONDS, at most FEED_MAX_REDIRECTS hops.
# A feed's address never reaches a private, loopback or link-local network (a marketer could otherwise make the
# server read the team's intranet), except the networks listed in FEED_ALLOWED_NETWORKS (CIDR; tests: loopback).
FEED_MAX_KB = env.int("FEED_MAX_KB", default=5 * 1024)
FEED_TIMEOUT_SECONDS = env.float("FEED_TIMEOUT_SECONDS", default=10.0)
FEED_TOTAL_SECONDS = env.float("FEED_TOTAL_SECONDS", default=30.0)
FEED_MAX_REDIRECTS = env.int("FEED_MAX_REDIRECTS", default=5)
FEED_ALLOWED_NETWORKS = env.list("FEED_ALLOWED_NETWORKS", default=[])
# Beat looks for feeds due every FEED_SCAN_SECONDS (crm.feeds.polling). A feed is polled FEED_POLL_MINUTES after a
# poll that found a new post, twice as long after each quiet one, and never less often than FEED_POLL_MAX_MINUTES;
# one that fails backs off the same way, and is broken once it has failed for FEED_BROKEN_AFTER_DAYS.
FEED_SCAN_SECONDS = env.int("FEED_SCAN_SECONDS", default=60)
FEED_POLL_MINUTES = env.int("FEED_POLL_MINUTES", default=60)
FEED_POLL_MAX_MINUTES = env.int("FEED_POLL_MAX_MINUTES", default=24 * 60)
FEED_BROKEN_AFTER_DAYS = env.int("FEED_BROKEN_AFTER_DAYS", default=3)
CELERY_BEAT_SCHEDULE["feeds"] = {"task": "campaigns.tasks.poll_feeds", "schedule": float(FEED_SCAN_SECONDS)}
# A channel without a feed (blog, YouTube, podcast, newsletter) has its page searched for one (crm.services.feeds):
# beat looks for channels to search every FEED_LOOKUP_SCAN_SECONDS, and a page where none was found is searched
# again after FEED_LOOKUP_DAYS.
FEED_LOOKUP_DAYS = env.int("FEED_LOOKUP_DAYS", default=30)
FEED_LOOKUP_SCAN_SECONDS = env.int("FEED_LOOKUP_SCAN_SECONDS", default=3600)
CELERY_BEAT_SCHEDULE["feed-lookup"] = {"task": "crm.tasks.find_feeds", "schedule": float(FEED_LOOKUP_SCAN_SECONDS)}
# The demo's feed server (demo.feeds_server, started by `make run`) listens on 127.0.0.1 at this port, and the demo
# data's feeds point there.
DEMO_FEEDS_PORT = env.int("DEMO_FEEDS_PORT", default=8765)
# --- end of Feeds ---

# --- Privacy (desk.privacy.erasure, messaging.retention) ---
# Sent messages keep their subject and body this many days; then a daily task blanks them (the rows stay, for
# the figures). 0 keeps them for ever.
MESSAGE_BODY_RETENTION_DAYS = env.int("MESSAGE_BODY_RETENTION_DAYS", default=365)
CELERY_BEAT_SCHEDULE["messaging-retention"] = {
    "task": "messaging.tasks.purge_old_message_bodies",
    "schedule": timedelta(days=1),
}
# The team's successful logins (address, browser) recorded by django-axes are kept this many days; 0 keeps them.
LOGIN_LOG_RETENTION_DAYS = env.int("LOGIN_LOG_RETENTION_DAYS", default=90)
CELERY_BEAT_SCHEDULE["login-log-retention"] = {"task": "crm.tasks.purge_old_login_logs", "schedule": timedelta(days=1)}
# --- end of Privacy ---

# --- Reports (reports.cache) ---
# A report's figures are kept this long at most before beat computes them again (the page says when they were
# computed, and "Recompute now" does it at once). They are kept in a table of the database, which every web process
# and the worker share, and which a broker outage does not touch; Django's own cache stays in each process.
REPORTS_REFRESH_SECONDS = env.int("REPORTS_REFRESH_SECONDS", default=600)
# Kept reports name people: erasing one (desk.privacy.erasure) drops them all, in its transaction, which is why they
# live in the database's own table. A kept report past its time is deleted by beat (it names people too).
REPORTS_CACHE = "reports"
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    REPORTS_CACHE: {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "reports_cache",
        "OPTIONS": {"MAX_ENTRIES": 2000},
    },
}
CELERY_BEAT_SCHEDULE["reports-refresh"] = {"task": "reports.tasks.refresh_reports", "schedule": REPORTS_REFRESH_SECONDS}
CELERY_BEAT_SCHEDULE["reports-purge"] = {"task": "reports.tasks.purge_expired_reports", "schedule": timedelta(hours=1)}
# --- end of Reports ---

# --- Logging --------------------------------------------------------------
# The process manager stamps each line (honcho in `make run`, `docker compose logs -t`, journald): gunicorn
# (gunicorn.conf.py) and Celery print no time of their own, so no line carries two clocks in two time zones.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"refusal_without_traceback": {"()": "config.logs.RefusalWithoutTraceback"}},
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        # Django's own console handler (DEBUG only) printed every warning a second time through the root's.
        "django": {"handlers": [], "level": "INFO"},
        "django.request": {"filters": ["refusal_without_traceback"]},
        # One line per task in the worker, "succeeded" (or failed), not also "received" (beat says it sent it).
        "celery.worker.strategy": {"level": "WARNING"},
        # A successful login is four lines; failures and lockouts are warnings, and the database keeps them all.
        "axes": {"level": "WARNING"},
    },
}
CELERY_WORKER_LOG_FORMAT = "[%(levelname)s/%(processName)s] %(message)s"
CELERY_WORKER_TASK_LOG_FORMAT = "[%(levelname)s/%(processName)s] %(task_name)s[%(task_id)s]: %(message)s"
