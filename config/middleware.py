"""The project's own middleware: a NUL in a URL is a 400; an idle session ends.

A NUL character in a URL: PostgreSQL refuses NUL (\x00) in any text it is sent. The forms refuse it with a
message (Django's ProhibitNullCharactersValidator), but some query parameters reach a query without a form — the
admin's list filters (`?region=%00`) raised a ValueError in psycopg. Nobody types a NUL into an address: refuse
it first.
"""

import time
from collections.abc import Callable

from django.contrib.auth import SESSION_KEY as USER_SESSION_KEY
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.utils.translation import gettext as _


def refuse_nul_in_url(get_response: Callable[[HttpRequest], HttpResponse]):
    def middleware(request: HttpRequest) -> HttpResponse:
        if "\x00" in request.path or any(
            "\x00" in key or any("\x00" in value for value in values) for key, values in request.GET.lists()
        ):
            refusal = _("This address holds a NUL character: it cannot be read.")
            return HttpResponseBadRequest(refusal, content_type="text/plain; charset=utf-8")
        return get_response(request)

    return middleware


# The session key that holds when this middleware last pushed the session's end back (seconds since the epoch).
REFRESHED_AT = "idle_timeout_refreshed_at"
# At most one session save per minute per member: the session ends between SESSION_COOKIE_AGE - 60 s and
# SESSION_COOKIE_AGE after the last request. Django's SESSION_SAVE_EVERY_REQUEST would write on every request.
REFRESH_EVERY_SECONDS = 60


def session_idle_timeout(get_response: Callable[[HttpRequest], HttpResponse]):
    """A logged-in member's session ends SESSION_COOKIE_AGE after their last request, not after their login.

    Django gives a saved session (and its cookie) SESSION_COOKIE_AGE from the moment it is saved; marking the
    session modified makes the sessions' middleware save it and send the cookie again, with a new end.
    """

    def middleware(request: HttpRequest) -> HttpResponse:
        response = get_response(request)
        session = getattr(request, "session", None)
        # A member's session only: a visitor's made-up or expired cookie must not make the middleware save one.
        if session is not None and session.session_key and USER_SESSION_KEY in session:
            now = int(time.time())
            if now - session.get(REFRESHED_AT, 0) >= REFRESH_EVERY_SECONDS:
                session[REFRESHED_AT] = now
        return response

    return middleware


def start_idle_clock(sender, request, user, **kwargs) -> None:
    """At login (a session saved anyway), so that the member's first requests do not save it again."""
    request.session[REFRESHED_AT] = int(time.time())
