"""How a person is shown at a glance in lists: their initials on a colour of their own."""

import unicodedata
import zlib

from django import template
from django.utils.html import format_html

register = template.Library()

# app.css's .avatar-0 … .avatar-7: white text on each passes WCAG AA (tests/browser/test_contrast.py).
COLOURS = 8


def initials(name: str) -> str:
    """The first letter of the first and of the last word ("Jade Martin" → "JM", "Léa" → "L"); letters only, so
    "@jade_tv" or "(Marc) Dubois" still read "JD" and "MD". A name with no letter at all gets "?"."""
    words = ["".join(ch for ch in word if unicodedata.category(ch).startswith("L")) for word in name.split()]
    words = [word for word in words if word]
    if not words:
        return "?"
    letters = words[0][0] + (words[-1][0] if len(words) > 1 else "")
    return letters.upper()


@register.simple_tag
def avatar(name: str, *, large: bool = False) -> str:
    """The badge before a name in a list, hidden from screen readers (the name follows it). Its colour comes from
    the name, so a person keeps theirs from one page to the next."""
    colour = zlib.crc32(name.encode()) % COLOURS
    size = " avatar-lg" if large else ""
    return format_html('<span class="avatar avatar-{}{}" aria-hidden="true">{}</span>', colour, size, initials(name))
