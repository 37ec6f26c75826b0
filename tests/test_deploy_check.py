"""`manage.py check --deploy --fail-level WARNING` passes with the production environment, and fails when one
production setting is weakened: each case runs manage.py in a fresh interpreter with a controlled environment."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

BASE_DIR = Path(__file__).resolve().parents[1]
# Variables the developer's shell or the test session may have set: the check sees only what the case gives.
CLEARED = (
    "DEBUG",
    "SECRET_KEY",
    "ALLOWED_HOSTS",
    "DATABASE_URL",
    "REDIS_URL",
    "EMAIL_URL",
    "SECURE_SSL_REDIRECT",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_HSTS_PRELOAD",
    "TRUST_X_FORWARDED_PROTO",
    "TRUSTED_PROXY_COUNT",
    "SESSION_IDLE_TIMEOUT_SECONDS",
    # Set by tests/browser/conftest.py for Playwright in this process; never in production (async.E001).
    "DJANGO_ALLOW_ASYNC_UNSAFE",
)


@pytest.fixture
def production_env(tmp_path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in CLEARED}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        DEBUG="false",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="crm.example.com",
        MAILBOX_KEYS="MDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDA=",
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        CELERY_BROKER_FOLDER=str(tmp_path / "celery"),
        EMAIL_URL="smtp://mail.example.com:587/?tls=True",
        SITE_URL="https://crm.example.com",
    )
    return env


def deploy_check(env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_deploy_check_passes_with_the_production_environment(production_env):
    result = deploy_check(production_env)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


@pytest.mark.parametrize(
    ("weakened", "warning"),
    [
        ({"SECRET_KEY": "x" * 50}, "security.W009"),
        ({"SECRET_KEY": "django-insecure-" + secrets.token_urlsafe(50)}, "security.W009"),
        ({"SECURE_HSTS_SECONDS": "0"}, "security.W004"),
        ({"SECURE_HSTS_INCLUDE_SUBDOMAINS": "false"}, "security.W005"),
        ({"SECURE_HSTS_PRELOAD": "false"}, "security.W021"),
        ({"SECURE_SSL_REDIRECT": "false"}, "security.W008"),
        ({"DEBUG": "true"}, "security.W018"),
    ],
    ids=[
        "short-alphabet-key",
        "insecure-key",
        "no-hsts",
        "hsts-without-subdomains",
        "hsts-without-preload",
        "no-ssl-redirect",
        "debug",
    ],
)
def test_the_deploy_check_fails_when_a_production_setting_is_weakened(production_env, weakened, warning):
    result = deploy_check({**production_env, **weakened})

    assert result.returncode == 1, result.stdout + result.stderr
    assert warning in result.stderr
