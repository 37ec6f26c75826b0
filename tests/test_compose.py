"""docker-compose.yml cannot run here (no Docker engine): validate it and check it runs what the Procfile runs."""

import shlex
import subprocess
import sys
from pathlib import Path

import pytest
from ruamel.yaml import YAML

BASE_DIR = Path(__file__).resolve().parents[1]
APP_SERVICES = ("web", "worker", "beat")


@pytest.fixture(scope="module")
def compose() -> dict:
    return YAML(typ="safe").load((BASE_DIR / "docker-compose.yml").read_text())


def procfile() -> dict[str, str]:
    entries = {}
    for line in (BASE_DIR / "Procfile").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            name, command = line.split(":", 1)
            # honcho runs a line through a shell, which `exec` takes out of the way; Compose runs the process itself.
            entries[name.strip()] = command.strip().removeprefix("exec ")
    return entries


def test_it_is_valid_against_the_compose_spec():
    checker = Path(sys.executable).with_name("check-jsonschema")
    result = subprocess.run(
        [str(checker), "--builtin-schema", "vendor.compose-spec", "docker-compose.yml"],
        cwd=BASE_DIR,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode == 0, result.stdout + result.stderr


def test_it_has_the_production_services(compose):
    assert set(compose["services"]) == {"postgres", "redis", "mailpit", *APP_SERVICES}


def test_web_worker_and_beat_share_one_image(compose):
    images = {(compose["services"][s]["image"], compose["services"][s]["build"]) for s in APP_SERVICES}

    assert images == {("influence-crm:latest", ".")}


@pytest.mark.parametrize("name", APP_SERVICES)
def test_each_app_service_runs_the_procfile_command(compose, name):
    command = compose["services"][name]["command"]
    as_text = command[-1] if command[:2] == ["sh", "-c"] else shlex.join(command)

    assert as_text.endswith(procfile()[name]), (as_text, procfile()[name])


def test_there_is_exactly_one_beat(compose):
    assert compose["services"]["beat"]["deploy"]["replicas"] == 1


def test_web_migrates_on_start_and_everything_waits_for_healthy_services(compose):
    assert "manage.py migrate" in compose["services"]["web"]["command"][-1]
    for name in APP_SERVICES:
        depends = compose["services"][name]["depends_on"]
        assert depends["postgres"]["condition"] == "service_healthy"
        assert depends["redis"]["condition"] == "service_healthy"
    for name in ("postgres", "redis", "mailpit", "web"):
        assert "healthcheck" in compose["services"][name]


def test_mail_goes_to_mailpit(compose):
    for name in APP_SERVICES:
        assert compose["services"][name]["environment"]["EMAIL_URL"] == "smtp://mailpit:1025"
