"""What makes a measured page the page its name says: a check of its HTML, and the directory's deep page reached by
its cursor. A page that fails its check stops the run (WrongPage) instead of printing another page's figures."""

import re
from collections.abc import Callable
from urllib.parse import quote

from django.db.models.functions import Lower
from django.utils.html import escape

from core.keyset import cursor_for
from crm.forms.filters import SORTS
from crm.models import Influencer

DIRECTORY_ROW = re.compile(r'<a href="/influencers/(\d+)/" class="fw-semibold">')
DIRECTORY_PAGE = 25  # the directory's default page size (crm.forms.filters)

# Given a page's HTML: what shows it is not the page its name says, or "" when it is.
Check = Callable[[str], str]


class WrongPage(Exception):
    """A page measured is not the one its name says (a parameter ignored, another page's rows): its figures would
    be another page's, so the run stops instead of printing them."""


def directory_order(*ordering):
    return Influencer.objects.annotate(name_lower=Lower("name")).order_by(*ordering)


def directory_page(number: int) -> tuple[str, int]:
    """The URL of the directory's page `number` (the first sort, by name), reached as a marketer reaches it: after
    the cursor of the previous page's last row; and the id of its first row. One query, with an OFFSET (not timed)."""
    ordering = SORTS["name"][1]
    offset = (number - 1) * DIRECTORY_PAGE
    rows = list(directory_order(*ordering).only("pk", "name")[max(0, offset - 1) : offset + 1])
    if number == 1:
        return "/influencers/", rows[0].pk
    if len(rows) < 2:
        raise WrongPage(f"the directory has no page {number}")
    return f"/influencers/?after={quote(cursor_for(rows[0], ordering))}", rows[1].pk


def lists(first_id: int | None = None, *, rows: int | None = None) -> Check:
    """The directory's check: its filter form took every parameter of the URL (a refused one is ignored, and the
    page is another list), and, when given, the first row and the number of rows are the expected ones."""

    def check(html: str) -> str:
        if "is-invalid" in html:
            return "the filter form refused a parameter (a field in error): the list shown is not the one named"
        listed = [int(pk) for pk in DIRECTORY_ROW.findall(html)]
        if first_id is not None and listed[:1] != [first_id]:
            return f"its first row is person {listed[0] if listed else 'none'}, not {first_id}, the first of that page"
        if rows is not None and len(listed) != rows:
            return f"it lists {len(listed)} people, not {rows}"
        return ""

    return check


def shows(text: str) -> Check:
    return lambda html: "" if escape(text) in html else f"it does not show “{text}”"


def admin_page(number: int) -> Check:
    # The admin's paginator marks the page shown; a page beyond the numbered ones would show another number.
    marker = f'<span class="this-page">{number}</span>'
    return lambda html: "" if marker in html else f"the admin shows another page than {number}"


def check_page(check: Check | None, name: str, url: str, response) -> None:
    if check is not None and (problem := check(response.content.decode())):
        raise WrongPage(f"{name}: GET {url} is not the page named: {problem}")
