"""Every template of the project, read as a file: a class of mistakes no page has to show to be caught.

Django's {# #} comment ends on its own line; one that runs over two lines is not a comment but text, and reached
/campaigns/add/ as "{# Refreshed by htmx as the brief is typed: … #}" (issue 14). {% comment %} spans lines.
"""

from pathlib import Path

import pytest
from django.conf import settings
from django.template.base import tag_re

BASE_DIR = Path(settings.BASE_DIR)
OURS = [BASE_DIR / "templates", *sorted(BASE_DIR.glob("*/templates"))]
MARKS = ("{#", "#}", "{%", "%}", "{{", "}}")
TEMPLATES = sorted(
    path for folder in OURS for path in folder.rglob("*") if path.suffix in (".html", ".txt", ".xml", ".svg")
)


def test_the_check_reads_the_project_templates():
    names = {path.relative_to(BASE_DIR).as_posix() for path in TEMPLATES}
    assert {"templates/base.html", "templates/campaigns/_brief_checklist.html", "templates/emails/footer.txt"} <= names


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda p: p.relative_to(BASE_DIR).as_posix())
def test_no_comment_tag_or_variable_runs_over_two_lines(path):
    # Django's own lexer: what it reads as a tag, a variable or a comment; whatever is left is text, shown as is.
    text = tag_re.sub("", path.read_text())

    assert [line for line in text.splitlines() if any(mark in line for mark in MARKS)] == []
