"""The login lockout's hooks into django-axes: who is knocking (client_ip, client_username), and what they see once
locked out (lockout_response).

client_ip: without a proxy in front of the app, REMOTE_ADDR is the client and X-Forwarded-For is whatever the
client chose to write: it is ignored. With TRUSTED_PROXY_COUNT = N, the N proxies in front of the app each append
the address they received the request from to X-Forwarded-For, so the N-th entry from the right is the one written
by the outermost proxy we trust: the client. Entries further left were written by the client and are never read.
"""

import ipaddress

from axes.handlers.proxy import AxesProxyHandler
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse


def _address(value: str) -> str | None:
    try:
        return str(ipaddress.ip_address(value.strip()))
    except ValueError:
        return None


def client_ip(request: HttpRequest) -> str | None:
    """AXES_CLIENT_IP_CALLABLE: the address the lockout counts failures for."""
    remote_addr = request.META.get("REMOTE_ADDR")
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies <= 0:
        return remote_addr
    forwarded = [entry for entry in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if entry.strip()]
    if len(forwarded) < proxies:
        # The request did not pass through every proxy we were told about (or one of them does not write the
        # header): nothing in it can be trusted more than the connection itself.
        return remote_addr
    return _address(forwarded[-proxies]) or remote_addr


# Axes' tables keep the username in a 255-character column.
USERNAME_LENGTH = 255


def client_username(request: HttpRequest, credentials: dict | None) -> str | None:
    """AXES_USERNAME_CALLABLE: the username as typed, cut to the length of Axes' column.

    Django's login form does not enforce the username's max_length before authenticating, so a 10,000-character
    "username" reaches Axes as it is, and PostgreSQL refuses to store it (a server error on the login page).
    """
    source = credentials or getattr(request, "data", request.POST)
    username = source.get(settings.AXES_USERNAME_FORM_FIELD)
    return username[:USERNAME_LENGTH] if isinstance(username, str) else username


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None, credentials: dict | None
) -> HttpResponse:
    """AXES_LOCKOUT_CALLABLE: our own page, in our layout and language, with 429 Too Many Requests."""
    context = {
        "failure_limit": settings.AXES_FAILURE_LIMIT,
        "minutes": int(settings.AXES_COOLOFF_TIME.total_seconds() // 60),
    }
    return TemplateResponse(request, "registration/locked_out.html", context, status=429).render()


def login_logs_purge() -> int:
    """Forget the logins older than LOGIN_LOG_RETENTION_DAYS (0: keep them all); returns how many.

    Axes writes a row for every successful login (who, from which address, with which browser): the team's own
    personal data, useful for a while to answer "was that me?", then only a liability. Through Axes' own
    handler, so whatever backend Axes is given, the same rows go.
    """
    days = settings.LOGIN_LOG_RETENTION_DAYS
    if days <= 0:
        return 0
    return AxesProxyHandler.reset_logs(age_days=days)
