"""The navigation bar's search: a dropdown as one types (htmx), or the search page when the form is sent."""

from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_GET

from desk.forms import SearchForm
from desk.search import search as search_everything

IN_DROPDOWN = 8  # per group: enough to recognise the one you meant, few enough to read without scrolling
ON_PAGE = 25


@require_GET
def search(request: HttpRequest) -> HttpResponse:
    # Unbound without a q: the page opened from a link says what it is for, not that the text is too short.
    form = SearchForm(request.GET if "q" in request.GET else None)
    in_dropdown = bool(request.htmx)
    found = None
    if form.is_valid():
        found = search_everything(
            form.cleaned_data["q"], user=request.user, limit=IN_DROPDOWN if in_dropdown else ON_PAGE
        )
    context = {"form": form, "found": found, "in_dropdown": in_dropdown}
    if found is not None:
        context["directory_url"] = f"{reverse('crm:influencer_list')}?{urlencode({'q': form.cleaned_data['q']})}"
    response = render(request, "desk/_search_results.html" if in_dropdown else "desk/search.html", context)
    # One URL, two answers (the dropdown's fragment, the whole page): a browser's cache must keep them apart.
    patch_vary_headers(response, ["HX-Request"])
    return response
