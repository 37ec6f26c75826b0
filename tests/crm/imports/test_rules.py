"""The row rules' shortcuts (crm.imports.rules.RowChecker) give exactly the verdicts of the rules they stand in for."""

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from crm.imports.rules import SIMPLE_EMAIL, RowChecker
from crm.models import Influencer

EMAIL = Influencer._meta.get_field("email")


def django_accepts(email: str) -> bool:
    try:
        EMAIL.run_validators(email)
    except ValidationError:
        return False
    return True


@given(st.from_regex(SIMPLE_EMAIL, fullmatch=True))
def test_every_address_the_quick_pattern_takes_passes_djangos_validators_when_short_enough(email):
    assert django_accepts(email) or len(email) > EMAIL.max_length


@pytest.mark.parametrize(
    "email",
    [
        "jo@example.org",
        "Jo.Smith+news@mail.example.co.uk",
        "jo@localhost",  # Django's allowlist: outside the quick pattern, still accepted
        '"jo smith"@example.org',
        "jo@[127.0.0.1]",
        "jo@exemple.xn--p1ai",
        "jo@example",
        "jo..x@example.org",
        "jo@-example.org",
        "jo@example.org-",
        "jo@@example.org",
        "x" * 250 + "@example.org",  # the pattern matches, the maximum length does not
        "jö@example.org",
    ],
)
def test_an_email_is_accepted_exactly_when_djangos_validators_accept_it(email):
    checked = RowChecker()({"name": "Jo", "email": email})

    accepted = django_accepts(email)
    assert ("email" in checked.values, "email" in checked.errors) == (accepted, not accepted)


@pytest.mark.parametrize(
    "row, errors",
    [
        ({"name": " Ana\t", "city": "\tLyon\n"}, set()),  # around a cell: stripped, as before
        ({"name": "An\ta", "city": "Lyon"}, {"name"}),
        ({"name": "Ana", "city": "Ly\non", "blog": "a\x01b"}, {"city", "blog"}),
        ({"name": "Ana", "unknown column": "x\ty"}, set()),  # a column the import does not read
    ],
)
def test_the_one_line_rules_refuse_exactly_the_cells_that_break_them(row, errors):
    assert set(RowChecker()(row).errors) == errors


def test_a_row_of_empty_or_whitespace_cells_is_blank_and_has_no_errors():
    checked = RowChecker()({"name": " ", "email": "", "city": None, "blog": "\t"})

    assert (checked.blank, checked.errors, checked.values) == (True, {}, {})
