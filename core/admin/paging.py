"""Paging the admin's big lists (people, contacts, relationships, messages) without counting them.

Django's changelist counts the filtered rows on every page (to number the pages) and pages with OFFSET: at a million
contacts both read the whole table. Here the count stops at the rows of MAX_PAGES pages, so it reads at most that
many, and the page number stops there too: beyond it a manager searches or filters rather than paging on.

MAX_PAGES is small on purpose: page N skips (N - 1) pages of rows with OFFSET, and the database reads every row it
skips (through the sort and its joins). Five pages keep the deepest OFFSET at four pages of rows: page 1,600 of the
people (an OFFSET of 80,000 rows read and thrown away) shows page 5, and what lies beyond is found by a search.
"""

from django.core.paginator import Paginator
from django.utils.functional import cached_property

MAX_PAGES = 5


class CappedCountPaginator(Paginator):
    """A paginator whose count reads at most `max_pages` pages of rows; `capped` says there are more."""

    max_pages = MAX_PAGES

    @cached_property
    def cap(self) -> int:
        return self.per_page * self.max_pages

    @cached_property
    def capped(self) -> bool:
        return self._count_to_cap > self.cap

    @cached_property
    def _count_to_cap(self) -> int:
        # COUNT over a LIMITed subquery: the database stops after cap + 1 rows, whatever the table's size. Unordered:
        # any cap + 1 matching rows will do, and no sort of the whole table is needed to find them.
        return self.object_list.order_by()[: self.cap + 1].count()

    @cached_property
    def count(self) -> int:
        return min(self._count_to_cap, self.cap)

    def validate_number(self, number):
        # A page beyond the last numbered one (an old link, a typed URL) shows that last one, not an error.
        try:
            number = int(number)
        except (TypeError, ValueError):
            return super().validate_number(number)
        return super().validate_number(min(max(number, 1), max(self.num_pages, 1)))


class BigTableAdmin:
    """For the ModelAdmin of a table that grows without bound: no full count, capped paging, 50 rows a page.

    50 rather than Django's 100: each row of a changelist costs about a millisecond of Python (every column through
    the admin's lookup, display and escaping), which on a 100-row page was most of the page's time at full scale.
    """

    paginator = CappedCountPaginator
    show_full_result_count = False
    list_per_page = 50
