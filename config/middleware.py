"""A NUL character in a URL is a 400, not a 500.

PostgreSQL refuses NUL (\x00) in any text it is sent. The forms refuse it with a message (Django's
ProhibitNullCharactersValidator), but some query parameters reach a query without a form — the admin's list
filters (`?region=%00`) raised a ValueError in psycopg. Nobody types a NUL into an address: refuse it first.
"""

from collections.abc import Callable

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
