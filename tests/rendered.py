"""What a template left unrendered in a page or an e-mail: a comment Django did not strip, a tag it did not read.

Django strips a {# #} comment only on one line; a two-line one reached /campaigns/add/ as text (issue 14).
"""

import re

LEFTOVER = re.compile(r"\{#|#\}|\{\{|\{%")


def template_leftovers(text: str) -> list[str]:
    """Each leftover with a little of its surroundings, so a failure says where it is."""
    return [text[max(0, m.start() - 40) : m.end() + 40] for m in LEFTOVER.finditer(text)]
