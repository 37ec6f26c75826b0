"""The layers (README "Layout") hold, and an import that goes up fails `lint-imports`, naming the rule it breaks."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("config", "core", "crm", "campaigns", "messaging", "reports", "health", "desk", "demo", "bench")
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def _lint_imports(cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache", "--no-logo"], cwd=cwd, capture_output=True, text=True, timeout=120
    )


@pytest.fixture
def copy_of_the_code(tmp_path: Path) -> Path:
    """The project's Python packages and its contracts, in a folder of their own that a test may break."""
    for package in PACKAGES:
        shutil.copytree(ROOT / package, tmp_path / package, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


def _add_import(module: Path, line: str, *, inside_a_function: bool = False) -> None:
    text = module.read_text()
    if inside_a_function:
        line = f"\n\ndef _sneaky():\n    {line}\n"
        module.write_text(text + line)
    else:
        module.write_text(f"{line}\n{text}")


def test_the_code_keeps_every_contract():
    result = _lint_imports(ROOT)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_the_copy_keeps_every_contract_before_it_is_broken(copy_of_the_code):
    """The copy the next tests break is a faithful one: unbroken, it passes."""
    result = _lint_imports(copy_of_the_code)

    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize(
    ("module", "line", "inside_a_function", "broken"),
    [
        # A model reaching up to a service: the data layer must not know who changes it.
        ("crm/models/people.py", "import campaigns.services  # noqa", False, "Imports run one way"),
        # The outbox API reaching up to the campaigns' lifecycle, hidden inside a function.
        ("messaging/services.py", "from campaigns.services import lifecycle", True, "Imports run one way"),
        # crm's services reaching up to the page that pulls from every app.
        ("crm/services/contacts.py", "from desk import timeline  # noqa", False, "Imports run one way"),
        # The toolkit importing an app.
        ("core/labels.py", "from crm.models import Influencer  # noqa", False, "The toolkit knows no app"),
        # The product importing the demo's seeder.
        ("campaigns/selectors.py", "from demo import seed  # noqa", False, "never imports the demo"),
    ],
)
def test_an_import_that_goes_up_breaks_a_contract(copy_of_the_code, module, line, inside_a_function, broken):
    _add_import(copy_of_the_code / module, line, inside_a_function=inside_a_function)

    result = _lint_imports(copy_of_the_code)

    assert result.returncode == 1, result.stdout + result.stderr
    broken_contracts = result.stdout.split("Broken contracts")[1]
    assert broken in broken_contracts
    assert module.removesuffix(".py").replace("/", ".") in broken_contracts
