"""A NUL character in a URL is a 400, not a 500.

PostgreSQL refuses NUL (\x00) in any text it is sent. The forms refuse it with a message (Django's
ProhibitNullCharactersValidator), but some query parameters reach a query without a form — the admin's list
filters (`?region=%00`) raised a ValueError in psycopg. Nobody types a NUL into an address: refuse it first.
"""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest


def refuse_nul_in_url(get_response: Callable[[HttpRequest], HttpResponse]):
    def middleware(request: HttpRequest) -> HttpResponse:
        if "\x00" in request.path or any(
            "\x00" in key or any("\x00" in value for value in values) for key, values in request.GET.lists()
        ):
            return HttpResponseBadRequest("NUL characters are not allowed in a URL.", content_type="text/plain")
        return get_response(request)

    return middleware
