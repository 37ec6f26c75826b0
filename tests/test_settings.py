"""Settings are read from the environment; each case starts a fresh interpreter with a controlled environment."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError

BASE_DIR = Path(__file__).resolve().parents[1]
PROBE = (
    "import json, django; from django.conf import settings; django.setup(); "
    "print(json.dumps({'debug': settings.DEBUG, 'db': settings.DATABASES['default']['ENGINE'], "
    "'broker': settings.CELERY_BROKER_URL, 'email': settings.EMAIL_BACKEND, 'tz': settings.TIME_ZONE, "
    "'hosts': settings.ALLOWED_HOSTS}))"
)
SECURITY_PROBE = (
    "import json, django; from django.conf import settings; django.setup(); "
    "names = ['SESSION_COOKIE_SECURE', 'CSRF_COOKIE_SECURE', 'SECURE_SSL_REDIRECT', 'SECURE_HSTS_SECONDS', "
    "'SECURE_HSTS_INCLUDE_SUBDOMAINS', 'SECURE_HSTS_PRELOAD', 'SECURE_PROXY_SSL_HEADER', 'TRUSTED_PROXY_COUNT', "
    "'X_FRAME_OPTIONS', 'SECURE_CONTENT_TYPE_NOSNIFF', 'SECURE_REFERRER_POLICY', 'LANGUAGE_COOKIE_SECURE', "
    "'LANGUAGE_COOKIE_SAMESITE', 'LANGUAGE_COOKIE_HTTPONLY', 'SESSION_COOKIE_SAMESITE', 'CSRF_COOKIE_SAMESITE', "
    "'SESSION_COOKIE_AGE']; "
    "print(json.dumps({name: getattr(settings, name) for name in names}))"
)
# A Fernet key (32 bytes, URL-safe base64) that is no secret.
TEST_KEY = "MDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDA="
OUR_VARIABLES = ("DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "MAILBOX_KEYS", "DATABASE_URL", "REDIS_URL", "EMAIL_URL", "TIME_ZONE")
SECURITY_VARIABLES = (
    "SECURE_SSL_REDIRECT",
    "TRUST_X_FORWARDED_PROTO",
    "TRUSTED_PROXY_COUNT",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_HSTS_PRELOAD",
    "SESSION_IDLE_TIMEOUT_SECONDS",
)


def run_settings(probe: str = PROBE, **env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in OUR_VARIABLES + SECURITY_VARIABLES}
    clean.update(env, DJANGO_SETTINGS_MODULE="config.settings")
    return subprocess.run(
        [sys.executable, "-c", probe], cwd=BASE_DIR, env=clean, capture_output=True, text=True, timeout=60
    )


def test_with_nothing_set_it_runs_locally_without_any_server():
    result = run_settings()

    assert result.returncode == 0, result.stderr
    seen = json.loads(result.stdout)
    assert seen["debug"] is True
    assert seen["db"] == "django.db.backends.sqlite3"
    assert seen["broker"] == "filesystem://"
    assert seen["email"] == "messaging.console.EmailBackend"  # the text a person reads, not MIME source
    assert seen["tz"] == "Europe/Paris"


def test_urls_switch_to_postgresql_redis_and_smtp():
    result = run_settings(
        DATABASE_URL="postgres://u:p@db.example:5432/crm",
        REDIS_URL="redis://cache.example:6379/1",
        EMAIL_URL="smtp://mail.example:2525",
        TIME_ZONE="America/Montreal",
    )

    assert result.returncode == 0, result.stderr
    seen = json.loads(result.stdout)
    assert seen["db"] == "django.db.backends.postgresql"
    assert seen["broker"] == "redis://cache.example:6379/1"
    assert seen["email"] == "django.core.mail.backends.smtp.EmailBackend"
    assert seen["tz"] == "America/Montreal"


def test_with_debug_off_a_missing_secret_key_stops_start_up_with_a_clear_message():
    result = run_settings(DEBUG="false", ALLOWED_HOSTS="crm.example.com", MAILBOX_KEYS=TEST_KEY)

    assert result.returncode != 0
    assert "SECRET_KEY must be set when DEBUG is off" in result.stderr


def test_with_debug_off_missing_allowed_hosts_stops_start_up_with_a_clear_message():
    result = run_settings(DEBUG="false", SECRET_KEY="x" * 50, MAILBOX_KEYS=TEST_KEY)

    assert result.returncode != 0
    assert "ALLOWED_HOSTS must be set when DEBUG is off" in result.stderr


def test_with_debug_off_missing_mailbox_keys_stops_start_up_with_a_clear_message():
    result = run_settings(DEBUG="false", SECRET_KEY="x" * 50, ALLOWED_HOSTS="crm.example.com")

    assert result.returncode != 0
    assert "MAILBOX_KEYS must be set when DEBUG is off" in result.stderr


def test_with_debug_off_and_both_set_it_starts():
    result = run_settings(DEBUG="false", SECRET_KEY="x" * 50, ALLOWED_HOSTS="crm.example.com", MAILBOX_KEYS=TEST_KEY)

    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["hosts"] == ["crm.example.com"]


def test_every_variable_is_documented_in_env_example():
    documented = (BASE_DIR / ".env.example").read_text()

    for name in OUR_VARIABLES + SECURITY_VARIABLES + ("DEFAULT_FROM_EMAIL",):
        assert f"{name}=" in documented, name


def test_locally_cookies_and_pages_work_over_plain_http():
    result = run_settings(SECURITY_PROBE)

    assert result.returncode == 0, result.stderr
    seen = json.loads(result.stdout)
    assert (seen["SESSION_COOKIE_SECURE"], seen["CSRF_COOKIE_SECURE"], seen["SECURE_SSL_REDIRECT"]) == (
        False,
        False,
        False,
    )
    assert seen["LANGUAGE_COOKIE_SECURE"] is False
    assert seen["SECURE_HSTS_SECONDS"] == 0


def test_in_production_cookies_are_secure_https_is_enforced_and_no_proxy_header_is_trusted():
    result = run_settings(SECURITY_PROBE, DEBUG="false", SECRET_KEY="x" * 50, ALLOWED_HOSTS="crm.example.com", MAILBOX_KEYS=TEST_KEY
    )

    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {
        "SESSION_COOKIE_SECURE": True,
        "CSRF_COOKIE_SECURE": True,
        "SECURE_SSL_REDIRECT": True,
        "SECURE_HSTS_SECONDS": 31_536_000,
        "SECURE_HSTS_INCLUDE_SUBDOMAINS": True,
        "SECURE_HSTS_PRELOAD": True,
        "SECURE_PROXY_SSL_HEADER": None,
        "TRUSTED_PROXY_COUNT": 0,
        "X_FRAME_OPTIONS": "DENY",
        "SECURE_CONTENT_TYPE_NOSNIFF": True,
        "SECURE_REFERRER_POLICY": "same-origin",
        # The language switcher's cookie is kept like the session's and the CSRF token's (issue 14).
        "LANGUAGE_COOKIE_SECURE": True,
        "LANGUAGE_COOKIE_SAMESITE": "Lax",
        "LANGUAGE_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "CSRF_COOKIE_SAMESITE": "Lax",
        # An idle session ends after 8 hours.
        "SESSION_COOKIE_AGE": 8 * 3600,
    }


def test_behind_a_tls_proxy_its_headers_are_trusted_once_configured():
    result = run_settings(
        SECURITY_PROBE,
        DEBUG="false",
        SECRET_KEY="x" * 50,
        ALLOWED_HOSTS="crm.example.com",
        MAILBOX_KEYS=TEST_KEY,
        TRUST_X_FORWARDED_PROTO="true",
        TRUSTED_PROXY_COUNT="1",
        SECURE_HSTS_SECONDS="3600",
    )

    assert result.returncode == 0, result.stderr
    seen = json.loads(result.stdout)
    assert seen["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]
    assert seen["TRUSTED_PROXY_COUNT"] == 1
    assert seen["SECURE_HSTS_SECONDS"] == 3600


@pytest.mark.parametrize(
    ("password", "refused_because"),
    [
        ("k7#Qz", {"password_too_short"}),
        ("password123", {"password_too_common"}),
        ("73920481", {"password_entirely_numeric"}),
        ("sophie.martin", {"password_too_similar"}),
    ],
)
def test_weak_passwords_are_refused(password, refused_because):
    member = get_user_model()(username="sophie.martin", email="sophie.martin@team.example")

    with pytest.raises(ValidationError) as refused:
        validate_password(password, user=member)

    assert {error.code for error in refused.value.error_list} == refused_because


def test_a_long_uncommon_password_is_accepted():
    member = get_user_model()(username="sophie.martin", email="sophie.martin@team.example")

    assert validate_password("correct horse battery staple", user=member) is None


def test_the_idle_timeout_is_read_from_the_environment():
    result = run_settings(SECURITY_PROBE, SESSION_IDLE_TIMEOUT_SECONDS="900")

    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["SESSION_COOKIE_AGE"] == 900
