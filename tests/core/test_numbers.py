"""Figures grouped as the reader's language groups them."""

from datetime import date
from decimal import Decimal

import pytest
from django.template import Context, Template
from django.utils import translation


def render(value, language: str) -> str:
    with translation.override(language):
        return Template("{% load numbers %}{{ value|figure }}").render(Context({"value": value}))


@pytest.mark.parametrize(
    ("value", "english", "french"),
    [
        (34850165, "34,850,165", "34\xa0850\xa0165"),
        (999, "999", "999"),
        (-4309, "-4,309", "-4\xa0309"),
        (Decimal("12345.50"), "12,345.50", "12\xa0345,50"),
        (1234.5, "1,234.5", "1\xa0234,5"),
    ],
)
def test_counts_and_amounts_are_grouped_for_the_reader(value, english, french):
    assert render(value, "en") == english
    assert render(value, "fr") == french


@pytest.mark.parametrize("value", [True, "12345", date(2026, 12, 7), None])
def test_anything_else_is_left_as_it_is(value):
    with translation.override("fr"):
        as_it_is = Template("{{ value }}").render(Context({"value": value}))
    assert render(value, "fr") == as_it_is
