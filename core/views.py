"""Small helpers the views share: ids from URLs, where to go back to."""

from django.http import Http404, HttpRequest
from django.utils.http import url_has_allowed_host_and_scheme


def id_or_404(value) -> int:
    """An id from a query string or a form: anything that is not a positive integer is a page that does not exist."""
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise Http404 from None
    if number < 1:
        raise Http404
    return number


def safe_next(request: HttpRequest, value: str | None, default: str) -> str:
    """Where to go back to: `value` when it is a page of this site, else `default` (no open redirect)."""
    # A path only: redirect() would take anything else ("0", "home") for the name of a view, and fail.
    if (
        value
        and value.startswith("/")
        and url_has_allowed_host_and_scheme(
            value, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
    ):
        return value
    return default
