"""A person's initials on a colour of their own, before their name in lists."""

import pytest
from django.template import Context, Template

from crm.templatetags.people import initials


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Jade Martin", "JM"),
        ("Léa", "L"),
        ("élodie de la Fontaine", "ÉF"),
        ("@jade_tv Dubois", "JD"),
        ("(Marc) Dubois", "MD"),
        ("  Karim   Haddad  ", "KH"),
        ("李 小龙", "李小"),
        ("🙂 ✨", "?"),
        ("", "?"),
    ],
)
def test_initials_are_the_first_letters_of_the_first_and_last_words(name, expected):
    assert initials(name) == expected


def test_the_badge_keeps_its_colour_is_hidden_from_screen_readers_and_escapes_the_name():
    render = Template("{% load people %}{% avatar name %}").render
    first = render(Context({"name": "Jade Martin"}))
    assert first == render(Context({"name": "Jade Martin"}))
    assert 'aria-hidden="true"' in first and ">JM</span>" in first
    assert "<script" not in render(Context({"name": "<script>x</script>"}))
