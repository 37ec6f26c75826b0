"""French is complete: every string of the code and templates has a French translation, none fuzzy."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest

BASE_DIR = Path(__file__).resolve().parents[1]
CATALOGUE = BASE_DIR / "locale" / "fr" / "LC_MESSAGES" / "django.po"
IGNORE = ["tests/*", "docs/*"]
SKIP_COPY = (".venv", "node_modules", "var", ".git", "vendor", "__pycache__", "*.mo", ".pytest_cache", "docs")


def _problems(po: polib.POFile) -> list[str]:
    missing = [f"untranslated: {e.msgid!r}" for e in po.untranslated_entries()]
    fuzzy = [f"fuzzy: {e.msgid!r}" for e in po.fuzzy_entries()]
    return missing + fuzzy


def test_the_committed_french_catalogue_has_no_missing_or_fuzzy_string():
    assert _problems(polib.pofile(str(CATALOGUE))) == []


@pytest.fixture
def fresh_catalogue(tmp_path):
    """The catalogue as `makemessages` would rebuild it from today's code, in a copy of the project so the
    committed one is left alone (GNU gettext's xgettext is needed)."""
    if shutil.which("xgettext") is None:
        if os.environ.get("CI"):
            pytest.fail("xgettext is missing: .ci/run installs gettext so this check cannot be skipped in CI")
        pytest.skip("GNU gettext (xgettext) is not installed")
    copy = tmp_path / "project"
    shutil.copytree(BASE_DIR, copy, ignore=shutil.ignore_patterns(*SKIP_COPY))
    subprocess.run(
        [sys.executable, "manage.py", "makemessages", "--locale=fr", "--no-obsolete", "--verbosity=0"]
        + [f"--ignore={pattern}" for pattern in IGNORE],
        cwd=copy, check=True, capture_output=True, timeout=300,
    )  # fmt: skip
    return polib.pofile(str(copy / "locale" / "fr" / "LC_MESSAGES" / "django.po"))


def test_every_string_in_the_code_is_in_the_french_catalogue(fresh_catalogue):
    assert _problems(fresh_catalogue) == [], "run `make makemessages`, then translate in locale/fr"
