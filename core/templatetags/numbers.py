"""Numbers as the reader's language writes them."""

from decimal import Decimal

from django import template
from django.utils.formats import number_format

register = template.Library()


@register.filter
def figure(value):
    """A count or an amount grouped as the active language groups it ("34 850 165" in French, "34,850,165" in
    English); anything else as it is. USE_THOUSAND_SEPARATOR stays off: ids printed into links and attributes
    must stay bare digits, so the figures a reader reads ask for their grouping here."""
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        return value
    return number_format(value, force_grouping=True)
